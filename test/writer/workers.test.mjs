// Point 8: several instances, several files and worker_threads are safe, and a
// descriptor is closed with its writer or when its environment is torn down.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { readdirSync, readlinkSync } from 'node:fs'
import { Worker } from 'node:worker_threads'
import { KIND, open, scratch, lines } from './helpers.mjs'

const WRITER = new URL('../../dist/writer/index.js', import.meta.url).pathname

function openFdsTo (path) {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path
    } catch {
      return false
    }
  }).length
}

function runWorker (source, workerData) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData })
    worker.on('error', reject)
    worker.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker exit ${code}`))))
  })
}

test(`${KIND}: four workers, each with its own writer, share one file and keep their own`, async () => {
  const dir = scratch()
  const shared = join(dir, 'shared.jsonl')
  const source = `
    const { workerData } = require('node:worker_threads')
    const { openWriter } = require(workerData.writer)
    const a = openWriter(workerData.shared)
    const b = openWriter(workerData.own)
    for (let n = 0; n < 2000; n++) {
      if (a.append(JSON.stringify({ w: workerData.id, n }) + '\\n') !== null) throw new Error('shared append failed')
      if (b.append(JSON.stringify({ n }) + '\\n') !== null) throw new Error('own append failed')
    }
    a.close(); b.close()`
  await Promise.all([0, 1, 2, 3].map((id) =>
    runWorker(source, { writer: WRITER, shared, own: join(dir, `own-${id}.jsonl`), id })))
  assert.equal(lines(shared).length, 8000)
  for (const id of [0, 1, 2, 3]) assert.equal(lines(join(dir, `own-${id}.jsonl`)).length, 2000)
})

test(`${KIND}: close() releases the descriptor`, () => {
  const path = join(scratch(), 'events.jsonl')
  const w = open(path)
  w.append('{"n":1}\n')
  assert.equal(openFdsTo(path), 1)
  w.close()
  assert.equal(openFdsTo(path), 0)
})

test(`${KIND}: a worker that exits without close() leaves no descriptor behind`, async () => {
  const path = join(scratch(), 'events.jsonl')
  const source = `
    const { workerData } = require('node:worker_threads')
    const { openWriter } = require(workerData.writer)
    const w = openWriter(workerData.path)
    if (w.append('{"from":"worker"}\\n') !== null) throw new Error('append failed')
    globalThis.keep = w // still referenced when the environment goes away`
  await runWorker(source, { writer: WRITER, path })
  assert.deepEqual(lines(path), ['{"from":"worker"}'])
  assert.equal(openFdsTo(path), 0)
})
