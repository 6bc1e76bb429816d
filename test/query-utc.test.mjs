// --utc: times shown in UTC rather than local time, and a WHEN without a zone
// read in UTC too (as shown), whatever TZ says.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { logFile, query, v1 } from './helpers/query.mjs'

const file = logFile([
  v1('2026-01-30T23:30:00.000000Z', 'gpu.allocate', { user: 'alice', details: { gpu: 0 } }),
  v1('2026-01-31T00:30:00.000000Z', 'gpu.release', { user: 'alice', details: { gpu: 0 } })
])
const BERLIN = { TZ: 'Europe/Berlin', NO_COLOR: '1' }

test('the time column: local (Berlin, UTC+1) by default, UTC with --utc', () => {
  assert.match(query(file, [], { env: BERLIN }).stdout, /^2026-01-31 00:30:00 +gpu\.allocate/)
  const utc = query(file, ['--utc'], { env: BERLIN })
  assert.equal(utc.status, 0, utc.stderr)
  assert.match(utc.stdout, /^2026-01-30 23:30:00 +gpu\.allocate/)
  assert.match(query(file, ['--utc', '-o', 'user'], { env: BERLIN }).stdout, /^2026-01-30 23:30:00 {2}alice\n2026-01-31 00:30:00 {2}alice\n$/)
})

test('a zoneless WHEN with --utc is UTC: --since 2026-01-31 is UTC midnight, not Berlin midnight', () => {
  const local = query(file, ['--since', '2026-01-31', '--json'], { env: BERLIN }).stdout.trim().split('\n')
  assert.equal(local.length, 2, 'Berlin midnight is 23:00 UTC: both')
  const utc = query(file, ['--since', '2026-01-31', '--json', '--utc'], { env: BERLIN }).stdout.trim().split('\n')
  assert.equal(utc.length, 1)
  assert.match(utc[0], /gpu\.release/)
})
