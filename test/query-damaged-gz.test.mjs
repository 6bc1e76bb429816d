// A damaged .gz is read as zcat reads it, and the damage is said (status 1):
// trailing bytes after a valid member cost nothing of the member; a corrupt
// byte in the middle costs what comes after it, never what came before
// (gzip's own decoder may go on past it, printing what may be garbled, and
// then fail its CRC check; zlib stops there, and so does the reader);
// multi-member files are read whole.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { constants, gunzipSync, gzipSync } from 'node:zlib'
import { scratch } from './helpers/cli.mjs'
import { query, v1 } from './helpers/query.mjs'

const T0 = Date.UTC(2026, 10, 1)
const lines = (from, n) => Array.from({ length: n }, (_, i) => v1(new Date(T0 + (from + i) * 1000), 'gpu.allocate', { details: { seq: from + i, noise: createHash('sha256').update(String(from + i)).digest('hex').slice(0, 24) } }) + '\n').join('')
const seqs = (stdout) => stdout.trim() === '' ? [] : stdout.trim().split('\n').map((l) => JSON.parse(l).details.seq)
const range = (a, b) => Array.from({ length: b - a }, (_, i) => a + i)

/** The complete lines zcat gets out of a file. */
function zcatLines (path) {
  const r = spawnSync('gzip', ['-dc', path], { maxBuffer: 1 << 28 })
  const text = r.stdout.toString('utf8')
  return text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter((l) => l !== '')
}

function logWith (gz) {
  const base = join(scratch('ds01-damaged-gz-'), 'events.jsonl')
  writeFileSync(`${base}.2.gz`, gz)
  writeFileSync(base, lines(1_000_000, 3))
  return base
}

test('trailing bytes after a valid member (gzip: "trailing garbage ignored"): every line of the member, the bytes said', () => {
  const base = logWith(Buffer.concat([gzipSync(lines(0, 1000)), Buffer.from('garbage after the member\n')]))
  assert.equal(zcatLines(`${base}.2.gz`).length, 1000)
  const r = query(base, ['--all', '--json'])
  assert.deepEqual(seqs(r.stdout), [...range(0, 1000), 1_000_000, 1_000_001, 1_000_002])
  assert.equal(r.status, 1)
  assert.match(r.stderr, /events\.jsonl\.2\.gz has 25 bytes that are not gzip after its last whole member/)
  assert.doesNotMatch(r.stderr, /not a JSON event/)
})

test('a multi-member .gz (members concatenated, as `cat a.gz b.gz`) is read whole', () => {
  const base = logWith(Buffer.concat([gzipSync(lines(0, 500)), gzipSync(lines(500, 500)), gzipSync(lines(1000, 10))]))
  const r = query(base, ['--all', '--json'])
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stderr, '')
  assert.deepEqual(seqs(r.stdout).slice(0, 1010), range(0, 1010))
})

/** The complete lines before byte i of a .gz: what decompressing its first i bytes gives. */
function linesBefore (gz, i) {
  const text = gunzipSync(gz.subarray(0, i), { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8')
  return text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter((l) => l !== '')
}

test('a corrupt byte in the middle: every line before it (what zcat reads before it), the damage said', () => {
  const gz = gzipSync(lines(0, 20_000))
  for (const at of [0.3, 0.6, 0.9]) {
    const bad = Buffer.from(gz)
    const i = Math.floor(bad.length * at)
    bad[i] ^= 0xff
    bad[i + 1] ^= 0x55
    const base = logWith(bad)
    const before = linesBefore(bad, i)
    const zcat = zcatLines(`${base}.2.gz`)
    assert.deepEqual(zcat.slice(0, before.length), before, 'zcat reads them too')
    const r = query(base, ['--all', '--json'])
    assert.equal(r.status, 1)
    assert.match(r.stderr, /events\.jsonl\.2\.gz is damaged at byte \d+ of \d+/)
    const got = r.stdout.trim().split('\n').slice(0, -3)
    assert.ok(before.length > 1000, `${before.length} lines before the damage at ${at}`)
    assert.ok(got.length >= before.length, `at ${at}: ${got.length} lines read, ${before.length} before the damage`)
    assert.deepEqual(got.slice(0, before.length), before, 'the same lines')
    // past the lines before it, zlib may give a few garbled bytes before it notices (those lines are
    // the line checks' business): what parses comes in order, once
    const parsed = got.flatMap((l) => { try { return [JSON.parse(l).details.seq] } catch { return [] } })
    assert.ok(parsed.every((seq, k) => k === 0 || seq > parsed[k - 1]), 'nothing out of order, nothing twice')
  }
})
