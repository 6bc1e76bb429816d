// -o/--output-fields: only the named fields, after the time (columns), or as
// one JSON object per event with --json; envelope fields, details.KEY and
// detail keys; a missing field is `-` (or left out of the JSON).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { logFile, preV1, query, v1 } from './helpers/query.mjs'

const LINES = [
  v1('2026-11-02T10:00:00.000000Z', 'gpu.allocate', { user: 'alice', source: 'allocator', details: { gpu: 0, container: 'alice-x' } }),
  v1('2026-11-02T10:01:00.000000Z', 'gpu.allocated', { user: 'bob', details: { gpu: '0:1', container: 'has space' } }),
  preV1('2026-11-02T10:02:00', 'container.stop', { user: 'carol', container: 'c\u001b[31m' }),
  v1('2026-11-02T10:03:00.000000Z', 'health.check', { source: 'health', details: { status: 'ok', user: 'not-the-envelope' } })
]
const file = logFile(LINES)
const TZ = { TZ: 'UTC', NO_COLOR: '1' }

test('-o user,gpu,container: the time, then those columns, aligned; a missing one is -', () => {
  const r = query(file, ['-o', 'user,gpu,container'], { env: TZ })
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(r.stdout.split('\n'), [
    '2026-11-02 10:00:00  alice  0    alice-x',
    '2026-11-02 10:01:00  bob    0:1  "has space"',
    '2026-11-02 10:02:00  carol  -    "c\\u001b[31m"',
    '2026-11-02 10:03:00  -      -    -',
    ''
  ])
})

test('--output-fields repeated adds fields; event_type as written; details.user is the detail, user the envelope', () => {
  const r = query(file, ['--output-fields', 'event_type', '--output-fields', 'user,details.user', '--type', 'health'], { env: TZ })
  assert.equal(r.stdout, '2026-11-02 10:03:00  health.check  -  not-the-envelope\n')
  const alias = query(file, ['-o', 'event_type', '--type', 'gpu.allocate'], { env: TZ })
  assert.match(alias.stdout, /gpu\.allocated\n$/)
})

test('-o with --json: one object per event with the named fields in order, missing ones left out', () => {
  const r = query(file, ['-o', 'timestamp,user,gpu', '--json', '--all'])
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(r.stdout.trim().split('\n').map((l) => JSON.parse(l)), [
    { timestamp: '2026-11-02T10:00:00.000000Z', user: 'alice', gpu: 0 },
    { timestamp: '2026-11-02T10:01:00.000000Z', user: 'bob', gpu: '0:1' },
    { timestamp: '2026-11-02T10:02:00', user: 'carol' },
    { timestamp: '2026-11-02T10:03:00.000000Z' }
  ])
  assert.ok(!r.stdout.includes('\u001b'), 'no raw escape character')
})

test('-o keeps the --limit window and --reverse', () => {
  const r = query(file, ['-o', 'user', '--limit', '2', '--reverse'], { env: TZ })
  assert.deepEqual(r.stdout.trim().split('\n').map((l) => l.split('  ')[1]), ['-', 'carol'])
})

test('usage errors: an empty field list, -o with --summary or --values', () => {
  for (const args of [['-o', ''], ['-o', 'user,,gpu'], ['-o', 'user', '--summary'], ['-o', 'user', '--values', 'gpu']]) {
    const r = query(file, args)
    assert.equal(r.status, 2, args.join(' '))
    assert.match(r.stderr, /output-fields/)
  }
})
