// Batched mode: the queue is bounded (maxQueue, the batches in flight included);
// while writes fail, events past it are dropped and counted, and failed batches
// go back in front, in order.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { createEventLog } from '../dist/index.js'
import { readV1, tempLog, waitFor, warningSink } from './helpers/v1-lines.mjs'

test('while writes fail, a full queue drops new events, counts them and warns once', async () => {
  const dir = path.dirname(tempLog())
  const blocker = path.join(dir, 'sub') // a file where the directory should be: ENOTDIR until removed
  fs.writeFileSync(blocker, '')
  const file = path.join(blocker, 'events.jsonl')
  const { messages, onWarning } = warningSink()
  const log = createEventLog({ path: file, onWarning, batch: { maxEvents: 50, maxQueue: 100, maxDelayMs: 60_000 } })
  const results = []
  for (let i = 0; i < 150; i++) results.push(log.log('test.full', { i }))
  assert.deepEqual(results, [...Array(100).fill(true), ...Array(50).fill(false)])
  assert.equal(log.stats().dropped, 50)
  assert.equal(log.stats().queued, 100)
  assert.equal(messages.filter((m) => m.includes('queue') && m.includes('full')).length, 1, messages.join('\n'))
  assert.equal(log.flush(), false, 'the target still fails')
  fs.unlinkSync(blocker)
  await waitFor(() => log.flush(), 10_000, 'a flush that lands')
  assert.deepEqual(readV1(file).map((e) => e.details.i), Array.from({ length: 100 }, (_, i) => i))
  assert.equal(log.stats().written, 100)
  log.close()
})

test('a stalled target: failed batches are retried in order, the queue stays bounded, then it all lands', async () => {
  const dir = path.dirname(tempLog())
  const blocker = path.join(dir, 'sub') // a file where the directory should be: ENOTDIR until removed
  fs.writeFileSync(blocker, '')
  const file = path.join(blocker, 'events.jsonl')
  const { messages, onWarning } = warningSink()
  const log = createEventLog({ path: file, onWarning, batch: { maxEvents: 10, maxQueue: 40, maxDelayMs: 5 } })
  let accepted = 0
  for (let i = 0; i < 200; i++) {
    if (log.log('test.retry', { i })) accepted++
    assert.ok(log.stats().queued <= 40)
    if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 2))
  }
  await waitFor(() => messages.some((m) => m.includes('could not write')), 10_000, 'a write failure')
  assert.ok(messages.some((m) => m.includes('kept queued; retrying')))
  const s = log.stats()
  assert.equal(s.written, 0)
  assert.equal(s.queued + s.dropped, 200, JSON.stringify(s))
  assert.equal(s.queued, 40)
  assert.equal(log.flush(), false, 'flush() cannot put it on disk yet')
  fs.unlinkSync(blocker)
  await waitFor(() => log.stats().queued === 0, 10_000, 'the retries')
  const written = readV1(file).map((e) => e.details.i)
  assert.equal(written.length, 40)
  assert.deepEqual(written, [...written].sort((a, b) => a - b), 'retried in order')
  assert.equal(written[0], 0, 'the oldest kept')
  assert.equal(log.stats().written, 40)
  assert.ok(accepted >= 40)
  log.close()
})
