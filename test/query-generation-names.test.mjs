// Every generation logrotate can make is read, ordered by time: numbered
// (.1, .N.gz) and dateext (-YYYYMMDD, -YYYYMMDD.gz, dateformat variants such as
// -%Y%m%d-%s), also mixed on a host that switched config; other names stay
// unread. With the real logrotate producing the names as well.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { appendFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { scratch } from './helpers/cli.mjs'
import { query, v1 } from './helpers/query.mjs'
import { IS_ROOT } from './helpers/system.mjs'

const LOGROTATE = ['/usr/sbin/logrotate', '/sbin/logrotate', '/usr/bin/logrotate'].find((p) => existsSync(p))
const DAY = 86_400_000
const T0 = Date.UTC(2026, 10, 20)
const lines = (from, n, t0 = T0) => Array.from({ length: n }, (_, i) => v1(new Date(t0 + (from + i) * 60_000), 'container.start', { details: { seq: from + i } }) + '\n').join('')
const seqs = (stdout) => stdout.trim() === '' ? [] : stdout.trim().split('\n').map((l) => JSON.parse(l).details.seq)
const range = (a, b) => Array.from({ length: b - a }, (_, i) => a + i)

test('the older config\'s dateext generations are read: -YYYYMMDD.gz, -YYYYMMDD and the current file', () => {
  const base = join(scratch('ds01-names-'), 'events.jsonl')
  writeFileSync(`${base}-20261128.gz`, gzipSync(v1('2026-11-27T10:00:00.000000Z', 'user.added', { details: { seq: 0 } }) + '\n'))
  writeFileSync(`${base}-20261129`, v1('2026-11-28T10:00:00.000000Z', 'user.added', { details: { seq: 1 } }) + '\n')
  writeFileSync(base, v1('2026-11-29T10:00:00.000000Z', 'user.added', { details: { seq: 2 } }) + '\n')
  const r = query(base, ['--all', '--json', '--since', '2026-11-01'])
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(seqs(r.stdout), [0, 1, 2])
})

test('numbered and dateext names mixed (a host that switched config), dateformat variants: one stream ordered by time; other names unread', () => {
  const dir = scratch('ds01-names-mixed-')
  const base = join(dir, 'events.jsonl')
  // the old config: dateext, two formats over time
  writeFileSync(`${base}-20261120.gz`, gzipSync(lines(0, 10)))
  writeFileSync(`${base}-2026-11-21.gz`, gzipSync(lines(10, 10, T0 + DAY - 10 * 60_000)))
  const s1 = Math.floor((T0 + 2 * DAY) / 1000)
  writeFileSync(`${base}-20261122-${s1}.gz`, gzipSync(lines(20, 10, T0 + 2 * DAY - 20 * 60_000)))
  writeFileSync(`${base}-20261122-${s1 + 3600}`, lines(30, 10, T0 + 2 * DAY - 30 * 60_000 + 3_600_000))
  // then the shipped numbered config
  writeFileSync(`${base}.3.gz`, gzipSync(lines(40, 10, T0 + 3 * DAY - 40 * 60_000)))
  writeFileSync(`${base}.2.gz`, gzipSync(lines(50, 10, T0 + 4 * DAY - 50 * 60_000)))
  writeFileSync(`${base}.1`, lines(60, 10, T0 + 5 * DAY - 60 * 60_000))
  writeFileSync(base, lines(70, 10, T0 + 6 * DAY - 70 * 60_000))
  // not generations
  for (const name of ['events.jsonl.backup', 'events.jsonl-old', 'events.jsonl.1.bak', 'events.jsonl-2026.gz', 'events.jsonl.gz', 'events.jsonl~', 'events.jsonl.2.gz.tmp', 'other.jsonl-20261121']) {
    writeFileSync(join(dir, name), lines(900, 3))
  }
  const r = query(base, ['--all', '--json'])
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stderr, '')
  assert.deepEqual(seqs(r.stdout), range(0, 80))
  const since = query(base, ['--all', '--json', '--since', new Date(T0 + 2 * DAY).toISOString()])
  assert.deepEqual(seqs(since.stdout), range(20, 80))
})

test('while logrotate compresses X into X.gz both exist: X is read, once', () => {
  const base = join(scratch('ds01-names-compressing-'), 'events.jsonl')
  writeFileSync(`${base}-20261120`, lines(0, 10))
  writeFileSync(`${base}-20261120.gz`, gzipSync(lines(0, 10)).subarray(0, 20)) // half written
  writeFileSync(`${base}.2`, lines(10, 10, T0))
  writeFileSync(`${base}.2.gz`, gzipSync(lines(10, 10, T0)))
  writeFileSync(base, lines(20, 10))
  const r = query(base, ['--all', '--json'])
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(seqs(r.stdout), range(0, 30))
})

const REAL = { skip: !IS_ROOT ? 'needs root (logrotate)' : !LOGROTATE ? 'needs logrotate (apt-get install logrotate)' : false }

function conf (base, scheme) {
  return `${base} {
    ${scheme}
    rotate 20
    missingok
    notifempty
    compress
    delaycompress
    create 0640 root root
}
`
}

test('the real logrotate: dateext (default and -%Y%m%d-%s), then the shipped numbered names: every event once, in order', REAL, () => {
  const dir = scratch('ds01-names-real-')
  const base = join(dir, 'events.jsonl')
  const state = join(dir, 'state')
  const rotate = (scheme) => {
    const file = join(dir, 'logrotate.conf')
    writeFileSync(file, conf(base, scheme))
    const r = spawnSync(LOGROTATE, ['-f', '-s', state, file], { encoding: 'utf8' })
    assert.equal(r.status, 0, r.stderr)
  }
  let seq = 0
  const write = (n) => {
    appendFileSync(base, lines(seq, n, Date.now() - 3_600_000))
    seq += n
  }
  write(5)
  rotate('dateext') // -YYYYMMDD
  const schemes = ['dateext\n    dateformat -%Y%m%d-%s', 'dateext\n    dateformat -%Y%m%d-%s', 'dateext\n    dateformat -%Y%m%d-%s', 'nodateext', 'nodateext', 'nodateext']
  for (const scheme of schemes) {
    write(5)
    // %s has one-second steps: two rotations within a second would have one name
    const wait = Date.now() + 1100
    while (Date.now() < wait) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50)
    rotate(scheme)
  }
  write(5)
  const names = readdirSync(dir).filter((n) => n.startsWith('events.jsonl')).sort()
  assert.ok(names.some((n) => /^events\.jsonl-\d{8}$/.test(n)), names.join(' '))
  assert.ok(names.some((n) => /^events\.jsonl-\d{8}-\d{10}\.gz$/.test(n)), names.join(' '))
  assert.ok(names.some((n) => /^events\.jsonl\.2\.gz$/.test(n)) && names.includes('events.jsonl.1'), names.join(' '))
  const r = query(base, ['--all', '--json'])
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(seqs(r.stdout), range(0, seq), names.join(' '))
})
