// The envelope: bytes and key order exactly as the spec's example, a 6-digit
// UTC timestamp, empty user/source omitted, undefined dropped, NaN to null.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createEventLog } from '../dist/index.js'
import { TIMESTAMP, assertV1Line, rawLines, readV1, tempLog, warningSink } from './helpers/v1-lines.mjs'

function logOne (eventType, fields) {
  const path = tempLog()
  const { messages, onWarning } = warningSink()
  const log = createEventLog({ path, onWarning })
  const ok = log.log(eventType, fields)
  log.close()
  return { ok, lines: rawLines(path), messages, path }
}

test('the spec example, byte for byte apart from the timestamp', () => {
  const { ok, lines } = logOne('container.create', {
    user: 'alice', source: 'docker-wrapper', container: 'alice-jupyter', image: 'ds01/pytorch:latest'
  })
  assert.equal(ok, true)
  assert.equal(lines.length, 1)
  const expected = '{"timestamp":"2026-01-30T14:30:00.000000Z","event_type":"container.create","schema_version":"1","user":"alice","source":"docker-wrapper","details":{"container":"alice-jupyter","image":"ds01/pytorch:latest"}}'
  const ts = JSON.parse(lines[0]).timestamp
  assert.equal(lines[0], expected.replace('2026-01-30T14:30:00.000000Z', ts))
})

test('user and source go to the envelope in that order, whatever their place among the fields', () => {
  const { lines } = logOne('gpu.release', { container: 'c1', source: 'allocator', gpu: 1, user: 'bob' })
  assert.equal(lines[0].replace(/"timestamp":"[^"]*"/, '"timestamp":"T"'),
    '{"timestamp":"T","event_type":"gpu.release","schema_version":"1","user":"bob","source":"allocator","details":{"container":"c1","gpu":1}}')
})

test('the timestamp is UTC with exactly six fractional digits and close to now', () => {
  const before = Date.now()
  const { lines } = logOne('test.cli', { result: 'ok' })
  const after = Date.now()
  const ts = JSON.parse(lines[0]).timestamp
  assert.match(ts, TIMESTAMP)
  const ms = Date.parse(ts)
  assert.ok(ms >= before - 5 && ms <= after + 5, `${ts} not within [${before}, ${after}]`)
})

test('timestamps of consecutive events never go backwards and keep six digits', () => {
  const path = tempLog()
  const log = createEventLog({ path })
  for (let i = 0; i < 2000; i++) log.log('test.cli', { i })
  log.close()
  const stamps = readV1(path).map((e) => e.timestamp)
  assert.equal(stamps.length, 2000)
  for (let i = 1; i < stamps.length; i++) assert.ok(stamps[i] >= stamps[i - 1], `${stamps[i]} < ${stamps[i - 1]}`)
})

test('empty, null or undefined user and source are omitted', () => {
  for (const [user, source] of [['', ''], [null, null], [undefined, undefined]]) {
    const { lines } = logOne('test.cli', { user, source, result: 'ok' })
    const event = JSON.parse(lines[0])
    assert.deepEqual(Object.keys(event), ['timestamp', 'event_type', 'schema_version', 'details'])
  }
})

test('details are omitted when there are none', () => {
  for (const fields of [undefined, null, {}, { user: 'alice' }, { gone: undefined }]) {
    const { lines } = logOne('verify.bash', fields)
    assert.ok(!('details' in JSON.parse(lines[0])), lines[0])
  }
})

test('undefined values are dropped and NaN / Infinity become null, as JSON.stringify does', () => {
  const fields = { a: undefined, b: NaN, c: Infinity, d: -Infinity, e: [1, undefined, NaN], f: { g: undefined, h: NaN }, i: -0 }
  const { lines } = logOne('test.values', fields)
  const details = JSON.parse(lines[0]).details
  assert.deepEqual(details, { b: null, c: null, d: null, e: [1, null, null], f: { h: null }, i: 0 })
  assert.ok(lines[0].endsWith(',"details":' + JSON.stringify(fields) + '}'))
})

test('strings are escaped exactly as JSON.stringify does, lone surrogates included', () => {
  const s = 'quote " backslash \\ nl \n tab \t nul \u0000 del \u007f ls \u2028 lone \ud800 pair \ud83d\ude00 é'
  const { lines } = logOne('test.strings', { s, user: s })
  assert.ok(lines[0].includes('"user":' + JSON.stringify(s)))
  assert.ok(lines[0].endsWith('"details":{"s":' + JSON.stringify(s) + '}}'))
  assert.ok(lines[0].includes('lone \\ud800 pair \ud83d\ude00'), 'a lone surrogate is escaped, a pair is written as UTF-8')
  assertV1Line(lines[0])
})

test('toJSON is honoured (a Date becomes its ISO string), nested objects and arrays keep their order', () => {
  const when = new Date(Date.UTC(2026, 0, 30, 14, 30))
  const { lines } = logOne('test.nested', { when, list: [3, 'two', { z: 1, a: [true, null] }] })
  assert.ok(lines[0].endsWith('"details":{"when":"2026-01-30T14:30:00.000Z","list":[3,"two",{"z":1,"a":[true,null]}]}}'))
})

test('a details key named like an envelope key stays in details', () => {
  const { lines } = logOne('test.keys', { timestamp: 'mine', event_type: 'x', schema_version: 2, details: { a: 1 } })
  const event = assertV1Line(lines[0])
  assert.equal(event.event_type, 'test.keys')
  assert.deepEqual(event.details, { timestamp: 'mine', event_type: 'x', schema_version: 2, details: { a: 1 } })
})
