// A line that is not JSON but looks like a v1 line (it starts with the
// envelope and ends in '}') is skipped and counted by every path: the human
// output, --json (window and streamed), --summary, and readEvents(). Such lines
// are what a torn write leaves (the next line glued onto the fragment).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import fc from 'fast-check'
import { logFile, query, v1 } from './helpers/query.mjs'

const require = createRequire(import.meta.url)
const lib = require('../dist/index.js')
const scan = require('../dist/reader/scan.js')
const { parseEventLine } = require('../dist/reader/record.js')

const ts = (i) => `2026-01-30T14:${String(i).padStart(2, '0')}:00.000000Z`
const GOOD = [0, 1, 2, 3].map((i) => v1(ts(i), 'gpu.allocate', { user: 'alice', source: 'allocator', details: { container: `c${i}`, gpu: i } }))
const DAMAGED = [
  // a trailing comma
  `{"timestamp":"${ts(10)}","event_type":"gpu.allocate","schema_version":"1","user":"alice","source":"allocator","details":{"gpu":1},}`,
  // a torn line with the next line glued on
  `{"timestamp":"${ts(11)}","event_type":"gpu.allocate","schema_version":"1","user":"alice","details":{"container":"par` + GOOD[0].replace(ts(0), ts(12)),
  // a raw NUL inside a string
  `{"timestamp":"${ts(13)}","event_type":"gpu.allocate","schema_version":"1","user":"alice","details":{"container":"a\u0000b"}}`,
  // a raw tab in the user
  `{"timestamp":"${ts(14)}","event_type":"gpu.allocate","schema_version":"1","user":"al\tice","details":{}}`,
  // two objects on one line
  `${GOOD[0]}{"x":1}`
]
const LINES = [GOOD[0], DAMAGED[0], GOOD[1], DAMAGED[1], DAMAGED[2], GOOD[2], DAMAGED[3], DAMAGED[4], GOOD[3]]
const SKIPPED = `ds01-events query: skipped ${DAMAGED.length} lines: ${DAMAGED.length} not a JSON event\n`
const HAVE_JQ = spawnSync('jq', ['--version']).status === 0

function jqAccepts (text) {
  const r = spawnSync('jq', ['-c', '.'], { input: text, encoding: 'utf8' })
  return r.status === 0 ? r.stdout.trim().split('\n').filter((l) => l !== '').length : `jq failed: ${r.stderr}`
}

