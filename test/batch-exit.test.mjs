// Batched mode at a normal exit: the queue is written synchronously, and the
// batch timer does not keep the process alive.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { readV1, tempLog } from './helpers/v1-lines.mjs'

const index = JSON.stringify(path.join(new URL('..', import.meta.url).pathname, 'dist', 'index.js'))

function child (file, body) {
  const code = `const { createEventLog } = require(${index})\n${body}`
  const start = Date.now()
  const r = spawnSync(process.execPath, ['-e', code], { env: { ...process.env, DS01_EVENTS_FILE: file }, encoding: 'utf8', timeout: 60_000 })
  return { ...r, ms: Date.now() - start }
}

test('falling off the end: every queued event is on disk, and the 60 s timer did not hold the process', () => {
  const file = tempLog()
  const r = child(file, `
    const log = createEventLog({ batch: { maxEvents: 1000, maxDelayMs: 60_000 } })
    for (let i = 0; i < 500; i++) log.log('test.exit', { i })`)
  assert.equal(r.status, 0, r.stderr)
  assert.ok(r.ms < 30_000, `the child took ${r.ms} ms: the timer kept it alive`)
  assert.deepEqual(readV1(file).map((e) => e.details.i), Array.from({ length: 500 }, (_, i) => i))
})

test('process.exit() with a batch in flight and more queued: all of it, in order', () => {
  const file = tempLog()
  const r = child(file, `
    const log = createEventLog({ batch: { maxEvents: 100, maxDelayMs: 60_000 } })
    for (let i = 0; i < 250; i++) log.log('test.exit', { i })
    process.exit(0)`)
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(readV1(file).map((e) => e.details.i), Array.from({ length: 250 }, (_, i) => i))
})

test('many batched logs share one exit listener; a closed log is left alone', () => {
  const file = tempLog()
  const r = child(file, `
    const before = process.listenerCount('exit')
    const logs = []
    for (let k = 0; k < 20; k++) logs.push(createEventLog({ path: process.env.DS01_EVENTS_FILE + '.' + k, batch: true }))
    for (const [k, log] of logs.entries()) log.log('test.exit', { k })
    logs[0].close()
    logs[0].log('test.exit', { late: true })
    process.stdout.write(String(process.listenerCount('exit') - before))`)
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout, '1')
  for (let k = 0; k < 20; k++) assert.deepEqual(readV1(`${file}.${k}`).map((e) => e.details), [{ k }])
})
