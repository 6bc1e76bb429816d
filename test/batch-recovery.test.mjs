// A batch that failed is kept and written once the log can be written again:
// exactly once, in order, and flush() then says true.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import lib from '../dist/index.js'
import { waitFor } from './helpers/v1-lines.mjs'

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
  // However slow the thread pool is today: wait for the failure to be heard of.
  await waitFor(() => warnings.some((m) => m.includes('ENOTDIR')), 10_000, 'the ENOTDIR warning')
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

test('a failure with many batches in flight, the disk back before anyone heard: every event once, in order', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ds01-recovery-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const blocker = join(dir, 'logs')
  writeFileSync(blocker, '') // ENOTDIR until removed
  const path = join(blocker, 'events.jsonl')
  const warnings = []
  const log = lib.createEventLog({ path, batch: { maxEvents: 10, maxDelayMs: 5 }, onWarning: (m) => warnings.push(m) })
  for (let n = 0; n < 500; n++) assert.equal(log.log('test.cli', { n }), true) // 50 batches handed over: they fail
  const until = Date.now() + 200
  while (Date.now() < until); // no callback runs: the writer has failed them all by now, unheard of
  rmSync(blocker)
  // Handed over before the failure was heard of: not tried, so they cannot land before the first 500.
  for (let n = 500; n < 1000; n++) assert.equal(log.log('test.cli', { n }), true)
  await waitFor(() => log.stats().queued === 0, 10_000, 'the retries')
  const ns = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l).details.n)
  assert.deepEqual(ns, Array.from({ length: 1000 }, (_, i) => i))
  assert.equal(log.stats().written, 1000)
  assert.equal(log.stats().dropped, 0)
  assert.ok(warnings.some((m) => m.includes('ENOTDIR') && m.includes('retrying')), warnings.join('\n'))
  log.close()
})
