// Far and huge WHENs: the right answer (the years a v1 timestamp can write,
// 0000 to 9999), or a usage error that says the time is out of range; never an
// internal error, never every event for a time no event can be at or after.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { logFile, query, v1 } from './helpers/query.mjs'

const require = createRequire(import.meta.url)
const lib = require('../dist/index.js')
const { parseWhen } = require('../dist/reader/when.js')

const LINES = [0, 1, 2].map((i) => v1(`2026-01-30T14:3${i}:00.000000Z`, 'gpu.allocate', { user: 'alice', details: { n: i } }))
const count = (r) => (r.stdout === '' ? 0 : r.stdout.trim().split('\n').length)

test('--until at the end of year 9999 gives every event; --since there gives none', () => {
  const path = logFile(LINES)
  for (const until of ['9999-12-31T23:59:59Z', '9999-12-31T23:59:59.999999Z', '9999-12-31', '9999-12-31 23:59', '@253402300799']) {
    for (const env of [{}, { TZ: 'Europe/Berlin' }, { TZ: 'Pacific/Kiritimati' }]) {
      const r = query(path, ['--json', '--until', until], { env })
      assert.equal(r.status, 0, `${until} ${JSON.stringify(env)}: ${r.stderr}`)
      assert.equal(count(r), 3, `--until ${until} ${JSON.stringify(env)}`)
    }
  }
  for (const since of ['9999-12-31T23:59:59Z', '@253402300799']) {
    const r = query(path, ['--json', '--since', since])
    assert.equal(r.status, 0, r.stderr)
    assert.equal(count(r), 0, `--since ${since}`)
  }
  const none = query(path, ['--json', '--until', '0000-01-01T00:00:00Z'])
  assert.equal(none.status, 0, none.stderr)
  assert.equal(count(none), 0)
  assert.equal(count(query(path, ['--json', '--since', '0000-01-01T00:00:00Z'])), 3)
})

test('a WHEN past year 9999 or before year 0000 is a usage error that says so, never an internal error', () => {
  const path = logFile(LINES)
  for (const [option, when] of [['--since', '@253402300800'], ['--since', '99999999999 weeks ago'], ['--until', '99999999999 weeks ago'],
    ['--since', '@99999999999999'], ['--until', '@8639999999999'], ['--until', '@' + '9'.repeat(400)], ['--since=-99999999999999d', ''],
    ['--until', '10000-01-01']]) {
    const r = query(path, when === '' ? [option] : [option, when])
    assert.equal(r.status, 2, `${option} ${when}: ${r.stderr}`)
    assert.doesNotMatch(r.stderr, /internal error|Invalid time value|RangeError|at .*\.js:\d+/, `${option} ${when}`)
    assert.equal(r.stdout, '')
    if (when !== '10000-01-01') assert.match(r.stderr, /out of range: a time from 0000-01-01 to 9999-12-31/, `${option} ${when}`)
  }
})

test('a zone offset must be one: +99:99 is refused, +23:59 and -12:00 are read', () => {
  const path = logFile(LINES)
  for (const bad of ['2026-01-30T14:30+99:99', '2026-01-30T14:30:00+24:00', '2026-01-30T14:30:00+05:60', '2026-01-30T14:30:00-9999']) {
    const r = query(path, ['--since', bad])
    assert.equal(r.status, 2, `${bad}: ${r.stderr}`)
    assert.match(r.stderr, /not a time I can read/)
    assert.equal(parseWhen(bad), null, bad)
  }
  assert.equal(parseWhen('2026-01-30T14:30:00+23:59').toISOString(), '2026-01-29T14:31:00.000Z')
  assert.equal(parseWhen('2026-01-30T14:30:00-1200').toISOString(), '2026-01-31T02:30:00.000Z')
  assert.equal(count(query(path, ['--json', '--since', '2026-01-30T16:31:00+02:00'])), 2)
})

test('years 0000-0099 are those years, not 1900-1999', () => {
  assert.equal(parseWhen('0050-06-01T00:00:00Z').toISOString(), '0050-06-01T00:00:00.000Z')
  assert.equal(parseWhen('0000-01-01T00:00:00Z').toISOString(), '0000-01-01T00:00:00.000Z')
  const local = parseWhen('0099-12-31 12:00')
  assert.equal(local.getFullYear(), 99)
  assert.equal(local.getMonth(), 11)
  assert.equal(local.getHours(), 12)
  assert.equal(parseWhen('0099-02-29'), null, 'year 99 was no leap year')
})

test('readEvents: a Date past year 9999 is a warning and an empty iteration, not a throw', async () => {
  const path = logFile(LINES)
  for (const options of [{ until: new Date(8.64e15) }, { since: new Date(-8.64e15) }, { since: '@99999999999999' }]) {
    const heard = []
    const got = []
    for await (const e of lib.readEvents({ path, ...options, onWarning: (m) => heard.push(m) })) got.push(e)
    assert.deepEqual(got, [])
    assert.match(heard.join('\n'), /out of range/, JSON.stringify(options))
  }
  const all = []
  for await (const e of lib.readEvents({ path, until: new Date(Date.UTC(9999, 11, 31, 23, 59, 59, 999)), onWarning: () => {} })) all.push(e)
  assert.equal(all.length, 3)
})
