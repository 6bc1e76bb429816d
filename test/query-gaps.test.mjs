// Silent gaps: what the reader could not read is said on stderr, and the
// query exits 1 when part of the answer is missing (a generation it cannot
// open, a directory it cannot list, a .gz that is not gzip), with what it
// could read still printed.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { chmodSync, chownSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { cleanEnv, scratch } from './helpers/cli.mjs'
import { query, v1 } from './helpers/query.mjs'
import { GROUP, IS_ROOT, MEMBER, ensureTestUsers, makeLayout, packageRootFor, runAs } from './helpers/system.mjs'

const ROOT_ONLY = { skip: IS_ROOT ? false : 'needs root (creates users, runs as them)' }
const T0 = Date.UTC(2026, 10, 1)
const lines = (from, n) => Array.from({ length: n }, (_, i) => v1(new Date(T0 + (from + i) * 60_000), 'container.start', { details: { seq: from + i } }) + '\n').join('')
const seqs = (stdout) => stdout.trim() === '' ? [] : stdout.trim().split('\n').map((l) => JSON.parse(l).details.seq)

function queryAs (user, file, args) {
  const pkg = packageRootFor(user)
  return runAs(user, process.execPath, [join(pkg, 'bin', 'ds01-events.js'), 'query', '--file', file, ...args], { env: cleanEnv({ HOME: '/tmp' }) })
}

/** The real layout: .3.gz, .2.gz, .1 and the current file, root:docker 0660. */
function layout (gid) {
  const { dir, events } = makeLayout(gid)
  writeFileSync(`${events}.3.gz`, gzipSync(lines(0, 10)))
  writeFileSync(`${events}.2.gz`, gzipSync(lines(10, 10)))
  writeFileSync(`${events}.1`, lines(20, 10))
  writeFileSync(events, lines(30, 10))
  for (const f of [`${events}.3.gz`, `${events}.2.gz`, `${events}.1`, events]) {
    chownSync(f, 0, gid)
    chmodSync(f, 0o660)
  }
  return { dir, events }
}

test('a generation the reader cannot open (0600 root, read by a docker member): named on stderr, status 1, the rest printed', ROOT_ONLY, () => {
  const { gid } = ensureTestUsers()
  const { events } = layout(gid)
  const whole = queryAs(MEMBER, events, ['--all', '--json'])
  assert.equal(whole.status, 0, whole.stderr)
  assert.deepEqual(seqs(whole.stdout), Array.from({ length: 40 }, (_, i) => i))
  for (const [name, missing] of [['.2.gz', [10, 20]], ['.1', [20, 30]]]) {
    chmodSync(`${events}${name}`, 0o600)
    const r = queryAs(MEMBER, events, ['--all', '--json'])
    chmodSync(`${events}${name}`, 0o660)
    assert.equal(r.status, 1, `${name}: ${r.stderr}`)
    assert.ok(r.stderr.includes(`not read: ${events}${name}: permission denied`), r.stderr)
    assert.match(r.stderr, /incomplete: 1 part of the log could not be read/)
    assert.doesNotMatch(r.stderr, /not a JSON event/)
    assert.deepEqual(seqs(r.stdout), Array.from({ length: 40 }, (_, i) => i).filter((s) => s < missing[0] || s >= missing[1]))
  }
})

test(`a directory it cannot list (2711 root:${GROUP}): said, status 1, the current file still read`, ROOT_ONLY, () => {
  const { gid } = ensureTestUsers()
  const { dir, events } = layout(gid)
  chmodSync(dir, 0o2711)
  const r = queryAs(MEMBER, events, ['--all', '--json'])
  assert.equal(r.status, 1, r.stderr)
  assert.match(r.stderr, /cannot list .*\(EACCES\): its rotated generations, if any, were not read/)
  assert.deepEqual(seqs(r.stdout), Array.from({ length: 10 }, (_, i) => 30 + i))
  // the summary says so too
  const s = queryAs(MEMBER, events, ['--summary', '--json'])
  assert.equal(s.status, 1)
  assert.equal(JSON.parse(s.stdout).total, 10)
})

test('a .gz generation that is not gzip is named as such, not counted as "1 not a JSON event"; status 1', () => {
  const base = join(scratch('ds01-gaps-'), 'events.jsonl')
  writeFileSync(`${base}.3.gz`, 'this was never gzip\n')
  writeFileSync(`${base}.2.gz`, gzipSync(lines(0, 10)))
  writeFileSync(base, lines(10, 5))
  const r = query(base, ['--all', '--json'])
  assert.equal(r.status, 1)
  assert.deepEqual(seqs(r.stdout), Array.from({ length: 15 }, (_, i) => i))
  assert.ok(r.stderr.includes(`not read: ${base}.3.gz is not gzip data`), r.stderr)
  assert.doesNotMatch(r.stderr, /not a JSON event/)
})

test('the library says the same through onWarning, and goes on', async () => {
  const { readEvents } = await import('../dist/index.js')
  const base = join(scratch('ds01-gaps-lib-'), 'events.jsonl')
  writeFileSync(`${base}.2.gz`, 'not gzip')
  writeFileSync(base, lines(0, 3))
  const warnings = []
  const got = []
  for await (const e of readEvents({ path: base, onWarning: (m) => warnings.push(m) })) got.push(e.details.seq)
  assert.deepEqual(got, [0, 1, 2])
  assert.equal(warnings.length, 1)
  assert.match(warnings[0], /^ds01-events: not read: .*events\.jsonl\.2\.gz is not gzip data/)
})
