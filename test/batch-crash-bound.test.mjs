// The crash-loss bound of the batched mode (docs/batched-mode.md): a process
// whose event loop is busy and that is SIGKILLed loses at most maxEvents - 1
// events not yet handed to the writer, plus batches the writer holds unwritten
// (none here: the disk works, and full batches are written off the main
// thread while the loop is busy).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import path from 'node:path'
import { rawLines, tempLog } from './helpers/v1-lines.mjs'

const index = JSON.stringify(path.join(new URL('..', import.meta.url).pathname, 'dist', 'index.js'))
const EVENTS = 2_000
const MAX_EVENTS = 256 // the default batch size
const BUSY_MS = 20_000 // the child never yields for this long; the parent kills it well before

test('busy event loop, then SIGKILL: at most maxEvents - 1 events lost', async () => {
  const file = tempLog()
  const code = `
    const { createEventLog } = require(${index})
    const log = createEventLog({ path: process.env.DS01_EVENTS_FILE, batch: true })
    let ok = 0
    for (let i = 0; i < ${EVENTS}; i++) if (log.log('test.crash', { i })) ok++
    process.stdout.write('logged ' + ok + '\\n')
    const end = Date.now() + ${BUSY_MS}
    while (Date.now() < end) {} // a CPU-bound caller: no timer, no callback runs`
  const child = spawn(process.execPath, ['-e', code], { env: { ...process.env, DS01_EVENTS_FILE: file }, stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += chunk
      if (out.includes('\n')) resolve()
    })
    child.on('exit', () => reject(new Error(`the child exited early: ${out}`)))
  })
  assert.equal(out, `logged ${EVENTS}\n`)
  // The repro killed at 0.7 s; wait at least that, and longer only
  // while lines are still arriving (a slow machine), never past 10 s.
  const start = Date.now()
  const floor = EVENTS - (MAX_EVENTS - 1)
  while (Date.now() - start < 700 || (rawLines(file).length < floor && Date.now() - start < 10_000)) {
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal)))
  child.kill('SIGKILL')
  assert.equal(await exited, 'SIGKILL')
  const written = rawLines(file).map((line) => JSON.parse(line).details.i)
  assert.deepEqual(written, Array.from({ length: written.length }, (_, i) => i), 'a prefix, in order')
  const lost = EVENTS - written.length
  assert.ok(lost <= MAX_EVENTS - 1, `${lost} events lost (bound: ${MAX_EVENTS - 1})`)
})
