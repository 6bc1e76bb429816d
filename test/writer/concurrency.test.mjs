// Point 2: many processes appending to one file leave every line whole and the count exact.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { KIND, EXPECT_NATIVE, scratch, lines, runChildAsync } from './helpers.mjs'

const PROCESSES = 8
const LINES_EACH = process.env.DS01_STRESS === '1' ? 100_000 : 20_000

test(`${KIND}: ${PROCESSES} processes x ${LINES_EACH} lines: every line whole, none lost`, async () => {
  const path = join(scratch(), 'events.jsonl')
  const reports = await Promise.all(Array.from({ length: PROCESSES }, (_, id) =>
    runChildAsync({ path, burst: { id, count: LINES_EACH } })))
  for (const report of reports) {
    assert.equal(report.native, EXPECT_NATIVE)
    assert.equal(report.failures, 0)
    assert.equal(report.written, LINES_EACH)
  }
  const next = new Array(PROCESSES).fill(0)
  let count = 0
  for (const line of lines(path)) {
    const event = JSON.parse(line) // throws on a torn or interleaved line
    assert.equal(event.n, next[event.p], `process ${event.p}: lines in order, none missing`)
    next[event.p]++
    count++
  }
  assert.equal(count, PROCESSES * LINES_EACH)
})
