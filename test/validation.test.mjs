// Validation: the envelope strictly (refused), a known type's details
// leniently by default (logged, one warning per type and field) and strictly
// with strict: true (refused and counted).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createEventLog } from '../dist/index.js'
import { readV1, tempLog, warningSink } from './helpers/v1-lines.mjs'

function open (options = {}) {
  const path = tempLog()
  const sink = warningSink()
  const log = createEventLog({ path, onWarning: sink.onWarning, ...options })
  return { log, path, warnings: sink.messages }
}

test('lenient: a mismatching known type is logged, with one warning per (type, field)', () => {
  const { log, path, warnings } = open()
  for (let i = 0; i < 5; i++) assert.equal(log.log('gpu.allocate', { container: 'c', priority: 'high', gpu: true }), true)
  assert.equal(log.log('gpu.release', { gpu: true }), true)
  log.close()
  const events = readV1(path)
  assert.equal(events.length, 6)
  assert.deepEqual(events[0].details, { container: 'c', priority: 'high', gpu: true })
  const mismatches = warnings.filter((w) => w.includes('should be'))
  assert.equal(mismatches.length, 3, mismatches.join('\n'))
  assert.ok(mismatches.some((w) => w.includes('details.priority of gpu.allocate should be number, not string')))
  assert.ok(mismatches.some((w) => w.includes('details.gpu of gpu.allocate should be string or number, not boolean')))
  assert.ok(mismatches.some((w) => w.includes('details.gpu of gpu.release')))
  assert.deepEqual({ ...log.stats(), lockTimeouts: 0, reopens: 0 }, { written: 6, refused: 0, truncated: 0, dropped: 0, lockTimeouts: 0, reopens: 0, queued: 0 })
})

test('strict: a mismatching known type is refused and counted; matching ones and unknown types pass', () => {
  const { log, path, warnings } = open({ strict: true })
  assert.equal(log.log('gpu.allocate', { container: 'c', priority: 'high' }), false)
  assert.equal(log.log('gpu.allocate', { container: 'c', priority: 50, gpu: '0:1', extra: [1] }), true)
  assert.equal(log.log('gpu.utilization', { gpu_index: 0, power_w: null, temperature_c: NaN }), false, 'NaN is not a number reading')
  assert.equal(log.log('gpu.utilization', { gpu_index: 0, power_w: null }), true, 'null: reading unavailable')
  assert.equal(log.log('my_tool.anything', { whatever: { nested: true } }), true)
  log.close()
  assert.equal(readV1(path).length, 3)
  assert.equal(log.stats().refused, 2)
  assert.ok(warnings.some((w) => /refused: details\.priority of gpu\.allocate should be number, not string \(strict mode\)/.test(w)))
})

test('the envelope is checked strictly in both modes', () => {
  for (const strict of [false, true]) {
    const { log, path, warnings } = open({ strict })
    const bad = [
      [undefined, {}], [null, {}], [42, {}], [{}, {}], ['', {}], ['container', {}], ['Container.create', {}],
      ['container..create', {}], ['container.create.', {}], ['.create', {}], ['1abc.def', {}], ['a.1b', {}],
      ['a-b.c', {}], ['a.b c', {}], ['a.' + 'b'.repeat(127), {}],
      ['test.cli', { user: 42 }], ['test.cli', { source: { name: 'x' } }], ['test.cli', { user: ['a'] }],
      ['test.cli', 'result=ok'], ['test.cli', ['ok']], ['test.cli', 7]
    ]
    for (const [type, fields] of bad) assert.equal(log.log(type, fields), false, `${String(type)} ${JSON.stringify(fields)}`)
    assert.equal(log.log('a.' + 'b'.repeat(126), {}), true, '128 characters is allowed')
    assert.equal(log.log('a_1.b_2.c3', {}), true)
    log.close()
    assert.equal(readV1(path).length, 2)
    assert.equal(log.stats().refused, bad.length)
    // One warning per kind of refusal (rate-limited), each saying what is wrong.
    assert.ok(warnings.some((w) => w.includes('event_type must be a string')), warnings.join('\n'))
    assert.ok(warnings.some((w) => w.includes('user must be a string')), warnings.join('\n'))
  }
})

test('an empty detail key is skipped with a warning, the rest is logged', () => {
  const { log, path, warnings } = open()
  assert.equal(log.log('test.keys', { '': 'dropped', kept: 1 }), true)
  log.close()
  assert.deepEqual(readV1(path)[0].details, { kept: 1 })
  assert.ok(warnings.some((w) => w.includes('empty key')))
})

test('function, symbol and BigInt values are refused, at the top level and nested', () => {
  const { log, path, warnings } = open()
  const bad = [
    { f: () => 1 }, { s: Symbol('x') }, { b: 10n }, { a: [1, () => 2] }, { o: { deep: { s: Symbol.iterator } } },
    { o: { b: 1n } }, { user: 'u', a: [undefined, 2n] }
  ]
  for (const fields of bad) assert.equal(log.log('test.values', fields), false)
  log.close()
  assert.equal(readV1(path).length, 0)
  assert.equal(log.stats().refused, bad.length)
  assert.ok(warnings.some((w) => w.includes('details.f is a function')))
  assert.ok(warnings.some((w) => w.includes('details.s is a symbol')))
  assert.ok(warnings.some((w) => w.includes('details.b is a bigint')))
})

test('a nested refusal names the detail that holds it', () => {
  const { log, warnings } = open()
  assert.equal(log.log('test.values', { outer: { inner: [1, 2n] } }), false)
  log.close()
  assert.ok(warnings.some((w) => w.includes('details.outer holds a nested bigint value')), warnings.join('\n'))
})
