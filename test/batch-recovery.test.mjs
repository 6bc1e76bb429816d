// A batch that failed is kept and written once the log can be written again:
// exactly once, in order, and flush() then says true.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import lib from '../dist/index.js'

const pause = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)

// The batch in flight fails on the thread pool while this thread is busy (its
// callback not yet run); the log is repaired; flush() writes it again with the
// rest, so everything is on disk and flush() says true (it said false: the
// failure of the first try decided the answer).
test('a batch that failed in flight is written by flush(), which then says true', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ds01-recovery-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const blocker = join(dir, 'logs')
  writeFileSync(blocker, '')
  const path = join(blocker, 'events.jsonl')
  const log = lib.createEventLog({ path, batch: { maxEvents: 2, maxDelayMs: 10_000 }, onWarning: () => {} })
  log.log('test.cli', { n: 1 })
  log.log('test.cli', { n: 2 }) // in flight now
  pause(300) // the native writer's pool thread tries it (ENOTDIR); the JavaScript writer's runs later, in flush()
  rmSync(blocker)
  log.log('test.cli', { n: 3 })
  assert.equal(log.flush(), true)
  assert.deepEqual(readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l).details.n), [1, 2, 3])
  assert.equal(log.stats().written, 3)
  log.close()
})

test('fail, recover, flush: every event once, in order', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ds01-recovery-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const blocker = join(dir, 'logs')
  writeFileSync(blocker, '') // a file where the log's directory belongs: ENOTDIR
  const path = join(blocker, 'events.jsonl')
  const warnings = []
  const log = lib.createEventLog({ path, batch: { maxEvents: 2, maxDelayMs: 10 }, onWarning: (m) => warnings.push(m) })
  assert.equal(log.log('test.cli', { n: 1 }), true)
  assert.equal(log.log('test.cli', { n: 2 }), true) // a full batch: goes to the thread pool, fails
  await new Promise((resolve) => setTimeout(resolve, 100))
  assert.ok(warnings.some((m) => m.includes('ENOTDIR')), warnings.join('\n'))
  assert.equal(log.stats().written, 0)
  rmSync(blocker)
  log.log('test.cli', { n: 3 })
  log.log('test.cli', { n: 4 })
  assert.equal(log.flush(), true)
  const ns = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l).details.n)
  assert.deepEqual(ns, [1, 2, 3, 4])
  assert.equal(log.stats().written, 4)
  assert.equal(log.stats().dropped, 0)
  log.close()
})
