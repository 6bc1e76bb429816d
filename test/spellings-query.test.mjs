// query over a log with both spellings of one event: --type NAME matches every
// spelling of it (whichever is given, prefix or glob, in-place fast path or
// parsed line), --not-type excludes every spelling, and --summary counts them
// under the registered name.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { logFile, preV1, query, queryLines, v1 } from './helpers/query.mjs'

const LINES = [
  v1('2026-11-02T10:00:00.000000Z', 'gpu.allocate', { user: 'alice', source: 'allocator', details: { gpu: 0 } }),
  v1('2026-11-02T10:01:00.000000Z', 'gpu.allocated', { user: 'bob', source: 'old-allocator', details: { gpu: 1 } }),
  v1('2026-11-02T10:02:00.000000Z', 'gpu.reject', { user: 'carol', source: 'allocator' }),
  v1('2026-11-02T10:03:00.000000Z', 'gpu.rejected', { user: 'dave', source: 'old-allocator' }),
  v1('2026-11-02T10:04:00.000000Z', 'auth.access_denied', { user: 'erin', details: { resource: 'gpu' } }),
  v1('2026-11-02T10:05:00.000000Z', 'auth.denied', { user: 'frank', details: { resource: 'gpu' } }),
  // an escaped line is parsed, not read in place: the same answer
  v1('2026-11-02T10:06:00.000000Z', 'auth.denied', { user: 'gr\u00e9g "q"', details: { resource: 'gpu' } }),
  preV1('2026-11-02T10:07:00', 'gpu.released', { user: 'alice', gpu: 0 }),
  v1('2026-11-02T10:08:00.000000Z', 'gpu.release', { user: 'bob', details: { gpu: 1 } }),
  v1('2026-11-02T10:09:00.000000Z', 'gpu.allocate_batch', { user: 'zed', details: { gpu: 1 } })
]
const file = logFile(LINES)
const idx = (args) => queryLines(file, args).map((l) => LINES.indexOf(l))

test('--type NAME matches its aliases, and --type ALIAS matches the name', () => {
  assert.deepEqual(idx(['--type', 'auth.access_denied']), [4, 5, 6])
  assert.deepEqual(idx(['--type', 'auth.denied']), [4, 5, 6])
  assert.deepEqual(idx(['--type', 'gpu.allocated']), [0, 1])
  assert.deepEqual(idx(['--type', 'gpu.rejected']), [2, 3])
  assert.deepEqual(idx(['--type', 'gpu.released']), [7, 8])
  assert.deepEqual(idx(['--type', 'gpu.release']), [7, 8])
})

test('globs and prefixes match through either spelling, with --user (the anchored fast path) too', () => {
  assert.deepEqual(idx(['--type', '*.reject']), [2, 3])
  assert.deepEqual(idx(['--type', 'auth.access*']), [4, 5, 6])
  assert.deepEqual(idx(['--type', 'auth.denied', '--user', 'frank']), [5])
  assert.deepEqual(idx(['--type', 'auth.access_denied', '--user', 'gr\u00e9g "q"']), [6])
  assert.deepEqual(idx(['--type', 'gpu.allocated', '--where', 'gpu=1']), [1])
})

test('--not-type and --type !T exclude every spelling', () => {
  assert.deepEqual(idx(['--not-type', 'auth.access_denied']), [0, 1, 2, 3, 7, 8, 9])
  assert.deepEqual(idx(['--type', '!gpu', '--type', '!auth.denied']), [])
  // !gpu.allocated excludes gpu.allocate (its other spelling), not gpu.allocate_batch (a type of its own)
  assert.deepEqual(idx(['--type', 'gpu', '--type', '!gpu.allocated']), [2, 3, 7, 8, 9])
  assert.deepEqual(idx(['--type', 'gpu', '--not-type', 'gpu.reject*', '--not-type', 'gpu.release']), [0, 1, 9])
})

test('--summary counts an alias under the registered name', () => {
  const r = query(file, ['--summary', '--json'])
  assert.equal(r.status, 0, r.stderr)
  const s = JSON.parse(r.stdout)
  assert.equal(s.total, 10)
  assert.deepEqual(s.by_type, { 'auth.access_denied': 3, 'gpu.allocate': 2, 'gpu.reject': 2, 'gpu.release': 2, 'gpu.allocate_batch': 1 })
  const text = query(file, ['--summary']).stdout
  assert.match(text, /^ {2}auth\.access_denied +3$/m)
  assert.doesNotMatch(text, /auth\.denied|gpu\.allocated/)
})
