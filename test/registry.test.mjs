// The registry holds every type of the contract's table (docs/format.md), each
// field with its types; the compiled descriptor in dist/ is what the zod schemas give.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { EVENT_TYPES } from '../dist/index.js'
import compile from '../dist/event/compile-schema.js'
import schemas from '../dist/event/schemas.js'

const root = new URL('..', import.meta.url).pathname
const contractPath = path.join(root, 'docs', 'format.md')
// The team's source of the format, beside the repository where it is checked out that way.
const upstreamPath = path.join(root, '..', 'shared', 'spec', 'events-v1.md')

/** type -> { field: kinds } from the markdown table of event types in a format document. */
function specTable (file) {
  const text = fs.readFileSync(file, 'utf8')
  const start = text.indexOf('## Event types')
  const end = Math.min(...['\n## ', '\n### '].map((h) => text.indexOf(h, start + 1)).filter((i) => i > 0))
  const section = text.slice(start, end)
  const types = {}
  for (const row of section.split('\n')) {
    const m = row.match(/^\| ([a-z_.]+(?:, [a-z_.]+)*) \| (.*) \|$/)
    if (m === null || m[1] === 'type') continue
    const fields = {}
    for (const [, name, kinds] of m[2].matchAll(/(\w+) \(([^)]*)\)/g)) {
      fields[name] = kinds.split(/, | or /).map((k) => k === 'any' ? 'any' : k).sort()
    }
    if (m[1].startsWith('gpu.utilization')) {
      for (const name of Object.keys(fields)) if (!['gpu_index', 'gpu_uuid', 'name'].includes(name)) fields[name] = [...fields[name], 'null'].sort()
    }
    for (const type of m[1].split(', ')) types[type] = fields
  }
  return types
}

test('every type of the table in docs/format.md is registered, with the same fields and types, and nothing else', () => {
  const spec = specTable(contractPath)
  assert.ok(Object.keys(spec).length >= 37, `parsed only ${Object.keys(spec).length} types from the spec`)
  assert.deepEqual(Object.keys(EVENT_TYPES).sort(), Object.keys(spec).sort())
  for (const [type, fields] of Object.entries(spec)) {
    const registered = Object.fromEntries(Object.entries(EVENT_TYPES[type].fields).map(([k, v]) => [k, [...v].sort()]))
    assert.deepEqual(registered, fields, type)
  }
})

test('docs/format.md lists the same types and fields as the team\'s spec it follows', { skip: fs.existsSync(upstreamPath) ? false : `only where ${upstreamPath} is checked out beside the repository` }, () => {
  assert.deepEqual(specTable(contractPath), specTable(upstreamPath))
})

test('each entry has a one-line description and a zod schema that accepts its own example', () => {
  for (const [type, info] of Object.entries(EVENT_TYPES)) {
    assert.equal(typeof info.description, 'string')
    assert.ok(info.description.length > 5 && !info.description.includes('\n'), type)
    const example = {}
    for (const [name, kinds] of Object.entries(info.fields)) {
      example[name] = { string: 'x', number: 1, boolean: true, null: null, array: [], any: { a: 1 } }[kinds[0]]
    }
    assert.ok(info.schema.safeParse(example).success, `${type} rejects ${JSON.stringify(example)}`)
    assert.ok(info.schema.safeParse({ ...example, extra_field: 'allowed' }).success, `${type}: extra fields are allowed`)
  }
})

test('EVENT_TYPES is frozen', () => {
  assert.ok(Object.isFrozen(EVENT_TYPES))
  assert.ok(Object.isFrozen(EVENT_TYPES['gpu.allocate']))
  assert.ok(Object.isFrozen(EVENT_TYPES['gpu.allocate'].fields))
})

test('dist/event/registry.compiled.json is what the zod schemas compile to now (the build ran after the last schema change)', () => {
  const file = path.join(root, 'dist', 'event', 'registry.compiled.json')
  assert.ok(fs.existsSync(file), 'npm run build must run node dist/tools/compile-registry.js after tsc')
  const fresh = compile.compileRegistry(schemas.envelopeSchema, schemas.detailSchemas, schemas.eventTypeAliases)
  assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), fresh)
})

test('the compiled envelope rules are the zod ones', () => {
  const fresh = compile.compileRegistry(schemas.envelopeSchema, schemas.detailSchemas)
  assert.equal(fresh.envelope.eventTypePattern, schemas.EVENT_TYPE_PATTERN.source)
  assert.equal(fresh.envelope.eventTypeMaxLength, 128)
  assert.equal(fresh.envelope.schemaVersion, '1')
})

test('the compiler refuses zod constructs it cannot check in plain code', async () => {
  const { z } = await import('zod')
  const refused = [
    z.looseObject({ a: z.string().min(3) }).partial(),
    z.looseObject({ a: z.array(z.string()) }).partial(),
    z.looseObject({ a: z.object({ b: z.string() }) }).partial(),
    z.looseObject({ a: z.string() }),
    z.strictObject({ a: z.string() }).partial()
  ]
  for (const schema of refused) {
    assert.throws(() => compile.compileRegistry(schemas.envelopeSchema, { 'x.y': schema }), /not supported/)
  }
})

/** alias -> registered name from the "Spellings in the field" section of a format document. */
function spellings (file) {
  const text = fs.readFileSync(file, 'utf8')
  const start = text.indexOf('### Spellings in the field')
  const section = text.slice(start, text.indexOf('\n## ', start + 1))
  const table = {}
  for (const m of section.matchAll(/^\| ([a-z_.]+) \| ([a-z_.]+) \|$/gm)) if (m[1] !== 'spelling') table[m[1]] = m[2]
  for (const m of section.matchAll(/^- `([a-z_.]+)` is `([a-z_.]+)`;?\.?$/gm)) table[m[1]] = m[2]
  return table
}

test('the spellings in the field are the table in docs/format.md, each folding into a registered type', async () => {
  const { canonicalEventType, eventTypeAliases, eventTypeSpellings } = await import('../dist/index.js')
  const documented = spellings(contractPath)
  assert.ok(Object.keys(documented).length >= 4, `parsed only ${Object.keys(documented).length} spellings`)
  assert.deepEqual({ ...eventTypeAliases() }, documented)
  for (const [alias, name] of Object.entries(documented)) {
    assert.ok(EVENT_TYPES[name] !== undefined, `${alias} folds into the unregistered ${name}`)
    assert.equal(EVENT_TYPES[alias], undefined, `${alias} is an alias, not a type of its own`)
    assert.equal(canonicalEventType(alias), name)
    assert.equal(canonicalEventType(name), name)
    assert.ok(eventTypeSpellings(name).includes(alias))
    assert.equal(eventTypeSpellings(alias)[0], name)
  }
  assert.equal(canonicalEventType('custom.thing'), 'custom.thing')
  assert.equal(canonicalEventType('__proto__'), '__proto__')
  assert.equal(canonicalEventType('constructor'), 'constructor')
})

test('docs/format.md lists the same spellings as the team\'s spec', { skip: fs.existsSync(upstreamPath) ? false : `only where ${upstreamPath} is checked out beside the repository` }, () => {
  assert.deepEqual(spellings(contractPath), spellings(upstreamPath))
})
