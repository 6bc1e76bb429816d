// Rotated generations (.1, .2.gz, ... as the shipped logrotate config names
// them) read oldest first as one stream; generations outside --since/--until
// are not read; --since seeks in a plain file instead of scanning it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { utimesSync, writeFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { scratch } from './helpers/cli.mjs'
import { logFile, query, queryLines, v1 } from './helpers/query.mjs'

const HOUR = 3_600_000
const T0 = Date.UTC(2026, 0, 1)

/** n events, one every `stepMs` from `fromMs`, numbered from `first`. */
function events (fromMs, n, first, stepMs = 60_000) {
  return Array.from({ length: n }, (_, i) => v1(new Date(fromMs + i * stepMs), i % 3 === 0 ? 'gpu.allocate' : 'container.start', { user: `u${(first + i) % 5}`, details: { seq: first + i } }))
}
const text = (lines) => lines.map((l) => l + '\n').join('')
const seqs = (lines) => lines.map((l) => JSON.parse(l).details.seq)

/** A directory with events.jsonl and its generations: .1 plain, .2.gz and .3.gz, one day each, oldest in .3.gz. */
function rotatedLog ({ damagedIn = null } = {}) {
  const dir = scratch('ds01-query-rot-')
  const base = join(dir, 'events.jsonl')
  const days = [0, 1, 2, 3].map((d) => events(T0 + d * 24 * HOUR, 100, d * 100))
  const piece = (d) => text(days[d]) + (damagedIn === d ? 'damaged line\n' : '')
  writeFileSync(`${base}.3.gz`, gzipSync(piece(0)))
  writeFileSync(`${base}.2.gz`, gzipSync(piece(1)))
  writeFileSync(`${base}.1`, piece(2))
  writeFileSync(base, piece(3))
  // mtimes as rotation leaves them: each file last written at its last event (the reader's --since bound)
  ;[`${base}.3.gz`, `${base}.2.gz`, `${base}.1`, base].forEach((p, d) => {
    const last = new Date(T0 + d * 24 * HOUR + 99 * 60_000 + 1000)
    utimesSync(p, last, last)
  })
  // names that are not generations of this log
  writeFileSync(`${base}.backup`, text(events(T0, 3, 9000)))
  writeFileSync(join(dir, 'other.jsonl.1'), text(events(T0, 3, 9100)))
  return base
}

test('the current file and its generations are one stream, oldest first, .gz decompressed', () => {
  const base = rotatedLog()
  const all = queryLines(base)
  assert.deepEqual(seqs(all), Array.from({ length: 400 }, (_, i) => i))
  const summary = JSON.parse(query(base, ['--summary', '--json']).stdout)
  assert.equal(summary.total, 400)
  assert.deepEqual(Object.keys(summary.by_day), ['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04'])
  assert.deepEqual(seqs(queryLines(base, ['--user', 'u2', '--type', 'gpu'])), Array.from({ length: 400 }, (_, i) => i).filter((i) => i % 5 === 2 && (i % 100) % 3 === 0))
})

test('a generation outside --since/--until is not read (its damage is never seen)', () => {
  // damage in the oldest .gz: a query that reads it reports the skip, one that skips the file cannot
  const base = rotatedLog({ damagedIn: 0 })
  const reading = query(base, ['--all', '--json'])
  assert.match(reading.stderr, /skipped 1 line/)
  const since = query(base, ['--all', '--json', '--since', new Date(T0 + 48 * HOUR).toISOString()])
  assert.equal(since.stderr, '', 'the oldest generation was not scanned')
  assert.deepEqual(seqs(since.stdout.trim().split('\n')), Array.from({ length: 200 }, (_, i) => 200 + i))

  const newest = rotatedLog({ damagedIn: 3 })
  const untilR = query(newest, ['--all', '--json', '--until', new Date(T0 + 24 * HOUR + 30 * 60_000).toISOString()])
  assert.equal(untilR.stderr, '', 'the current file was not scanned')
  assert.deepEqual(seqs(untilR.stdout.trim().split('\n')), Array.from({ length: 131 }, (_, i) => i))
})

