// Batched mode with a caller that never yields: while writes succeed, no valid
// event is dropped, whatever the caller does with its event loop. Full batches
// go to the writer at once and the queue bound waits for the writer (briefly)
// instead of dropping.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { createEventLog } from '../dist/index.js'
import { tempLog, warningSink } from './helpers/v1-lines.mjs'

/** The `i` of every line, in file order (cheaper than a full v1 check for 100,000 lines). */
function indexes (file) {
  const text = fs.readFileSync(file, 'utf8')
  assert.ok(text.endsWith('\n'))
  return text.slice(0, -1).split('\n').map((line) => JSON.parse(line).details.i)
}

function assertAllInOrder (file, n) {
  const got = indexes(file)
  assert.equal(got.length, n, `${got.length} of ${n} lines on disk`)
  for (let i = 0; i < n; i++) if (got[i] !== i) assert.fail(`line ${i} holds event ${got[i]}`)
}

test('100,000 log() calls in one synchronous loop: every one accepted, every one on disk, in order', () => {
  const file = tempLog()
  const { messages, onWarning } = warningSink()
  const log = createEventLog({ path: file, batch: true, onWarning })
  let accepted = 0
  for (let i = 0; i < 100_000; i++) if (log.log('test.busy', { i })) accepted++
  assert.equal(accepted, 100_000, messages.join('\n'))
  assert.ok(log.stats().queued <= 10_000, 'the queue stays bounded by maxQueue')
  assert.equal(log.flush(), true)
  const s = log.stats()
  assert.equal(s.dropped, 0, messages.join('\n'))
  assert.equal(s.written, 100_000)
  assert.equal(s.queued, 0)
  assert.deepEqual(messages, [])
  log.close()
  assertAllInOrder(file, 100_000)
})

test('bursts of 20,000 per setImmediate: all of them on disk', async () => {
  const file = tempLog()
  const { messages, onWarning } = warningSink()
  const log = createEventLog({ path: file, batch: true, onWarning })
  let i = 0
  for (let burst = 0; burst < 5; burst++) {
    for (let k = 0; k < 20_000; k++, i++) assert.equal(log.log('test.burst', { i }), true)
    await new Promise((resolve) => setImmediate(resolve))
  }
  assert.equal(log.flush(), true)
  assert.equal(log.stats().dropped, 0, messages.join('\n'))
  assert.equal(log.stats().written, 100_000)
  log.close()
  assertAllInOrder(file, 100_000)
})

test('a small queue bound (maxQueue = maxEvents) still loses nothing while the disk works', () => {
  const file = tempLog()
  const log = createEventLog({ path: file, batch: { maxEvents: 10, maxQueue: 10, maxDelayMs: 60_000 } })
  for (let i = 0; i < 5_000; i++) assert.equal(log.log('test.small', { i }), true)
  log.close()
  assert.equal(log.stats().dropped, 0)
  assertAllInOrder(file, 5_000)
})
