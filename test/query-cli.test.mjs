// `ds01-events query`: each filter, the output forms, old and damaged lines,
// exit statuses, EPIPE and colour.
/* eslint-disable no-control-regex -- these tests look for escape sequences */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, chownSync, readFileSync } from 'node:fs'
import { CLI, cleanEnv, runCli } from './helpers/cli.mjs'
import { logFile, preV1, query, queryLines, v1 } from './helpers/query.mjs'
import { IS_ROOT, OUTSIDER, ensureTestUsers, runAs, packageRootFor } from './helpers/system.mjs'

const LINES = [
  preV1('2026-01-29T10:00:00.000000', 'container.create', { user: 'alice', container: 'alice-old', gpu: 0 }),
  v1('2026-01-30T14:30:00.000000Z', 'container.create', { user: 'alice', source: 'docker-wrapper', details: { container: 'alice-jupyter', image: 'ds01/pytorch:latest', gpu: '0:1' } }),
  v1('2026-01-30T14:31:00.000000Z', 'gpu.allocate', { user: 'bob', source: 'allocator', details: { container: 'bob-x', gpu: 0, priority: 50 } }),
  v1('2026-01-30T14:32:00.000000Z', 'gpu.reject', { user: 'carol', source: 'allocator', details: { container: 'carol-y', reason: 'no free GPU' } }),
  v1('2026-01-30T14:33:00.000000Z', 'gpu.allocate', { user: 'carol', source: 'allocator', details: { container: 'carol-y', gpu: '0:1', priority: 10 } }),
  v1('2026-01-30T14:34:00.000000Z', 'container.stop', { user: 'alice', source: 'docker-wrapper', details: { container: 'alice-jupyter' } }),
  v1('2026-01-30T14:35:00.000000Z', 'health.check', { source: 'health', details: { status: 'ok', gpu: '0' } }),
  v1('2026-01-31T09:00:00.000000Z', 'auth.access_denied', { user: 'bob', details: { resource: 'gpu', reason: 'quota' } })
]
const file = logFile(LINES)

/** Indexes into LINES of what the query printed (--json, so the lines themselves). */
function selected (args) {
  return queryLines(file, args).map((line) => {
    const i = LINES.indexOf(line)
    assert.ok(i >= 0, `printed a line that is not in the file: ${line}`)
    return i
  })
}

test('each filter, alone and combined (AND across kinds, OR within one)', () => {
  assert.deepEqual(selected([]), [0, 1, 2, 3, 4, 5, 6, 7])
  assert.deepEqual(selected(['--user', 'alice']), [0, 1, 5])
  assert.deepEqual(selected(['--user', 'alice', '--user', 'carol']), [0, 1, 3, 4, 5])
  assert.deepEqual(selected(['--type', 'gpu']), [2, 3, 4], 'a prefix of event_type')
  assert.deepEqual(selected(['--type', 'gpu.al']), [2, 4])
  assert.deepEqual(selected(['--type', 'container.*']), [0, 1, 5], 'a glob')
  assert.deepEqual(selected(['--type', '*.reject']), [3])
  assert.deepEqual(selected(['--type', '*.reject', '--type', 'health']), [3, 6], 'repeated --type is an OR')
  assert.deepEqual(selected(['--container', 'alice-old']), [0], 'the flat container of a pre-v1 line')
  assert.deepEqual(selected(['--container', 'alice-jupyter']), [1, 5])
  assert.deepEqual(selected(['--source', 'allocator']), [2, 3, 4])
  assert.deepEqual(selected(['--where', 'gpu=0']), [0, 2, 6], 'gpu=0 matches 0 (and the text "0")')
  assert.deepEqual(selected(['--where', 'gpu=0:1']), [1, 4], 'gpu=0:1 matches "0:1"')
  assert.deepEqual(selected(['--where', 'priority=10']), [4])
  assert.deepEqual(selected(['--where', 'gpu=0:1', '--where', 'priority=10']), [4], 'repeated --where is an AND')
  assert.deepEqual(selected(['--where', 'reason=no free GPU']), [3])
  assert.deepEqual(selected(['--user', 'carol', '--type', 'gpu', '--container', 'carol-y', '--source', 'allocator']), [3, 4])
  assert.deepEqual(selected(['--user', 'nobody']), [])
})

