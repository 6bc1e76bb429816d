// One damaged or odd timestamp costs at most its own line: the --since
// bisection, the --until early stop and the skipping of whole generations
// never trust one line's time. Each case is checked against the reference:
// every line read and compared (what a full scan with matches() selects).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { scratch } from './helpers/cli.mjs'
import { logFile, query, queryLines, v1 } from './helpers/query.mjs'

const T0 = Date.UTC(2026, 0, 1)
const HOUR = 3_600_000
const DAY = 24 * HOUR
const stamp = (ms) => new Date(ms).toISOString().replace('Z', '000Z')

/** n lines `stepMs` apart from `fromMs`, numbered from `first`. */
function lines (fromMs, n, first, stepMs = 10_000) {
  return Array.from({ length: n }, (_, i) => v1(stamp(fromMs + i * stepMs), 'test.time', { user: 'u', details: { seq: first + i, pad: 'p'.repeat(80) } }))
}
const odd = (ts, seq) => `{"timestamp":"${ts}","event_type":"test.time","schema_version":"1","user":"u","details":{"seq":${seq},"odd":true}}`
const text = (ls) => ls.map((l) => l + '\n').join('')
const seqs = (ls) => ls.map((l) => JSON.parse(l).details.seq)

/** The reference: every v1 line whose timestamp text is within [since, until] (the odd lines' own fate aside). */
function expected (all, since, until) {
  return seqs(all.filter((l) => {
    const e = JSON.parse(l)
    if (e.details.odd) return false
    return (since === undefined || e.timestamp >= stamp(since)) && (until === undefined || e.timestamp <= stamp(until))
  }))
}

function got (path, since, until) {
  const args = []
  if (since !== undefined) args.push('--since', new Date(since).toISOString())
  if (until !== undefined) args.push('--until', new Date(until).toISOString())
  return seqs(queryLines(path, args).filter((l) => !JSON.parse(l).details.odd))
}

/** events.jsonl.2.gz, .1 and the current file, a day each; mtimes as a rotation leaves them (the last line's time). */
function rotated (days) {
  const dir = scratch('ds01-query-time-')
  const base = join(dir, 'events.jsonl')
  const names = [`${base}.2.gz`, `${base}.1`, base]
  days.forEach((ls, i) => {
    writeFileSync(names[i], i === 0 ? gzipSync(text(ls)) : text(ls))
    const last = Math.max(...ls.map((l) => Date.parse(JSON.parse(l).timestamp)).filter((t) => t < Date.UTC(2030, 0, 1)))
    utimesSync(names[i], new Date(last + 1000), new Date(last + 1000))
  })
  return base
}

test('one line from 2099 in an old .gz (first, or in the middle): --until and --since with it miss nothing', () => {
  for (const where of ['first', 'middle']) {
    const day0 = lines(T0, 3000, 0)
    const at = where === 'first' ? 0 : 1500
    day0.splice(at, 0, odd('2099-01-01T00:00:00.000000Z', -1))
    const all = [day0, lines(T0 + DAY, 3000, 10_000), lines(T0 + 2 * DAY, 3000, 20_000)]
    const base = rotated(all)
    const flat = all.flat()
    for (const [since, until] of [[undefined, T0 + DAY + 12 * HOUR], [T0 + 2 * HOUR, T0 + DAY + 2 * HOUR], [T0 + 6 * HOUR, T0 + 7 * HOUR]]) {
      assert.deepEqual(got(base, since, until), expected(flat, since, until), `2099 ${where}: ${since} .. ${until}`)
    }
  }
})

test('one garbage timestamp (27 characters, any shape) before --until does not end the scan', () => {
  for (const garbage of ['ZZZZZZZZZZZZZZZZZZZZZZZZZZZ', '9999-99-99T99:99:99.999999Z', '2099-13-45T25:61:61.000000Z']) {
    const all = lines(T0, 4000, 0)
    all.splice(1000, 0, odd(garbage, -1))
    const path = logFile(all)
    const until = T0 + 3000 * 10_000
    assert.deepEqual(got(path, undefined, until), expected(all, undefined, until), garbage)
    assert.deepEqual(got(path, T0 + 500 * 10_000, until), expected(all, T0 + 500 * 10_000, until), garbage)
  }
})

test('40 lines an hour ahead (a clock briefly wrong) do not end an --until scan', () => {
  const all = lines(T0, 20_000, 0)
  for (let i = 0; i < 40; i++) all[5000 + i] = odd(stamp(T0 + (5000 + i) * 10_000 + HOUR), 5000 + i)
  const path = logFile(all)
  for (const until of [T0 + 5100 * 10_000, T0 + 5300 * 10_000, T0 + 19_999 * 10_000]) {
    assert.deepEqual(got(path, undefined, until), expected(all, undefined, until))
    assert.deepEqual(got(path, T0 + 4000 * 10_000, until), expected(all, T0 + 4000 * 10_000, until))
  }
})

test('500 lines at 2000-01-01 in the middle of a file (a boot before NTP): --since still finds every line', () => {
  const all = lines(T0, 40_000, 0)
  for (let i = 0; i < 500; i++) all[24_000 + i] = odd(stamp(Date.UTC(2000, 0, 1) + i * 1000), 24_000 + i)
  const path = logFile(all)
  for (const cut of [4_000, 10_000, 20_000, 23_900, 24_600, 30_000, 39_000]) {
    const since = T0 + cut * 10_000
    assert.deepEqual(got(path, since), expected(all, since), `since line ${cut}`)
  }
})

test('a first line from 1970 in the current file does not make --since skip the .1', () => {
  const current = [odd('1970-01-01T00:00:00.000000Z', -1), ...lines(T0 + 2 * DAY, 3000, 20_000)]
  const all = [lines(T0, 3000, 0), lines(T0 + DAY, 3000, 10_000), current]
  const base = rotated(all)
  const flat = all.flat()
  for (const since of [T0 + DAY + 2 * HOUR, T0 + DAY + 8 * HOUR, T0 + 2 * DAY + HOUR]) {
    assert.deepEqual(got(base, since), expected(flat, since), `since ${new Date(since).toISOString()}`)
  }
})

test('generations wholly outside the range are still left unread, and a log past --until still ends the scan', () => {
  const all = [lines(T0, 3000, 0), lines(T0 + DAY, 3000, 10_000), lines(T0 + 2 * DAY, 3000, 20_000)]
  const base = rotated(all)
  // damage in the .2.gz: a query that reads it counts the skip
  writeFileSync(`${base}.2.gz`, gzipSync(text(all[0]) + 'damaged\n'))
  utimesSync(`${base}.2.gz`, new Date(T0 + DAY - 1000), new Date(T0 + DAY - 1000))
  assert.match(query(base, ['--all', '--json']).stderr, /skipped 1 line/)
  const since = query(base, ['--all', '--json', '--since', new Date(T0 + DAY + HOUR).toISOString()])
  assert.doesNotMatch(since.stderr, /skipped/, 'the .2.gz was not read')
  // more than STOP_RUN_LINES lines past --until end the scan: damage after them is not looked at
  const long = [...lines(T0, 3000, 0), 'damaged after the stop']
  const path = logFile(long)
  const r = query(path, ['--all', '--json', '--until', new Date(T0 + 500 * 10_000).toISOString()])
  assert.doesNotMatch(r.stderr, /skipped/, 'the scan stopped before the damage')
  assert.equal(r.stdout.trim().split('\n').length, 501)
})
