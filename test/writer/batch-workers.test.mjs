// Worker threads that use the batched mode and exit with batches in flight
// (process.exit() in the worker, worker.terminate() from outside) must never
// abort the process, and what was handed to the writer still reaches the disk.
// Part of the writer suite, so `npm run check:native` runs it under ASan/UBSan.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { KIND, ROOT, scratch } from './helpers.mjs'

const WORKERS = 50
const EVENTS = 600 // two full batches of 256 handed over, 88 still queued in JavaScript

// The whole scenario runs in a child process: an abort must fail this test, not kill the runner.
function scenario (dir, how) {
  const code = `
    const { Worker } = require('node:worker_threads')
    const index = ${JSON.stringify(join(ROOT, 'dist', 'index.js'))}
    const body = \`
      const { workerData, parentPort } = require('node:worker_threads')
      const { createEventLog } = require(workerData.index)
      const log = createEventLog({ path: workerData.file, batch: true })
      for (let i = 0; i < ${EVENTS}; i++) log.log('test.worker', { i })
      if (workerData.how === 'exit') process.exit(0)
      parentPort.postMessage('logged')
      setInterval(() => {}, 1000)\`
    let running = 0
    let started = 0
    const startOne = () => {
      const n = started++
      running++
      const w = new Worker(body, { eval: true, workerData: { index, file: ${JSON.stringify(dir)} + '/w' + n + '.jsonl', how: ${JSON.stringify(how)} } })
      w.on('message', () => w.terminate())
      w.on('error', (e) => { console.error(e); process.exitCode = 1 })
      w.on('exit', () => { running--; if (started < ${WORKERS}) startOne() })
    }
    for (let k = 0; k < 8; k++) startOne()`
  return spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 120_000 })
}

function linesOf (file) {
  const text = readFileSync(file, 'utf8')
  return text === '' ? [] : text.slice(0, -1).split('\n').map((l) => JSON.parse(l).details.i)
}

for (const how of ['exit', 'terminate']) {
  test(`${KIND}: ${WORKERS} workers ${how === 'exit' ? 'calling process.exit()' : 'terminated'} with batches in flight: no abort, nothing handed over is lost`, () => {
    const dir = scratch()
    const r = scenario(dir, how)
    assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr}`)
    assert.equal(r.status, 0, r.stderr)
    for (let n = 0; n < WORKERS; n++) {
      const got = linesOf(join(dir, `w${n}.jsonl`))
      assert.deepEqual(got, Array.from({ length: got.length }, (_, i) => i), `worker ${n}: a prefix, in order`)
      // process.exit() runs the exit flush: everything. terminate() runs no JavaScript:
      // the batches handed over land, the 88 events still queued in JavaScript may not.
      assert.ok(got.length >= (how === 'exit' ? EVENTS : 512), `worker ${n}: ${got.length} lines`)
    }
  })
}