test('--since and --until, inclusive, with offsets and without', () => {
  assert.deepEqual(selected(['--since', '2026-01-30T14:33:00Z']), [4, 5, 6, 7])
  assert.deepEqual(selected(['--until', '2026-01-30T14:31:00Z']), [0, 1, 2])
  assert.deepEqual(selected(['--since', '2026-01-30T16:31:00+02:00', '--until', '2026-01-30T14:32:00.000Z']), [2, 3])
  // a date alone is local midnight: with TZ=UTC, the 31st starts at 00:00Z
  const r = query(file, ['--since', '2026-01-31', '--all', '--json'], { env: { TZ: 'UTC' } })
  assert.deepEqual(r.stdout, LINES[7] + '\n')
  const berlin = query(file, ['--since', '2026-01-30 15:34', '--all', '--json'], { env: { TZ: 'Europe/Berlin' } })
  assert.deepEqual(berlin.stdout, [LINES[5], LINES[6], LINES[7]].map((l) => l + '\n').join(''), 'no zone: local time (UTC+1)')
  assert.deepEqual(selected(['--since', '2026-01-29T09:00:00Z', '--until', '2026-01-29T11:00:00Z']), [0], 'pre-v1 ts without a zone is UTC')
})

test('--json prints the matching lines byte for byte', () => {
  const odd = [
    '{"timestamp":"2026-02-01T00:00:00.000000Z","event_type":"test.cli","schema_version":"1","user":"\\u00e9lise","details":{"note":"tab\\there \\"quoted\\"","x":1.50,"big":12345678901234567890}}',
    v1('2026-02-01T00:00:01.000000Z', 'test.cli', { user: 'ünïcode', details: { emoji: '🚀', big: 1234567890123 } }),
    preV1('2026-02-01 00:00:02', 'test.cli', { user: 'old', ratio: 1.0 }).replace('1}', '1.0}'),
    '{"timestamp":"2026-02-01T00:00:03.000000Z","event_type":"test.cli","schema_version":"1","details":{"v":NaN}}'
  ]
  const path = logFile(odd)
  const r = query(path, ['--all', '--json'])
  assert.equal(r.status, 0)
  assert.ok(Buffer.from(r.stdout).equals(readFileSync(path)), 'stdout is the file, byte for byte')
  assert.equal(query(path, ['--json', '--user', 'élise']).stdout, odd[0] + '\n', 'an escaped user still matches')
})

test('--limit keeps the last N, --reverse gives newest first, the default is 50', () => {
  assert.equal(query(file, ['--json', '--limit', '2']).stdout, [LINES[6], LINES[7]].map((l) => l + '\n').join(''))
  const r = query(file, ['--json', '--limit', '3', '--reverse'])
  assert.equal(r.stdout, [LINES[7], LINES[6], LINES[5]].map((l) => l + '\n').join(''))
  const many = logFile(Array.from({ length: 120 }, (_, i) => v1(new Date(Date.UTC(2026, 0, 1, 0, i)), 'test.cli', { details: { i } })))
  const out = query(many, ['--json']).stdout.trim().split('\n')
  assert.equal(out.length, 50)
  assert.equal(JSON.parse(out[0]).details.i, 70)
  assert.equal(query(many, ['--all', '--json']).stdout.trim().split('\n').length, 120)
})

test('human output: aligned columns, local time, details as key=value, plain when piped', () => {
  const r = query(file, ['--type', 'gpu'], { env: { TZ: 'UTC' } })
  assert.equal(r.status, 0)
  assert.equal(r.stdout, [
    '2026-01-30 14:31:00  gpu.allocate        bob       allocator   container=bob-x gpu=0 priority=50',
    '2026-01-30 14:32:00  gpu.reject          carol     allocator   container=carol-y reason="no free GPU"',
    '2026-01-30 14:33:00  gpu.allocate        carol     allocator   container=carol-y gpu=0:1 priority=10'
  ].join('\n') + '\n')
  assert.doesNotMatch(r.stdout, /\x1b/, 'no colour when piped')
  const tokyo = query(file, ['--type', 'gpu.reject'], { env: { TZ: 'Asia/Tokyo' } })
  assert.match(tokyo.stdout, /^2026-01-30 23:32:00 /, 'local time')
})

