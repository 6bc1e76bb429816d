// `ds01-events log --stdin`: one JSON object per line through one process; a
// bad line is reported with its line number and skipped; exit 1 if any failed.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCli, scratch } from './helpers/cli.mjs'
import { readEvents } from './helpers/events.mjs'

function logStdin (input, extraArgs = []) {
  const file = join(scratch(), 'events.jsonl')
  const r = runCli(['log', '--stdin', '--file', file, ...extraArgs], { input })
  return { ...r, events: existsSync(file) ? readEvents(file) : [] }
}

test('good lines are all logged, in order, with envelope fields and details; blank lines are ignored', () => {
  const input = [
    '{"event_type":"container.create","user":"alice","source":"bulk","details":{"container":"c1","gpu":"0:1"}}',
    '',
    '  {"event_type":"container.start","details":{"container":"c1"}}  ',
    '{"event_type":"verify.bash"}',
    '{"event_type":"test.cli","user":null,"source":"","details":null}',
    ''
  ].join('\n')
  const r = logStdin(input)
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stderr, '')
  assert.deepEqual(r.events.map((e) => e.event_type), ['container.create', 'container.start', 'verify.bash', 'test.cli'])
  assert.equal(r.events[0].user, 'alice')
  assert.equal(r.events[0].source, 'bulk')
  assert.deepEqual(r.events[0].details, { container: 'c1', gpu: '0:1' })
  assert.deepEqual(Object.keys(r.events[3]), ['timestamp', 'event_type', 'schema_version'])
})

test('CRLF line endings and a last line without a newline', () => {
  const r = logStdin('{"event_type":"test.cli","details":{"n":1}}\r\n{"event_type":"test.cli","details":{"n":2}}')
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(r.events.map((e) => e.details.n), [1, 2])
})

test('empty input: nothing logged, exit 0', () => {
  const r = logStdin('')
  assert.equal(r.status, 0)
  assert.deepEqual(r.events, [])
})

test('bad lines: each reported with its line number and skipped, the good ones logged, exit 1', () => {
  const lines = [
    /* 1 */ '{"event_type":"test.cli","details":{"n":1}}',
    /* 2 */ 'not json',
    /* 3 */ '[1,2]',
    /* 4 */ '{"user":"alice"}',
    /* 5 */ '{"event_type":"test.cli","details":[1]}',
    /* 6 */ '{"event_type":"test.cli","user":7}',
    /* 7 */ '{"event_type":"test.cli","extra":1}',
    /* 8 */ '{"event_type":"test.cli","details":{"user":"bob"}}',
    /* 9 */ '{"event_type":"Not.Valid"}',
    /* 10 */ '{"event_type":"test.cli","details":{"n":NaN}}',
    /* 11 */ '{"event_type":"test.cli","details":{"n":2}}'
  ]
  const r = logStdin(lines.join('\n') + '\n')
  assert.equal(r.status, 1)
  assert.deepEqual(r.events.map((e) => e.details.n), [1, 2])
  const expected = {
    2: /not JSON/,
    3: /not a JSON object/,
    4: /missing "event_type"/,
    5: /"details" must be a JSON object/,
    6: /"user" must be a string/,
    7: /unknown key "extra"/,
    8: /may not hold "user"/,
    9: /not logged: .*category\.action/,
    10: /not JSON/
  }
  const reported = r.stderr.trim().split('\n')
  for (const [line, message] of Object.entries(expected)) {
    const hit = reported.find((text) => text.includes(`line ${line}:`))
    assert.ok(hit, `line ${line} reported in:\n${r.stderr}`)
    assert.match(hit, message)
  }
  assert.ok(!reported.some((text) => /line (1|11):/.test(text)), 'good lines are not reported')
  assert.match(reported.at(-1), /9 of 11 events not logged/)
})

test('an unwritable log: every line fails, exit 1, the reason says what to do, and the report is bounded', () => {
  const dir = scratch()
  const input = '{"event_type":"test.cli"}\n'.repeat(500)
  writeFileSync(join(dir, 'plain-file'), '')
  const r = runCli(['log', '--stdin', '--file', join(dir, 'plain-file', 'events.jsonl')], { input })
  assert.equal(r.status, 1)
  const reported = r.stderr.trim().split('\n')
  assert.ok(reported.length < 60, `bounded report (${reported.length} lines)`)
  assert.match(r.stderr, /ENOTDIR.*ds01-events(\.js)? setup/)
  assert.match(reported.at(-1), /500 of 500 events not logged/)
})

test('bulk: 20,000 lines through one process, every one logged once', () => {
  const n = 20_000
  let input = ''
  for (let i = 0; i < n; i++) input += JSON.stringify({ event_type: 'gpu.allocate', user: `u${i % 7}`, details: { seq: i, gpu: i % 8 } }) + '\n'
  const r = logStdin(input)
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.events.length, n)
  assert.ok(r.events.every((e, i) => e.details.seq === i), 'in order, none lost or repeated')
})
