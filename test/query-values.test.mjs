// --values FIELD: the distinct values of one field among the matches, with
// counts, most frequent first; 0 and "0" are two values; event_type counts
// another spelling under its registered name.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { logFile, preV1, query, v1 } from './helpers/query.mjs'

const LINES = [
  v1('2026-11-02T10:00:00.000000Z', 'gpu.allocate', { user: 'alice', details: { gpu: 0 } }),
  v1('2026-11-02T10:01:00.000000Z', 'gpu.allocated', { user: 'bob', details: { gpu: 1 } }),
  v1('2026-11-02T10:02:00.000000Z', 'gpu.allocate', { user: 'alice', details: { gpu: 0 } }),
  v1('2026-11-02T10:03:00.000000Z', 'gpu.allocate', { user: 'carol', details: { gpu: '0' } }),
  preV1('2026-11-02T10:04:00', 'gpu.release', { user: 'alice', gpu: 0 }),
  v1('2026-11-02T10:05:00.000000Z', 'health.check', { details: { status: 'ok' } })
]
const file = logFile(LINES)

test('--values gpu --json: values with counts, most first; 0 and "0" apart; events without it counted', () => {
  const r = query(file, ['--values', 'gpu', '--json'])
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(JSON.parse(r.stdout), {
    field: 'gpu',
    events: 6,
    without: 1,
    values: [{ value: 0, count: 3 }, { value: '0', count: 1 }, { value: 1, count: 1 }]
  })
})

test('--values with filters, and as text', () => {
  const r = query(file, ['--values', 'user', '--type', 'gpu.allocate'], { env: { NO_COLOR: '1' } })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout, 'user: 3 distinct values in 4 events\n  alice  2\n  bob    1\n  carol  1\n')
})

test('--values event_type counts gpu.allocated as gpu.allocate', () => {
  const j = JSON.parse(query(file, ['--values', 'event_type', '--json']).stdout)
  assert.deepEqual(j.values, [{ value: 'gpu.allocate', count: 4 }, { value: 'gpu.release', count: 1 }, { value: 'health.check', count: 1 }])
})

test('usage errors: --values with --summary or --follow, or without a name', () => {
  for (const args of [['--values', 'gpu', '--summary'], ['--values', 'gpu', '--follow'], ['--values', '']]) {
    const r = query(file, args)
    assert.equal(r.status, 2, args.join(' '))
    assert.match(r.stderr, /--values/)
  }
})