test('the default query skips and counts damaged lines, never an internal error', () => {
  const path = logFile(LINES)
  for (const args of [[], ['--user', 'alice'], ['--type', 'gpu'], ['--source', 'allocator'], ['--since', ts(0)], ['--all'], ['--reverse']]) {
    const r = query(path, args)
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`)
    assert.doesNotMatch(r.stderr, /internal error|TypeError/)
    const rows = r.stdout.trim().split('\n')
    assert.equal(rows.length, GOOD.length, `${args.join(' ')}:\n${r.stdout}`)
    for (const row of rows) assert.match(row, /gpu\.allocate +alice/)
  }
  assert.equal(query(path, []).stderr, SKIPPED)
})

test('--json prints only valid JSON lines (window and streamed): jq accepts the whole output', () => {
  const path = logFile(LINES)
  for (const args of [['--json'], ['--json', '--all'], ['--json', '--all', '--reverse'], ['--json', '--user', 'alice', '--all'], ['--json', '--type', 'gpu.allocate', '--limit', '3']]) {
    const r = query(path, args)
    assert.equal(r.status, 0, r.stderr)
    const lines = r.stdout.trim().split('\n')
    for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), `${args.join(' ')} printed ${JSON.stringify(line)}`)
    assert.ok(lines.every((l) => GOOD.includes(l)), args.join(' '))
    if (HAVE_JQ) assert.equal(jqAccepts(r.stdout), lines.length, args.join(' '))
    // (a line that cannot hold the --user text is not looked at, so not counted)
    if (args.includes('--user')) assert.match(r.stderr, /^ds01-events query: skipped 4 lines: 4 not a JSON event\n$/)
    else assert.equal(r.stderr, SKIPPED)
  }
})

test('--summary counts only events: the damaged lines are skipped and counted there too', () => {
  const r = query(logFile(LINES), ['--summary', '--json'])
  assert.equal(r.status, 0, r.stderr)
  assert.equal(JSON.parse(r.stdout).total, GOOD.length)
  assert.equal(r.stderr, SKIPPED)
})

test('readEvents() and readRecords() never yield null: damaged lines are warned about, counted', async () => {
  const path = logFile(LINES)
  for (const options of [{}, { user: 'alice' }, { type: 'gpu' }, { since: ts(0) }]) {
    const heard = []
    const events = []
    for await (const e of lib.readEvents({ path, ...options, onWarning: (m) => heard.push(m) })) events.push(e)
    assert.equal(events.length, GOOD.length, JSON.stringify(options))
    for (const e of events) {
      assert.equal(typeof e, 'object')
      assert.notEqual(e, null)
      assert.equal(e.event_type, 'gpu.allocate')
    }
    const counted = options.user === undefined ? DAMAGED.length : DAMAGED.length - 1
    assert.match(heard.join('\n'), new RegExp(`skipped ${counted} lines: ${counted} not a JSON event`))
    const records = []
    for await (const r of lib.readRecords({ path, ...options, onWarning: () => {} })) records.push(r)
    assert.deepEqual(records.map((r) => r.line), GOOD)
    assert.ok(records.every((r) => r.event !== null))
  }
})

// The fast path reads a v1 envelope in place; whatever it accepts, JSON.parse
// must accept, with the same envelope (the reference the slow path uses).
const canonical = fc.record({
  i: fc.integer({ min: 0, max: 59 }),
  user: fc.option(fc.constantFrom('alice', 'bob', 'élise', ''), { nil: undefined }),
  source: fc.option(fc.constantFrom('allocator', 'wrapper'), { nil: undefined }),
  details: fc.option(fc.dictionary(fc.constantFrom('a', 'b', 'gpu', 'container'), fc.jsonValue({ maxDepth: 3 })), { nil: undefined })
}).map(({ i, user, source, details }) => v1(ts(i), 'gpu.allocate', { user, source, details }))
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('insert'), at: fc.nat(), text: fc.constantFrom(',', '}', '{', '"', ']', '[', ':', '\u0000', '\t', 'x', '1', ' ', '"user":"eve",', ',"user":"eve"', ',"source":"x"') }),
  fc.record({ kind: fc.constant('delete'), at: fc.nat(), n: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('glue'), at: fc.nat() })
)

function mutate (line, m) {
  const at = 30 + (m.at % Math.max(1, line.length - 30)) // past the envelope's fixed start, mostly
  if (m.kind === 'insert') return line.slice(0, at) + m.text + line.slice(at)
  if (m.kind === 'delete') return line.slice(0, at) + line.slice(at + m.n)
  return line.slice(0, at) + GOOD[1]
}

test('property: a line the in-place envelope reader accepts is JSON, with the envelope JSON.parse gives', () => {
  fc.assert(fc.property(canonical, fc.array(mutation, { maxLength: 3 }), (line, mutations) => {
    const text = mutations.reduce(mutate, line)
    const buf = Buffer.from(text)
    if (buf.includes(0x5c) || buf[buf.length - 1] !== 0x7d) return // the scanner parses those lines
    const fast = scan.checkedEnvelope(buf, 0, buf.length)
    if (fast === null) return
    const parsed = parseEventLine(text)
    assert.notEqual(parsed, null, `accepted in place but not JSON: ${JSON.stringify(text)}`)
    assert.doesNotThrow(() => JSON.parse(text))
    assert.equal(scan.utf8Text(fast.type), parsed.event_type)
    assert.equal(fast.user === undefined ? undefined : scan.utf8Text(fast.user), parsed.user)
    assert.equal(fast.source === undefined ? undefined : scan.utf8Text(fast.source), parsed.source)
  }), { numRuns: 3000 })
})
