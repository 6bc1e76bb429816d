// logEvent's promise, property-tested over >= 10,000 generated inputs:
// log() never throws and returns a boolean, whatever it is given (non-string
// types, throwing Proxies, getters and toJSON, cycles, BigInt, symbols, huge
// strings), and every line that lands parses with JSON.parse and keeps the spec.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { createEventLog } from '../dist/index.js'
import { readV1, tempLog } from './helpers/v1-lines.mjs'

const runs = process.env.DS01_STRESS === '1' ? 100_000 : 10_000

function boom () {
  throw new Error('boom')
}
const throwingHandler = { get: boom, ownKeys: boom, has: boom, getPrototypeOf: boom, getOwnPropertyDescriptor: boom }

// Each a factory, so every run gets a fresh hostile value.
const hostileFactories = [
  () => new Proxy({}, throwingHandler),
  () => new Proxy([], throwingHandler),
  () => new Proxy(() => 1, throwingHandler),
  () => { const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy },
  () => { const o = { a: 1 }; o.self = o; return o },
  () => { const a = [1]; a.push({ back: a }); return a },
  () => ({ get x () { throw new Error('getter') } }),
  () => Object.defineProperty({}, 'x', { enumerable: true, get: boom }),
  () => ({ toJSON: boom }),
  () => ({ toJSON () { return () => 1 } }),
  () => ({ toJSON () { return 10n } }),
  () => ({ toJSON () { return undefined } }),
  () => ({ toJSON () { return { nested: Symbol('s') } } }),
  () => { const e = new Error('x'); Object.defineProperty(e, 'message', { get: boom }); return { e } },
  () => 123n,
  () => Symbol('sym'),
  () => boom,
  () => 'x'.repeat(100_000),
  () => '\ud83d\ude00é"\\\n'.repeat(3000),
  () => '\ud800'.repeat(2000),
  () => { let o = {}; for (let i = 0; i < 20_000; i++) o = { o }; return o },
  () => new Array(5000).fill('abcdefgh'),
  () => Object.create(null),
  () => Object.assign(Object.create({ inherited: 1 }), { own: 2 }),
  () => new Map([[1, 2]]),
  () => new Uint8Array([1, 2, 3]),
  () => new Date(NaN),
  () => ({ [Symbol('k')]: 1, ok: 1 }),
  () => ({ '': 1, __proto__: { polluted: true }, ok: 1 }),
  () => JSON.parse('{"__proto__": {"x": 1}, "a": 2}')
]
// fast-check looks at generated values itself, so a hostile value is generated
// as a recipe (its factory's index) and made inside the property.
const HOSTILE = Symbol('hostile')
const hostile = fc.integer({ min: 0, max: hostileFactories.length - 1 }).map((i) => ({ [HOSTILE]: i }))

function make (recipe) {
  if (recipe !== null && typeof recipe === 'object' && HOSTILE in recipe) return hostileFactories[recipe[HOSTILE]]()
  return recipe
}

/** fields: a recipe, or a plain object whose values may be recipes. */
function makeFields (recipe) {
  if (recipe === null || typeof recipe !== 'object' || HOSTILE in recipe || !recipe[FIELDS]) return make(recipe)
  const out = {}
  for (const [k, v] of recipe.entries) Object.defineProperty(out, k, { value: make(v), enumerable: true, writable: true, configurable: true })
  return out
}
const FIELDS = Symbol('fields')

const anything = fc.anything({
  withBigInt: true, withBoxedValues: true, withDate: true, withMap: true, withSet: true, withNullPrototype: true,
  withObjectString: true, withSparseArray: true, withTypedArray: true, withUnicodeString: true, maxDepth: 3
})
const validType = fc.stringMatching(/^[a-z][a-z0-9_]{0,10}(\.[a-z][a-z0-9_]{0,10}){1,3}$/)
const eventType = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('gpu.utilization', 'container.create', 'gpu.allocate', 'admin.config_change', 'verify.bash') },
  { weight: 3, arbitrary: validType },
  { weight: 1, arbitrary: fc.string() },
  { weight: 1, arbitrary: anything },
  { weight: 1, arbitrary: hostile }
)
const value = fc.oneof({ weight: 4, arbitrary: anything }, { weight: 1, arbitrary: hostile })
const key = fc.oneof(fc.constantFrom('user', 'source', '', 'gpu', 'container', 'priority', 'power_w', 'truncated', '__proto__', 'toJSON'), fc.string())
const fields = fc.oneof(
  { weight: 6, arbitrary: fc.array(fc.tuple(key, value), { maxLength: 8 }).map((entries) => ({ [FIELDS]: true, entries })) },
  { weight: 1, arbitrary: anything },
  { weight: 1, arbitrary: hostile },
  { weight: 1, arbitrary: fc.constant(undefined) }
)

for (const strict of [false, true]) {
  test(`log() never throws, returns a boolean, and writes only spec lines (strict: ${strict}, ${runs} runs)`, () => {
    const path = tempLog()
    let warnings = 0
    const log = createEventLog({ path, strict, onWarning: () => { warnings++ } })
    let accepted = 0
    let calls = 0
    fc.assert(fc.property(eventType, fields, (typeRecipe, fieldsRecipe) => {
      calls++
      const result = log.log(make(typeRecipe), makeFields(fieldsRecipe))
      assert.equal(typeof result, 'boolean')
      if (result) accepted++
    }), { numRuns: runs })
    log.close()
    const events = readV1(path)
    assert.equal(events.length, accepted, 'every true is one line on disk, and nothing else is')
    assert.ok(calls >= runs)
    const s = log.stats()
    assert.equal(s.written, accepted)
    assert.equal(s.written + s.refused + s.dropped, calls)
    // The generators reach both outcomes and the shrinker.
    assert.ok(accepted > runs / 10 && s.refused > runs / 10, `accepted ${accepted}, refused ${s.refused}`)
    assert.ok(s.truncated > 0, 'no event was shrunk')
    assert.ok(warnings > 0)
  })
}

test('logEvent never throws either, batched log too, and a throwing onWarning changes nothing', () => {
  const path = tempLog()
  const log = createEventLog({ path, batch: { maxEvents: 7 }, onWarning: boom })
  let accepted = 0
  fc.assert(fc.property(eventType, fields, (typeRecipe, fieldsRecipe) => {
    const result = log.log(make(typeRecipe), makeFields(fieldsRecipe))
    assert.equal(typeof result, 'boolean')
    if (result) accepted++
  }), { numRuns: Math.round(runs / 5) })
  assert.equal(log.flush(), true)
  log.close()
  assert.equal(readV1(path).length, accepted)
})
