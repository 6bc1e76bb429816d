// readEvents()/readRecords() check their options at the call: a wrong one is
// one clear warning, there and then, and an empty iteration; never a
// TypeError or RangeError (documented: the reader never throws).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import fc from 'fast-check'
import { logFile, v1 } from './helpers/query.mjs'

const require = createRequire(import.meta.url)
const lib = require('../dist/index.js')
const { QueryFilter } = require('../dist/reader/index.js')

const LINES = [0, 1].map((i) => v1(`2026-01-30T14:3${i}:00.000000Z`, 'gpu.allocate', { user: 'alice', details: { gpu: i } }))

async function collect (iterable) {
  const out = []
  for await (const x of iterable) out.push(x)
  return out
}

const cyclic = { a: 1 }
cyclic.self = cyclic
let deep = 0
for (let i = 0; i < 200; i++) deep = [deep]

const BAD = [
  [{ user: 5 }, /user must be a string or a list of strings, not number/],
  [{ user: ['alice', 7] }, /user\[1\] must be a string, not number/],
  [{ type: { gpu: true } }, /type must be a string or a list of strings, not object/],
  [{ container: null }, /container must be a string or a list of strings, not null/],
  [{ where: { k: 1n } }, /where\.k must be JSON data .* not bigint/],
  [{ where: { k: [1, () => 1] } }, /where\.k\[1\] must be JSON data .* not function/],
  [{ where: { k: Symbol('s') } }, /where\.k must be JSON data .* not symbol/],
  [{ where: { k: NaN } }, /where\.k must be a finite number, not NaN/],
  [{ where: { k: undefined } }, /where\.k must be JSON data .* not undefined/],
  [{ where: { k: cyclic } }, /refers back to itself/],
  [{ where: { k: deep } }, /nests deeper than 100 levels/],
  [{ where: { k: new Date(0) } }, /where\.k must be JSON data .* not a Date/],
  [{ where: 5 }, /where must be KEY=VALUE text, a list of them, or an object/],
  [{ where: [5] }, /where\[0\] must be a string/],
  [{ since: 1769776200 }, /since must be a Date or a WHEN text/],
  [{ until: {} }, /until must be a Date or a WHEN text/],
  [{ since: new Date('x') }, /since is an invalid Date/],
  [{ path: 5 }, /path must be a non-empty string/],
  [{ path: '' }, /path must be a non-empty string/],
  [{ gpu: 'yes' }, /gpu must be a boolean/],
  [{ follow: 1 }, /follow must be a boolean/],
  [{ pollMs: 0 }, /pollMs must be a number of milliseconds from 1/],
  [{ pollMs: 2 ** 40 }, /pollMs must be a number of milliseconds from 1/],
  [{ signal: {} }, /signal must be an AbortSignal/],
  [{ now: 'tomorrow' }, /now must be a valid Date/],
  ['events.jsonl', /options must be an object, not string/]
]

test('each wrong option: one warning at the call (before any iteration), then an empty iteration', async () => {
  const path = logFile(LINES)
  for (const [options, message] of BAD) {
    for (const read of [lib.readEvents, lib.readRecords]) {
      const heard = []
      const withSink = typeof options === 'object' ? { path, ...options, onWarning: (m) => heard.push(m) } : options
      const iterator = read(withSink) // nothing iterated yet
      if (typeof options === 'object') {
        assert.equal(heard.length, 1, `${JSON.stringify(Object.keys(options))}: warned at the call`)
        assert.match(heard[0], /^ds01-events: readEvents: /)
        assert.match(heard[0], message)
      }
      assert.deepEqual(await collect(iterator), [])
    }
  }
})

test('good options still read: lists, where objects, Dates, a shared (not cyclic) value', async () => {
  const path = logFile(LINES)
  const shared = [0]
  const got = await collect(lib.readEvents({ path, user: ['alice'], type: 'gpu', where: { gpu: 1 }, since: new Date(0), until: '9999-12-31', pollMs: 50, onWarning: assert.fail }))
  assert.deepEqual(got.map((e) => e.details.gpu), [1])
  assert.deepEqual(await collect(lib.readEvents({ path, where: { a: { x: shared, y: shared } }, onWarning: assert.fail })), [])
})

const KEYS = ['user', 'type', 'container', 'source', 'where', 'since', 'until', 'path', 'gpu', 'follow', 'pollMs', 'signal', 'now']
const anyValue = fc.oneof(fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true }),
  fc.constantFrom(5, 1n, Symbol('x'), () => 1, new Date('x'), [1], ['a', 2], { k: 1n }, { k: [Symbol('y')] }, cyclic, deep, NaN, -1, 2 ** 40, ''))

test('property: readEvents and QueryFilter.parse never throw, whatever the options', async () => {
  const path = logFile(LINES)
  await fc.assert(fc.asyncProperty(fc.dictionary(fc.constantFrom(...KEYS), anyValue, { maxKeys: 4 }), async (options) => {
    const o = { ...options, onWarning: () => {} }
    if (typeof o.path === 'string' || o.path === undefined) o.path = path // never the machine's own log
    else if (o.path === '') o.path = path
    if (o.follow === true) o.follow = false // a follow would wait for new lines
    const r = QueryFilter.parse(options)
    assert.equal(typeof r.ok, 'boolean')
    if (!r.ok) assert.equal(typeof r.problem, 'string')
    for (const read of [lib.readEvents, lib.readRecords]) {
      const items = await collect(read(o))
      for (const item of items) assert.equal(typeof item, 'object')
    }
  }), { numRuns: 300 })
})
