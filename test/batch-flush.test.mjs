// Batched mode: flush() and close() are synchronous (for signal handlers):
// when flush() returns true, everything queued, an in-flight batch included,
// is on disk, in order.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { createEventLog } from '../dist/index.js'
import { rawLines, readV1, tempLog } from './helpers/v1-lines.mjs'

const order = (file) => readV1(file).map((e) => e.details.i)
const range = (n) => Array.from({ length: n }, (_, i) => i)

test('flush() writes the queue before it returns', () => {
  const file = tempLog()
  const log = createEventLog({ path: file, batch: { maxEvents: 1000, maxDelayMs: 60_000 } })
  for (let i = 0; i < 300; i++) log.log('test.flush', { i })
  assert.equal(rawLines(file).length, 0)
  assert.equal(log.flush(), true)
  assert.deepEqual(order(file), range(300))
  assert.equal(log.stats().written, 300)
  assert.equal(log.stats().queued, 0)
  assert.equal(log.flush(), true, 'nothing left: still true')
  log.close()
})

test('flush() with a batch in flight: the batch lands first, then the queue, each line once', () => {
  for (let round = 0; round < 20; round++) {
    const file = tempLog()
    const log = createEventLog({ path: file, batch: { maxEvents: 50, maxDelayMs: 60_000 } })
    for (let i = 0; i < 120; i++) log.log('test.flush', { i }) // 50 in flight, 70 queued
    assert.equal(log.flush(), true)
    assert.deepEqual(order(file), range(120))
    assert.equal(log.stats().queued, 0)
    log.close()
    assert.equal(log.stats().written, 120)
  }
})

test('flush() with only a batch in flight and nothing queued still waits for it', () => {
  const file = tempLog()
  const log = createEventLog({ path: file, batch: { maxEvents: 40, maxDelayMs: 60_000 } })
  for (let i = 0; i < 40; i++) log.log('test.flush', { i })
  assert.equal(log.flush(), true)
  assert.deepEqual(order(file), range(40))
  log.close()
})

test('close() writes the rest, closes, and later log() returns false and counts a drop', async () => {
  const file = tempLog()
  const log = createEventLog({ path: file, batch: true, onWarning: () => {} })
  for (let i = 0; i < 10; i++) log.log('test.flush', { i })
  log.close()
  assert.deepEqual(order(file), range(10))
  assert.equal(log.log('test.flush', { i: 10 }), false)
  assert.equal(log.flush(), true)
  log.close()
  await new Promise((resolve) => setTimeout(resolve, 20))
  assert.deepEqual(order(file), range(10))
  assert.equal(log.stats().dropped, 1)
})

test('flush() returns false while the file cannot be written, and keeps the events', () => {
  const dir = path.dirname(tempLog())
  fs.writeFileSync(path.join(dir, 'f'), '')
  const log = createEventLog({ path: path.join(dir, 'f', 'x.jsonl'), batch: true, onWarning: () => {} })
  log.log('test.flush', { i: 0 })
  assert.equal(log.flush(), false)
  assert.equal(log.stats().queued, 1)
  assert.equal(log.stats().dropped, 0)
  log.close()
  assert.equal(log.stats().dropped, 1, 'what close() cannot write is counted as dropped')
})

test('a sync log: flush() is true and close() closes', () => {
  const file = tempLog()
  const log = createEventLog({ path: file })
  assert.equal(log.log('test.flush', { i: 0 }), true)
  assert.equal(rawLines(file).length, 1, 'written before log() returned')
  assert.equal(log.flush(), true)
  log.close()
  assert.equal(log.log('test.flush', { i: 1 }), false)
})