test('text from the log cannot reach the terminal as control characters', () => {
  const path = logFile([v1('2026-01-30T14:30:00.000000Z', 'test.cli', { user: 'eve\x1b]0;pwned\x07', details: { container: 'x\x1b[31mred', 'k\x1b': 1 } })])
  const r = query(path, [])
  assert.doesNotMatch(r.stdout, /\x1b|\x07/)
  assert.match(r.stdout, /"eve\\u001b\]0;pwned\\u0007"/)
  assert.match(r.stdout, /container="x\\u001b\[31mred"/)
})

/** Runs the command on a pseudo-terminal (util-linux script), returns what the terminal got. */
function onTerminal (args, env) {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ')
  const r = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', env: cleanEnv(env) })
  assert.equal(r.status, 0, r.stderr)
  return r.stdout
}

test('colour on a terminal only, and never with NO_COLOR', { skip: spawnSync('script', ['--version']).status !== 0 && 'needs script (util-linux)' }, () => {
  const args = ['query', '--file', file, '--type', 'gpu']
  assert.match(onTerminal(args, { TERM: 'xterm' }), /\x1b\[31mgpu\.reject/, 'rejections in red on a terminal')
  assert.doesNotMatch(onTerminal(args, { TERM: 'xterm', NO_COLOR: '1' }), /\x1b\[/)
  assert.match(onTerminal(['query', '--file', file, '--summary'], { TERM: 'xterm' }), /\x1b\[1mBy type/)
  assert.doesNotMatch(onTerminal(['query', '--file', file, '--summary'], { TERM: 'xterm', NO_COLOR: 'yes' }), /\x1b\[/)
})

test('pre-v1 lines are read; bare NaN is read; other damage is skipped and counted on stderr', () => {
  const path = logFile([
    preV1('2026-01-29T10:00:00', 'gpu.allocate', { user: 'alice', gpu: 1 }),
    '{"timestamp":"2026-01-29T10:00:01.000000Z","event_type":"gpu.utilization","schema_version":"1","details":{"power_w":NaN,"temp":-Infinity}}',
    'this is not JSON',
    '["an","array"]',
    '{"no":"event fields"}',
    '',
    v1('2026-01-29T10:00:02.000000Z', 'gpu.release', { user: 'alice' })
  ], { torn: '{"timestamp":"2026-01-29T10:00:03.000000Z","event_ty' })
  const r = query(path, ['--all'], { env: { TZ: 'UTC' } })
  assert.equal(r.status, 0)
  const rows = r.stdout.trim().split('\n')
  assert.equal(rows.length, 3)
  assert.match(rows[0], /gpu\.allocate\s+alice\s+-\s+gpu=1$/)
  assert.match(rows[1], /gpu\.utilization .*power_w=null temp=null$/)
  assert.equal(r.stderr, 'ds01-events query: skipped 4 lines: 3 not a JSON event, 1 torn last line (still being written, or cut)\n')
  assert.equal(query(path, ['--all', '--json', '--type', 'gpu.utilization']).stdout.trim(), '{"timestamp":"2026-01-29T10:00:01.000000Z","event_type":"gpu.utilization","schema_version":"1","details":{"power_w":NaN,"temp":-Infinity}}', '--json keeps the line as it is')
})

test('--summary counts by type, user, source and day; --json for tools', () => {
  const r = query(file, ['--summary', '--json'])
  assert.equal(r.status, 0)
  assert.deepEqual(JSON.parse(r.stdout), {
    total: 8,
    by_type: { 'container.create': 2, 'gpu.allocate': 2, 'auth.access_denied': 1, 'container.stop': 1, 'gpu.reject': 1, 'health.check': 1 },
    by_user: { alice: 3, bob: 2, carol: 2, '(none)': 1 },
    by_source: { allocator: 3, 'docker-wrapper': 2, '(none)': 2, health: 1 },
    by_day: { '2026-01-29': 1, '2026-01-30': 6, '2026-01-31': 1 }
  })
  const filtered = JSON.parse(query(file, ['--summary', '--json', '--user', 'carol']).stdout)
  assert.equal(filtered.total, 2)
  const text = query(file, ['--summary']).stdout
  assert.match(text, /^Events: 8\n/)
  assert.match(text, /By day \(UTC\)\n {2}2026-01-29 {2}1 {2}#######\n {2}2026-01-30 {2}6 {2}#{40}\n/)
})

test('exit status: 0 with no match, 1 with no log (and what to do), 2 for usage errors', () => {
  const none = query(file, ['--user', 'nobody'])
  assert.deepEqual([none.status, none.stdout, none.stderr], [0, '', ''])
  const missing = query(file + '.missing', [])
  assert.equal(missing.status, 1)
  assert.match(missing.stderr, /no such file: .*\.missing\nCheck the path/)
  for (const [args, message] of [
    [['--since', 'last tuesday-ish'], /not a time I can read\.\nWHEN is one of:\n.*1 hour ago/s],
    [['--until', '2026-02-31'], /not a time I can read/],
    [['--limit', '0'], /--limit "0": expected a whole number/],
    [['--limit', 'ten'], /--limit/],
    [['--bogus'], /unknown option '--bogus'/],
    [['--type', 'GPU'], /event types are lower case/],
    [['--where', 'noequals'], /expected KEY=VALUE/],
    [['--summary', '--follow'], /does not --follow/],
    [['--gpu'], /--gpu and --file name two logs/]
  ]) {
    const r = query(file, args)
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`)
    assert.match(r.stderr, message)
    assert.equal(r.stdout, '')
  }
})

test('a user outside the docker group is told why and what to do (exit 1)', { skip: !IS_ROOT && 'needs root (runs as a user outside docker)' }, () => {
  ensureTestUsers()
  const path = logFile(LINES)
  chmodSync(path, 0o660)
  chownSync(path, 0, 0)
  chmodSync(path.replace(/\/[^/]+$/, ''), 0o755)
  const pkg = packageRootFor(OUTSIDER)
  const r = runAs(OUTSIDER, process.execPath, [`${pkg}/bin/ds01-events.js`, 'query', '--file', path], { env: cleanEnv({ HOME: '/' }) })
  assert.equal(r.status, 1, r.stderr)
  assert.match(r.stderr, /permission denied: .*\nThe event log is readable by root and members of the docker group: run it with sudo, or ask an admin to add you to docker/)
})

test('`ds01-events` followed only by options is query; DS01_EVENTS_FILE and --gpu pick the log', () => {
  const r = runCli(['--user', 'bob', '--json'], { env: { DS01_EVENTS_FILE: file } })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout, [LINES[2], LINES[7]].map((l) => l + '\n').join(''))
  const gpu = runCli(['query', '--gpu', '--json'], { env: { DS01_GPU_UTILIZATION_FILE: file, DS01_EVENTS_FILE: '/nonexistent' } })
  assert.equal(gpu.status, 0, gpu.stderr)
  assert.equal(gpu.stdout.trim().split('\n').length, 8)
  assert.match(runCli(['query', '--help']).stdout, /WHEN is one of:/)
  assert.match(runCli(['--help']).stdout, /query {8}read the log/)
})

test('| head -1 ends it quietly: no EPIPE trace, status 0', () => {
  const big = logFile(Array.from({ length: 30_000 }, (_, i) => v1(new Date(Date.UTC(2026, 0, 1) + i * 1000), 'test.cli', { user: 'u', details: { i, pad: 'x'.repeat(100) } })))
  for (const args of [['--all'], ['--all', '--json'], ['--limit', '20000']]) {
    const r = spawnSync('bash', ['-c', `'${process.execPath}' '${CLI}' query --file '${big}' ${args.join(' ')} | head -1; echo "status=\${PIPESTATUS[0]}" >&2`], { encoding: 'utf8', env: cleanEnv() })
    assert.equal(r.stdout.split('\n').length, 2, 'one line')
    assert.equal(r.stderr, 'status=0\n', `${args.join(' ')}: stderr is quiet`)
  }
})
