// query --db builds its SQL from the reader's QueryFilter: every value the user
// gives travels as a parameter, never inside the SQL text. (The answers
// themselves are compared with the file reader's in test/fleet-e2e.test.mjs,
// against a real PostgreSQL.)
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { test } from 'node:test'
import fc from 'fast-check'
import { REPO } from './helpers/system.mjs'

const require = createRequire(import.meta.url)
const { sqlWhere } = require('../dist/fleet/index.js')
const { QueryFilter } = require('../dist/reader/index.js')

function filterOf (options) {
  const parsed = QueryFilter.parse(options, new Date('2026-01-30T12:00:00Z'))
  assert.ok(parsed.ok, parsed.problem)
  return parsed.filter
}

test('no filter: no WHERE, no parameters', () => {
  assert.deepEqual(sqlWhere(filterOf({}), []), { text: '', values: [] })
})

test('hostile values are parameters, and the SQL text holds only placeholders', () => {
  const evil = "x' OR true; DROP TABLE ds01_events; --"
  const where = sqlWhere(filterOf({ user: evil, source: evil, container: evil, where: [`${evil}=${evil}`], type: 'gpu.*' }), [evil])
  assert.doesNotMatch(where.text, /DROP|OR true/)
  assert.ok(where.values.some((v) => Array.isArray(v) && v.includes(evil)))
  assert.ok(where.values.includes(evil), 'the --where key is a parameter too')
  // every placeholder has its value, in order
  const placeholders = [...where.text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]))
  assert.equal(Math.max(...placeholders), where.values.length)
})

test('property: whatever the values, none of them appears in the SQL text', () => {
  // a marker no SQL keyword holds, then anything (quotes, $1, backslashes, ...) but =, !, <, > (a key with them reads as an operator)
  const text = fc.string({ minLength: 0, maxLength: 20 }).filter((s) => !/[=!<>]/.test(s)).map((s) => `QZX${s}`)
  fc.assert(fc.property(text, text, text, (user, key, host) => {
    const where = sqlWhere(filterOf({ user, where: [`${key}=${user}`] }), [host])
    for (const value of [user, key, host]) assert.ok(!where.text.includes(value), `${JSON.stringify(value)} in ${where.text}`)
  }), { numRuns: 300 })
})

test('type globs become LIKE patterns with _ and % literal; prefixes use starts_with', () => {
  const where = sqlWhere(filterOf({ type: ['*.reject', 'gpu_x.a?', 'container'] }), [])
  // *.reject also matches gpu.rejected, its other spelling (docs/format.md), by name
  assert.deepEqual(where.values, ['%.reject', ['gpu.rejected'], 'gpu\\_x.a_', 'container'])
  assert.match(where.text, /event_type LIKE \$1 OR event_type = ANY\(\$2::text\[\]\) OR event_type LIKE \$3 OR starts_with\(event_type, \$4\)/)
})

test('since and until are timestamps; a non-string --where value also matches its text', () => {
  const where = sqlWhere(filterOf({ since: '2026-01-30T00:00:00Z', until: '2026-01-31T00:00:00Z', where: ['gpu=0'] }), [])
  assert.ok(where.values.some((v) => v instanceof Date && v.toISOString() === '2026-01-30T00:00:00.000Z'))
  assert.ok(where.values.includes('0'), 'gpu=0 also matches "0"')
  assert.ok(where.values.includes('0') && where.values.includes('gpu'))
})

test('query --db without a URL is a usage error that says what to give; a refused connection is exit 1 without the password', () => {
  const cli = join(REPO, 'bin', 'ds01-events.js')
  const env = { ...process.env, DS01_EVENTS_DB: '' }
  const r = spawnSync(process.execPath, [cli, 'query', '--db', ''], { encoding: 'utf8', env })
  assert.equal(r.status, 2)
  assert.match(r.stderr, /--db needs a URL: postgresql:\/\//)
  const refused = spawnSync(process.execPath, [cli, 'query', '--db', 'postgresql://u:s3cret@127.0.0.1:1/x'], { encoding: 'utf8', env })
  assert.equal(refused.status, 1)
  assert.match(refused.stderr, /could not be queried/)
  assert.doesNotMatch(refused.stderr, /s3cret/)
  const file = spawnSync(process.execPath, [cli, 'query', '--db', 'postgresql://127.0.0.1:1/x', '--file', '/x'], { encoding: 'utf8', env })
  assert.equal(file.status, 2)
  assert.match(file.stderr, /--db --gpu/)
  // --gpu reads the GPU samples: not a usage error (the database is what fails here)
  const gpu = spawnSync(process.execPath, [cli, 'query', '--db', 'postgresql://127.0.0.1:1/x', '--gpu'], { encoding: 'utf8', env })
  assert.equal(gpu.status, 1, gpu.stderr)
  assert.match(gpu.stderr, /could not be queried/)
})