test('a damaged .gz is read as far as it goes and said (status 1), and the others still are', () => {
  const base = rotatedLog()
  const good = gzipSync(text(events(T0 - 24 * HOUR, 50, -50)))
  writeFileSync(`${base}.4.gz`, good.subarray(0, good.length - 20)) // cut: no gzip trailer
  const r = query(base, ['--all', '--json'])
  assert.equal(r.status, 1)
  assert.match(r.stderr, /not read: .*events\.jsonl\.4\.gz ends early/)
  const got = seqs(r.stdout.trim().split('\n'))
  assert.deepEqual(got.slice(-400), Array.from({ length: 400 }, (_, i) => i))
})

test('--since seeks: a large file is bisected, not scanned from its start', () => {
  // 40,000 events an hour apart's worth of minutes, with damaged lines in the first half:
  // a scan from the start would count them; the seek starts past them
  const lines = []
  for (let i = 0; i < 40_000; i++) {
    lines.push(v1(new Date(T0 + i * 60_000), 'test.cli', { details: { seq: i, pad: 'p'.repeat(60) } }))
    if (i < 20_000 && i % 1000 === 0) lines.push('garbage that only a scan would see')
  }
  const path = logFile(lines)
  const sinceMs = T0 + 39_000 * 60_000
  const r = query(path, ['--all', '--json', '--since', new Date(sinceMs).toISOString()])
  assert.equal(r.status, 0)
  assert.equal(r.stderr, '', 'nothing before the seek point was read')
  assert.deepEqual(seqs(r.stdout.trim().split('\n')), Array.from({ length: 1000 }, (_, i) => 39_000 + i))
  assert.match(query(path, ['--all', '--json']).stderr, /skipped 20 lines/, 'the damage is there for a full scan')
})

test('--since tolerates writers slightly out of order (within the 5-minute slack)', () => {
  // concurrent and batched writers: each stamp up to 3 minutes off the order of the lines.
  // Lines of 1 KB a second apart: one bisection probe (64 KB) spans about a minute, so
  // only the slack (not the probe's size) can keep the seek before every late stamp.
  let seed = 7
  const jitter = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return (seed % 360_001) - 180_000 }
  const stamps = Array.from({ length: 20_000 }, (_, i) => T0 + i * 1000 + jitter())
  const lines = stamps.map((t, i) => v1(new Date(t), 'test.cli', { details: { seq: i, pad: 'p'.repeat(900) } }))
  const path = logFile(lines)
  for (const cut of [5_000, 17_345, 19_900]) {
    const since = T0 + cut * 1000
    const expected = stamps.map((t, i) => [t, i]).filter(([t]) => t >= since).map(([, i]) => i)
    assert.deepEqual(seqs(queryLines(path, ['--since', new Date(since).toISOString()])), expected, `since line ${cut}`)
  }
})

test('a FIFO or a directory is not a log: refused at once (status 1), never waited on; a FIFO generation is passed over', () => {
  const base = rotatedLog()
  const fifo = base.replace(/events\.jsonl$/, 'fifo.jsonl')
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0)
  const r = query(fifo, [])
  assert.equal(r.status, 1)
  assert.match(r.stderr, /is not a regular file/)
  const dir = query(base.replace(/events\.jsonl$/, ''), [])
  assert.equal(dir.status, 1)
  assert.match(dir.stderr, /is a directory/)
  assert.equal(spawnSync('mkfifo', [`${base}.5`]).status, 0)
  assert.equal(queryLines(base).length, 400)
})

test('a "line" of megabytes without a newline is damage: dropped and counted once, the lines around it read', () => {
  const good = events(T0, 3, 0)
  const junk = 'x'.repeat(9 << 20) // longer than the 4 MiB read buffer
  const plain = logFile([good[0], junk, good[1], good[2]])
  const r = query(plain, ['--all', '--json'])
  assert.deepEqual(seqs(r.stdout.trim().split('\n')), [0, 1, 2])
  assert.equal(r.stderr, 'ds01-events query: skipped 1 line: 1 not a JSON event\n')

  const base = join(scratch('ds01-query-long-'), 'events.jsonl')
  writeFileSync(`${base}.2.gz`, gzipSync(text([good[0], junk, good[1]])))
  writeFileSync(base, text([good[2]]))
  const gz = query(base, ['--all', '--json'])
  assert.deepEqual(seqs(gz.stdout.trim().split('\n')), [0, 1, 2])
  assert.equal(gz.stderr, 'ds01-events query: skipped 1 line: 1 not a JSON event\n')
})
