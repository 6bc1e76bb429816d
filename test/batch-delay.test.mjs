// Batched mode: a queue short of maxEvents goes out maxDelayMs after its first event.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createEventLog } from '../dist/index.js'
import { rawLines, readV1, tempLog, waitFor } from './helpers/v1-lines.mjs'

test('a few events are written maxDelayMs after the first one, not before', async () => {
  const path = tempLog()
  const log = createEventLog({ path, batch: { maxEvents: 1000, maxDelayMs: 150 } })
  const start = Date.now()
  log.log('test.batch', { i: 0 })
  await new Promise((resolve) => setTimeout(resolve, 20))
  log.log('test.batch', { i: 1 })
  log.log('test.batch', { i: 2 })
  await waitFor(() => rawLines(path).length === 3, 10_000, 'the delayed batch')
  const waited = Date.now() - start
  assert.ok(waited >= 140, `written after ${waited} ms, before maxDelayMs`)
  assert.deepEqual(readV1(path).map((e) => e.details.i), [0, 1, 2])
  // The lines can be on disk a moment before the writer's callback counts them.
  await waitFor(() => log.stats().queued === 0, 10_000, 'the callback')
  assert.equal(log.stats().written, 3)
  log.close()
})

test('maxDelayMs: 0 writes on the next turn of the event loop', async () => {
  const path = tempLog()
  const log = createEventLog({ path, batch: { maxDelayMs: 0 } })
  log.log('test.batch', { i: 0 })
  assert.equal(rawLines(path).length, 0)
  await waitFor(() => rawLines(path).length === 1, 10_000, 'the batch')
  log.close()
})
