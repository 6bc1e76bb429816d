// The filter as data and WHEN: each form of WHEN, and the file reader's fast
// paths (the anchor text, the envelope read in place, timestamps compared as
// text) give exactly what parsing every line and asking matches() gives.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { scratch } from './helpers/cli.mjs'
import reader from '../dist/reader/index.js'

const { QueryFilter, parseWhen, parseEventLine, readRecords } = reader

process.env.TZ = 'Europe/Berlin' // local-time forms: UTC+1 in January
const NOW = new Date('2026-01-30T12:34:56.789Z') // 13:34:56 local

test('WHEN: every accepted form', () => {
  const iso = (text) => parseWhen(text, NOW)?.toISOString()
  assert.equal(iso('now'), '2026-01-30T12:34:56.789Z')
  assert.equal(iso('today'), '2026-01-29T23:00:00.000Z', 'local midnight')
  assert.equal(iso('yesterday'), '2026-01-28T23:00:00.000Z')
  assert.equal(iso('tomorrow'), '2026-01-30T23:00:00.000Z')
  assert.equal(iso('1 hour ago'), '2026-01-30T11:34:56.789Z')
  assert.equal(iso('3 days ago'), '2026-01-27T12:34:56.789Z')
  assert.equal(iso('2 weeks ago'), '2026-01-16T12:34:56.789Z')
  assert.equal(iso('30 minutes ago'), '2026-01-30T12:04:56.789Z')
  assert.equal(iso('90s'), '2026-01-30T12:33:26.789Z')
  assert.equal(iso('15m'), '2026-01-30T12:19:56.789Z')
  assert.equal(iso('2h'), '2026-01-30T10:34:56.789Z')
  assert.equal(iso('-2h'), '2026-01-30T10:34:56.789Z')
  assert.equal(iso('7d'), '2026-01-23T12:34:56.789Z')
  assert.equal(iso('1w'), '2026-01-23T12:34:56.789Z')
  assert.equal(iso('2026-01-30'), '2026-01-29T23:00:00.000Z', 'a date is local midnight')
  assert.equal(iso('2026-01-30T12:00:00Z'), '2026-01-30T12:00:00.000Z')
  assert.equal(iso('2026-01-30T12:00:00.250Z'), '2026-01-30T12:00:00.250Z')
  assert.equal(iso('2026-01-30T12:00:00.123456Z'), '2026-01-30T12:00:00.123Z')
  assert.equal(iso('2026-01-30T12:00:00+02:00'), '2026-01-30T10:00:00.000Z')
  assert.equal(iso('2026-01-30T12:00-0530'), '2026-01-30T17:30:00.000Z')
  assert.equal(iso('2026-01-30T12:00:00'), '2026-01-30T11:00:00.000Z', 'no zone: local time')
  assert.equal(iso('2026-01-30 12:00'), '2026-01-30T11:00:00.000Z')
  assert.equal(iso('2026-07-01 12:00'), '2026-07-01T10:00:00.000Z', 'summer time')
  assert.equal(iso('@1769776200'), '2026-01-30T12:30:00.000Z')
  assert.equal(iso('  Today '), '2026-01-29T23:00:00.000Z')
})

test('WHEN: what is not a time is refused (null), not rolled over', () => {
  for (const text of ['', 'soon', '2026-02-30', '2026-13-01', '2026-01-30T25:00', '2026-01-30T12:61', '1 fortnight ago', '3 days', 'h2', '2026/01/30', '12:00']) {
    assert.equal(parseWhen(text, NOW), null, text)
  }
})

test('filter parsing: problems are returned, never thrown', () => {
  for (const options of [{ since: 'whenever' }, { type: 'GPU' }, { where: ['x'] }, { where: '=1' }, { until: new Date('invalid') }]) {
    const r = QueryFilter.parse(options, NOW)
    assert.equal(r.ok, false)
    assert.equal(typeof r.problem, 'string')
  }
  const ok = QueryFilter.parse({ user: 'a', type: ['gpu', '*.reject'], where: { gpu: 0 }, since: '1 hour ago', until: NOW }, NOW)
  assert.equal(ok.ok, true)
  assert.deepEqual(ok.filter.users, ['a'])
  assert.deepEqual(ok.filter.where, [{ key: 'gpu', value: 0, text: '0', op: '=' }])
  assert.equal(ok.filter.since.toISOString(), '2026-01-30T11:34:56.789Z')
})

// ---- the fast paths against the reference: parse every line, ask matches() ----

