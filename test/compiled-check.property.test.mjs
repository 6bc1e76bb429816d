// The compiled check (plain code, what log() runs) and zod's safeParse (the
// source of truth) give the same verdict on generated details, for every
// registered type. A strict builder refuses exactly what zod rejects.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import envelope from '../dist/event/envelope.js'
import warnings from '../dist/common/warnings.js'
import { EVENT_TYPES } from '../dist/index.js'

const runsPerType = process.env.DS01_STRESS === '1' ? 2000 : 300

// Every kind of value a detail can hold once JSON-serialisable, plus the edge
// cases where zod and typeof part ways: NaN, Infinity, -0, undefined, null.
const leaf = fc.oneof(
  fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined),
  fc.constantFrom(NaN, Infinity, -Infinity, -0, '', '0', 'true', 'null')
)
const value = fc.oneof(
  { weight: 4, arbitrary: leaf },
  { weight: 1, arbitrary: fc.array(leaf, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), leaf, { maxKeys: 3 }) }
)
const extraKey = fc.string({ minLength: 1, maxLength: 8 }).filter((k) => k !== 'user' && k !== 'source' && k !== '__proto__')

const ofKind = {
  string: fc.string(),
  number: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
  boolean: fc.boolean(),
  null: fc.constant(null),
  array: fc.array(leaf, { maxLength: 4 }),
  any: value
}

/** Mostly a value of a kind the field accepts, sometimes anything. */
function fieldValue (kinds) {
  return fc.oneof({ weight: 6, arbitrary: fc.oneof(...kinds.map((k) => ofKind[k])) }, { weight: 1, arbitrary: value })
}

function detailsFor (type) {
  const fields = EVENT_TYPES[type].fields
  const names = Object.keys(fields)
  const own = names.length === 0 ? fc.constant({}) : fc.record(Object.fromEntries(names.map((f) => [f, fieldValue(fields[f])])), { requiredKeys: [] })
  return fc.tuple(own, fc.dictionary(extraKey, value, { maxKeys: 2 })).map(([a, b]) => ({ ...b, ...a }))
}

for (const type of Object.keys(EVENT_TYPES)) {
  test(`${type}: compiled check and zod agree`, () => {
    const builder = new envelope.EnvelopeBuilder(true, new warnings.RateLimitedWarner(() => {}))
    const schema = EVENT_TYPES[type].schema
    let accepted = 0
    let rejected = 0
    fc.assert(fc.property(detailsFor(type), (details) => {
      const zodSays = schema.safeParse(details).success
      const compiledSays = builder.build(type, details) !== null
      if (zodSays) accepted++
      else rejected++
      assert.equal(compiledSays, zodSays, `details ${fc.stringify(details)}: zod ${zodSays}, compiled ${compiledSays}`)
    }), { numRuns: runsPerType })
    // The generator must exercise both verdicts where the type has fields at all.
    assert.ok(accepted > 0, 'no accepted case generated')
    if (Object.keys(EVENT_TYPES[type].fields).some((f) => !EVENT_TYPES[type].fields[f].includes('any'))) assert.ok(rejected > 0, 'no rejected case generated')
  })
}
