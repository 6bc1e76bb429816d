// Point 6: batches in one write, and an asynchronous append on the thread pool
// that keeps its order with the synchronous calls after it; drain() makes
// everything it holds land (for flush() and the exit flush).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { rmSync, writeFileSync } from 'node:fs'
import { KIND, open, scratch, lines } from './helpers.mjs'

const appendAsync = (w, data) => new Promise((resolve) => w.appendAsync(data, resolve))

test(`${KIND}: appendAsync writes a batch and calls back with null`, async () => {
  const path = join(scratch(), 'events.jsonl')
  const w = open(path)
  const batch = Array.from({ length: 500 }, (_, n) => `{"n":${n}}\n`).join('')
  assert.equal(await appendAsync(w, batch), null)
  assert.equal(lines(path).length, 500)
  assert.equal(w.stats().appends, 1, 'one append for the whole batch')
  w.close()
})

test(`${KIND}: order is kept between queued async batches and a later sync append`, async () => {
  const path = join(scratch(), 'events.jsonl')
  const w = open(path)
  const results = []
  const done = Promise.all([
    appendAsync(w, '{"n":1}\n').then((r) => results.push(r)),
    appendAsync(w, '{"n":2}\n{"n":3}\n').then((r) => results.push(r))
  ])
  assert.equal(w.append('{"n":4}\n'), null)
  await done
  assert.deepEqual(results, [null, null])
  assert.deepEqual(lines(path).map((l) => JSON.parse(l).n), [1, 2, 3, 4])
  w.close()
})

test(`${KIND}: close() writes what appendAsync still holds`, async () => {
  const path = join(scratch(), 'events.jsonl')
  const w = open(path)
  const result = appendAsync(w, '{"n":1}\n')
  w.close()
  assert.deepEqual(lines(path), ['{"n":1}'])
  assert.equal(await result, null)
})

test(`${KIND}: appendAsync reports refusals through the callback, never throws`, async () => {
  const w = open(join(scratch(), 'events.jsonl'))
  assert.equal((await appendAsync(w, 'no newline'))?.code, 'EBADLINES')
  assert.equal((await appendAsync(w, 42))?.code, 'EINVAL')
  w.close()
  assert.equal((await appendAsync(w, '{"late":1}\n'))?.code, 'ECLOSED')
})

test(`${KIND}: appendAsync of a view into a larger buffer writes exactly the view`, async () => {
  const path = join(scratch(), 'events.jsonl')
  const w = open(path)
  const whole = Buffer.from('garbage{"n":1}\n{"n":2}\nmore garbage')
  const view = whole.subarray(7, 7 + 16)
  assert.equal(await appendAsync(w, view), null)
  assert.deepEqual(lines(path), ['{"n":1}', '{"n":2}'])
  w.close()
})

test(`${KIND}: drain() puts every async batch on disk before it returns`, async () => {
  const path = join(scratch(), 'events.jsonl')
  const w = open(path)
  const called = []
  w.appendAsync('{"n":1}\n', (r) => called.push(r))
  w.appendAsync('{"n":2}\n', (r) => called.push(r))
  assert.equal(w.drain(), null)
  assert.deepEqual(lines(path), ['{"n":1}', '{"n":2}'], 'on disk when drain() returns')
  await new Promise((resolve) => setTimeout(resolve, 50))
  assert.deepEqual(called, [null, null], 'the callbacks still run')
  w.close()
})

test(`${KIND}: drain() reports the first async failure since the last drain()`, async () => {
  const dir = scratch()
  const w = open(dir) // a directory: every write fails
  w.appendAsync('{"n":1}\n', () => {})
  assert.equal(w.drain()?.code, 'EISDIR')
  assert.equal(w.drain(), null, 'reported once')
  w.close()
})

test(`${KIND}: a failure its callback reported is not reported again by drain()`, async () => {
  const dir = scratch()
  const blocker = join(dir, 'not-a-dir')
  writeFileSync(blocker, '') // a file where the log's directory belongs: ENOTDIR
  const w = open(join(blocker, 'events.jsonl'))
  assert.equal((await appendAsync(w, '{"n":1}\n'))?.code, 'ENOTDIR')
  rmSync(blocker) // the way is clear now: the writer creates the directory
  w.appendAsync('{"n":2}\n', () => {})
  assert.equal(w.drain(), null, 'the old failure is not this batch\'s')
  assert.deepEqual(lines(join(blocker, 'events.jsonl')), ['{"n":2}'])
  w.close()
})

test(`${KIND}: after a failure, what was handed over before the caller heard of it fails untried; then writes resume`, async () => {
  const dir = scratch()
  const blocker = join(dir, 'not-a-dir')
  writeFileSync(blocker, '') // a file where the log's directory belongs: ENOTDIR
  const path = join(blocker, 'events.jsonl')
  const w = open(path)
  const results = []
  const heard = []
  assert.equal(w.appendAsync('{"n":1}\n', (r) => heard.push(results.push(['first', r?.code ?? null]))), 1)
  assert.equal(w.waitIdle(10_000), true, 'the first job is done (failed)')
  rmSync(blocker) // the way is clear now, but nobody has heard of the failure yet
  assert.equal(w.appendAsync('{"n":2}\n', (r) => heard.push(results.push(['second', r?.code ?? null]))), 2)
  assert.equal(w.waitIdle(10_000), true)
  assert.equal(w.lastLanded(), 0, 'nothing landed')
  await new Promise((resolve) => setTimeout(resolve, 50))
  assert.deepEqual(results, [['first', 'ENOTDIR'], ['second', 'ENOTDIR']], 'the second was not tried: it would have landed')
  // The callbacks ran: later jobs are tried again.
  assert.equal(await appendAsync(w, '{"n":3}\n'), null)
  assert.equal(w.lastLanded(), 3)
  assert.deepEqual(lines(path), ['{"n":3}'])
  w.close()
})

test(`${KIND}: many jobs queued at once land in order; waitIdle() and lastLanded() see them all`, async () => {
  const path = join(scratch(), 'events.jsonl')
  const w = open(path)
  const numbers = []
  for (let n = 0; n < 200; n++) numbers.push(w.appendAsync(Buffer.from(`{"n":${n}}\n`), () => {}))
  assert.deepEqual(numbers, Array.from({ length: 200 }, (_, i) => i + 1))
  assert.equal(w.waitIdle(10_000), true)
  assert.equal(w.lastLanded(), 200)
  assert.deepEqual(lines(path).map((l) => JSON.parse(l).n), Array.from({ length: 200 }, (_, i) => i))
  assert.equal(w.drain(), null)
  w.close()
})