const USERS = ['alice', 'bob', 'b"ob', 'élise', 'back\\slash', 'tab\there', '']
const TYPES = ['gpu.allocate', 'gpu.reject', 'container.create', 'container.stop', 'health.check']
const CONTAINERS = ['c1', 'c2', 'x"y']
const T0 = Date.UTC(2026, 0, 1)

// Each arbitrary gives a line for a time t (minutes): lines are written in time order,
// with the small disorder of concurrent writers (a few minutes, within the reader's slack).
const v1Line = fc.record({
  type: fc.constantFrom(...TYPES),
  user: fc.option(fc.constantFrom(...USERS), { nil: undefined }),
  source: fc.option(fc.constantFrom('wrapper', 'allocator', 'x"s'), { nil: undefined }),
  details: fc.option(fc.record({ container: fc.constantFrom(...CONTAINERS), gpu: fc.constantFrom(0, 1, '0', '0:1') }, { requiredKeys: [] }), { nil: undefined })
}).map(({ type, user, source, details }) => (t) => {
  // microseconds 000 or 500: a bound at a whole millisecond falls between them
  const e = { timestamp: new Date(T0 + t * 60_000).toISOString().replace('Z', t % 2 === 0 ? '000Z' : '500Z'), event_type: type, schema_version: '1' }
  if (user !== undefined) e.user = user
  if (source !== undefined) e.source = source
  if (details !== undefined) e.details = details
  return JSON.stringify(e)
})
const preV1Line = fc.record({ type: fc.constantFrom(...TYPES), user: fc.constantFrom(...USERS), container: fc.constantFrom(...CONTAINERS) })
  .map(({ type, user, container }) => (t) => JSON.stringify({ ts: new Date(T0 + t * 60_000).toISOString().slice(0, 19), event: type, user, container }).replace(/,"/g, ', "'))
// the same events, escaped differently (\u0061 for a): the anchor text is not in these lines
const escapedLine = fc.record({ type: fc.constantFrom(...TYPES), container: fc.constantFrom('c1', 'c2') }).map(({ type, container }) => (t) => {
  const ts = new Date(T0 + t * 60_000).toISOString().replace('Z', '000Z')
  return `{"timestamp":"${ts}","event_type":"${type}","schema_version":"1","user":"\\u0061lice","source":"wr\\u0061pper","details":{"container":"\\u0063${container.slice(1)}","gpu":0}}`
})
const damaged = fc.constantFrom('garbage', '{"timestamp":"2026-01-01T00:00:00.000000Z","event_type":"gpu.allocate","schema_version":"1","user":"alice"', '{"ts": NaN, "event": "gpu.allocate"}', '[]').map((text) => () => text)
const anyLine = fc.oneof({ arbitrary: v1Line, weight: 6 }, { arbitrary: preV1Line, weight: 2 }, { arbitrary: escapedLine, weight: 2 }, { arbitrary: damaged, weight: 1 })

const filterOptions = fc.record({
  user: fc.option(fc.constantFrom(...USERS.filter(Boolean)), { nil: undefined }),
  type: fc.option(fc.constantFrom('gpu', 'container.*', '*.reject', 'health.check', 'g'), { nil: undefined }),
  container: fc.option(fc.constantFrom(...CONTAINERS), { nil: undefined }),
  source: fc.option(fc.constantFrom('wrapper', 'x"s'), { nil: undefined }),
  where: fc.option(fc.constantFrom(['gpu=0'], ['gpu=0:1'], ['container=c2']), { nil: undefined }),
  since: fc.option(fc.integer({ min: 0, max: 200 }).map((t) => new Date(T0 + t * 60_000)), { nil: undefined }),
  until: fc.option(fc.integer({ min: 0, max: 200 }).map((t) => new Date(T0 + t * 60_000)), { nil: undefined })
}, { requiredKeys: [] })

test('property: the file reader selects exactly what parsing each line and matches() selects', async () => {
  const dir = scratch('ds01-query-prop-')
  let run = 0
  await fc.assert(fc.asyncProperty(fc.array(anyLine, { maxLength: 60 }), filterOptions, async (makers, options) => {
    const lines = makers.map((make, i) => make(i * 3 + (i % 4) * -1))
    const path = join(dir, `events-${run++}.jsonl`)
    writeFileSync(path, lines.map((l) => l + '\n').join(''))
    const { filter } = QueryFilter.parse(options, NOW)
    const expected = lines.filter((l) => {
      const e = parseEventLine(l)
      return e !== null && filter.matches(e)
    })
    const got = []
    for await (const record of readRecords({ path, ...options, now: NOW, onWarning: () => {} })) got.push(record.line)
    assert.deepEqual(got, expected)
  }), { numRuns: 300 })
})
