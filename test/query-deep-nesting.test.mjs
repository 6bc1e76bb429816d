// A foreign line (over the writers' 4096 bytes) can nest arrays 10,000 deep:
// the human output and --where compare and show it without recursion (no
// "Maximum call stack size exceeded"), the value shown cut.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { logFile, query, v1 } from './helpers/query.mjs'

const DEEP = '['.repeat(10_000) + '1' + ']'.repeat(10_000)
const TS = '2026-01-30T14:30:00.000000Z'
const LINES = [
  `{"timestamp":"${TS}","event_type":"test.deep","schema_version":"1","user":"alice","details":{"deep":${DEEP},"other":1}}`,
  `{"timestamp":"${TS}","event_type":"test.deep","schema_version":"1","user":"alice","details":{"wide":{"a":${DEEP}},"other":2}}`,
  v1(TS, 'test.flat', { user: 'alice', details: { deep: [[1]], other: 3 } })
]
const ns = (r) => r.stdout.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l).details.other)

test('human output of a value nested 10,000 deep: shown cut, never a stack overflow', () => {
  const path = logFile(LINES)
  for (const args of [[], ['--all'], ['--reverse'], ['--type', 'test.deep']]) {
    const r = query(path, args)
    assert.equal(r.status, 0, r.stderr)
    assert.doesNotMatch(r.stderr + r.stdout, /Maximum call stack|internal error/)
    const rows = r.stdout.trim().split('\n')
    assert.equal(rows.length, args.includes('--type') ? 2 : 3)
    const deep = rows.find((row) => row.includes('deep=[[[['))
    assert.ok(deep !== undefined, r.stdout.slice(0, 300))
    assert.ok(deep.length < 20_000, `the row is cut (${deep.length} characters)`)
    assert.match(deep, /\u2026 \[cut: the line has \d+ characters; --json prints it\]/)
  }
})

test('--where on a value nested 10,000 deep: compared without recursion', () => {
  const path = logFile(LINES)
  for (const [where, expected] of [['deep=1', []], ['deep=[[1]]', [3]], ['other=1', [1]], ['wide={"a":1}', []], ['deep=' + '['.repeat(50) + ']'.repeat(50), []]]) {
    const r = query(path, ['--json', '--all', '--where', where])
    assert.equal(r.status, 0, `${where}: ${r.stderr}`)
    assert.doesNotMatch(r.stderr, /Maximum call stack|internal error/)
    assert.deepEqual(ns(r), expected, where)
  }
  assert.deepEqual(ns(query(path, ['--json', '--all', '--where', 'other=2'])), [2])
})
