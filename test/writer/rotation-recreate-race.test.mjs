// logrotate renames the file, then creates the new one with O_EXCL. A writer
// that creates the file in between makes logrotate move the writer's file to
// "<name>-YYYYMMDDHH.backup" (and a second such race that hour overwrites it,
// events and all). So after a rename a writer waits (100 ms at most) for the
// rotator's new file instead of racing it; after a delete it creates at once.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { renameSync, unlinkSync, statSync } from 'node:fs'
import { Worker } from 'node:worker_threads'
import { once } from 'node:events'
import { KIND, open, scratch, lines, waitPastPathCheck } from './helpers.mjs'

/** A stand-in for logrotate's create: on signal, waits delayMs, then creates path with O_EXCL. */
async function startRotator (path, delayMs) {
  const signal = new Int32Array(new SharedArrayBuffer(4))
  const worker = new Worker(`
    const { workerData, parentPort } = require('node:worker_threads')
    const fs = require('node:fs')
    parentPort.postMessage('ready')
    Atomics.wait(workerData.signal, 0, 0)
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.delayMs)
    try {
      fs.closeSync(fs.openSync(workerData.path, 'wx', 0o660))
      parentPort.postMessage('created')
    } catch (err) {
      parentPort.postMessage(err.code)
    }`, { eval: true, workerData: { path, delayMs, signal } })
  await once(worker, 'message')
  const outcome = once(worker, 'message').then(([m]) => m)
  return {
    go: () => { Atomics.store(signal, 0, 1); Atomics.notify(signal, 0) },
    outcome
  }
}

test(`${KIND}: after a rename, the writer lets the rotator create the new file`, async () => {
  const path = join(scratch(), 'events.jsonl')
  const w = open(path)
  assert.equal(w.append('{"n":1}\n'), null)
  const rotator = await startRotator(path, 20)
  renameSync(path, path + '.1')
  waitPastPathCheck()
  rotator.go()
  assert.equal(w.append('{"n":2}\n'), null) // waits for the rotator's file
  assert.equal(await rotator.outcome, 'created', "the rotator's O_EXCL create did not collide with the writer")
  assert.deepEqual(lines(path + '.1'), ['{"n":1}'])
  assert.deepEqual(lines(path), ['{"n":2}'])
  w.close()
})

test(`${KIND}: after a rename with no rotator, the writer creates the file itself`, () => {
  const path = join(scratch(), 'events.jsonl')
  const w = open(path)
  assert.equal(w.append('{"n":1}\n'), null)
  renameSync(path, path + '.1')
  waitPastPathCheck()
  const started = performance.now()
  assert.equal(w.append('{"n":2}\n'), null)
  assert.ok(performance.now() - started < 1000, 'bounded wait')
  assert.deepEqual(lines(path), ['{"n":2}'])
  assert.equal(statSync(path).mode & 0o777, 0o660)
  w.close()
})

test(`${KIND}: after a delete, the writer creates the file at once`, () => {
  const path = join(scratch(), 'events.jsonl')
  const w = open(path)
  assert.equal(w.append('{"n":1}\n'), null)
  unlinkSync(path)
  waitPastPathCheck()
  const started = performance.now()
  assert.equal(w.append('{"n":2}\n'), null)
  assert.ok(performance.now() - started < 50, `no wait for a deleted file (${(performance.now() - started).toFixed(1)} ms)`)
  assert.deepEqual(lines(path), ['{"n":2}'])
  w.close()
})
