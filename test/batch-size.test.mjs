// Batched mode: log() does no I/O; the queue goes out in one append when it
// reaches maxEvents.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createEventLog } from '../dist/index.js'
import { rawLines, readV1, tempLog, waitFor } from './helpers/v1-lines.mjs'

test('nothing is written short of maxEvents; at maxEvents the queue goes out', async () => {
  const path = tempLog()
  const log = createEventLog({ path, batch: { maxEvents: 10, maxDelayMs: 60_000 } })
  for (let i = 0; i < 9; i++) assert.equal(log.log('test.batch', { i }), true)
  await new Promise((resolve) => setTimeout(resolve, 50))
  assert.equal(rawLines(path).length, 0, 'a batch short of maxEvents waits for maxDelayMs')
  // The 10th and the 20th each hand a batch to the writer at once, the first
  // still in flight or not; the last 5 wait for maxDelayMs.
  for (let i = 9; i < 25; i++) assert.equal(log.log('test.batch', { i }), true)
  await waitFor(() => rawLines(path).length >= 20, 10_000, 'both batches')
  // The lines can be on disk a moment before the writer's callback counts them.
  await waitFor(() => log.stats().queued === 5, 10_000, 'the callbacks')
  assert.equal(rawLines(path).length, 20)
  assert.equal(log.stats().written, 20)
  assert.equal(log.flush(), true)
  assert.equal(log.stats().written, 25)
  assert.deepEqual(readV1(path).map((e) => e.details.i), Array.from({ length: 25 }, (_, i) => i))
  log.close()
})

test('a batch goes out as soon as maxEvents are queued, however the events arrive', async () => {
  const path = tempLog()
  const log = createEventLog({ path, batch: { maxEvents: 7, maxDelayMs: 60_000 } })
  const sizes = []
  for (let i = 0; i < 70; i++) {
    log.log('test.batch', { i })
    if (i % 7 === 6) {
      await waitFor(() => log.stats().queued === 0, 10_000, 'the batch')
      sizes.push(rawLines(path).length)
    }
  }
  assert.deepEqual(sizes, Array.from({ length: 10 }, (_, k) => 7 * (k + 1)))
  log.close()
})
