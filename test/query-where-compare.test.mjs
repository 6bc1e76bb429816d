// --where KEY!=VALUE and the number comparisons <, <=, >, >=: numbers and
// texts holding a plain number compare, anything else (and a missing key)
// never matches; comparisons on one key all hold (a range). A comparison
// against something that is not a number is a usage error.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { logFile, preV1, query, queryLines, v1 } from './helpers/query.mjs'

const LINES = [
  v1('2026-11-02T10:00:00.000000Z', 'gpu.utilization', { details: { gpu_index: 0, gpu_util_percent: 97.5 } }),
  v1('2026-11-02T10:00:01.000000Z', 'gpu.utilization', { details: { gpu_index: 1, gpu_util_percent: 3 } }),
  v1('2026-11-02T10:00:02.000000Z', 'gpu.utilization', { details: { gpu_index: 2, gpu_util_percent: null } }),
  v1('2026-11-02T10:00:03.000000Z', 'gpu.utilization', { details: { gpu_index: 3, gpu_util_percent: '40' } }),
  v1('2026-11-02T10:00:04.000000Z', 'gpu.utilization', { details: { gpu_index: 4, gpu_util_percent: '40%' } }),
  preV1('2026-11-02T10:00:05', 'gpu.utilization', { gpu_index: 5, gpu_util_percent: 10 }),
  v1('2026-11-02T10:00:06.000000Z', 'health.check', { details: { status: 'ok' } }),
  v1('2026-11-02T10:00:07.000000Z', 'gpu.utilization', { details: { gpu_index: 6, gpu_util_percent: -1e1 } })
]
const file = logFile(LINES)
const idx = (args) => queryLines(file, args).map((l) => LINES.indexOf(l))

test('<, <=, >, >= on numbers and number texts; null, "40%" and a missing key never match', () => {
  assert.deepEqual(idx(['--where', 'gpu_util_percent>90']), [0])
  assert.deepEqual(idx(['--where', 'gpu_util_percent>=40']), [0, 3])
  assert.deepEqual(idx(['--where', 'gpu_util_percent<10']), [1, 7])
  assert.deepEqual(idx(['--where', 'gpu_util_percent<=10']), [1, 5, 7])
  assert.deepEqual(idx(['--where', 'gpu_util_percent<-5']), [7])
  assert.deepEqual(idx(['--where', 'gpu_util_percent>=1e1', '--where', 'gpu_util_percent<=4.0e1']), [3, 5], 'a range; exponents read')
})

test('!=: another value, never a missing key; two of them: neither', () => {
  assert.deepEqual(idx(['--where', 'gpu_index!=0', '--where', 'gpu_index!=1', '--where', 'gpu_index!=6']), [2, 3, 4, 5])
  assert.deepEqual(idx(['--where', 'status!=ok']), [])
  assert.deepEqual(idx(['--where', 'gpu_util_percent!=null']), [0, 1, 3, 4, 5, 7])
})

test('= alternatives and a comparison on one key: (any of) and (all)', () => {
  assert.deepEqual(idx(['--where', 'gpu_index=0', '--where', 'gpu_index=1', '--where', 'gpu_util_percent>50']), [0])
  assert.deepEqual(idx(['--where', 'gpu_index=0', '--where', 'gpu_index=3', '--where', 'gpu_index<3']), [0])
})

test('a comparison with something that is not a number is a usage error naming the form', () => {
  for (const bad of ['gpu_util_percent>high', 'x<', 'x>=1,5', '<3', '!=x']) {
    const r = query(file, ['--where', bad])
    assert.equal(r.status, 2, bad)
    assert.match(r.stderr, /--where/, bad)
  }
  assert.match(query(file, ['--where', 'gpu_util_percent>high']).stderr, /> compares numbers: expected gpu_util_percent>NUMBER/)
})
