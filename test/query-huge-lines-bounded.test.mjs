// Huge foreign lines (3.5 MB each, the writers' are at most 4096 bytes) do
// not make the --limit window grow with them: a line over 64 KiB is held only
// as what the human output shows of it (cut, with a marker), and --json leaves
// it out of a held window, counted on stderr. Peak memory is measured in the
// child (max RSS), never time.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { closeSync, openSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { CLI, cleanEnv, scratch } from './helpers/cli.mjs'
import { logFile, v1 } from './helpers/query.mjs'

const REPORT_RSS = new URL('./helpers/report-max-rss.cjs', import.meta.url).pathname
const MB = 1 << 20
const LINES = 24
const BLOB = 'x'.repeat(3_500_000)
const ts = (i) => `2026-01-30T14:${String(i).padStart(2, '0')}:00.000000Z`

function run (path, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', REPORT_RSS, CLI, 'query', '--file', path, ...args], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (s) => { stdout += s })
    child.stderr.setEncoding('utf8').on('data', (s) => { stderr += s })
    child.on('error', reject)
    child.on('close', (status) => {
      const rss = /max-rss-kib=(\d+)/.exec(stderr)
      resolve({ status, stdout, stderr: stderr.replace(/max-rss-kib=\d+\n/, ''), rss: rss ? Number(rss[1]) * 1024 : NaN })
    })
  })
}

function hugeLog () {
  const path = join(scratch('ds01-query-huge-'), 'events.jsonl')
  const fd = openSync(path, 'w')
  try {
    for (let i = 0; i < LINES; i++) writeSync(fd, v1(ts(i), 'test.big', { user: 'alice', details: { n: i, blob: BLOB } }) + '\n')
    writeSync(fd, v1(ts(30), 'test.small', { user: 'alice', details: { n: 99 } }) + '\n')
  } finally {
    closeSync(fd)
  }
  return path
}

test('the --limit window holds huge lines cut: human output shows them cut, memory stays flat', async () => {
  const small = logFile([v1(ts(0), 'test.small', { user: 'alice', details: { n: 0 } })])
  const path = hugeLog()
  const baseline = await run(small, ['--limit', String(LINES + 1)])
  assert.ok(Number.isFinite(baseline.rss), 'the child reported its peak RSS')

  const human = await run(path, ['--limit', String(LINES + 1)])
  assert.equal(human.status, 0, human.stderr)
  const rows = human.stdout.trim().split('\n')
  assert.equal(rows.length, LINES + 1)
  assert.match(rows[0], /test\.big +alice +- +n=0 blob=x{1000,}\u2026 \[cut: the line has \d+ characters; --json prints it\]$/)
  assert.ok(rows[0].length < 20_000, `a row of ${rows[0].length} characters`)
  assert.match(rows[LINES], /test\.small +alice +- +n=99$/)
  // 24 lines of 3.5 MB: the old reader held them all, whole, and grew by ~490 MiB
  const growth = human.rss - baseline.rss
  assert.ok(growth < 160 * MB, `human output: peak RSS grew by ${Math.round(growth / MB)} MiB (baseline ${Math.round(baseline.rss / MB)} MiB)`)

  const json = await run(path, ['--json', '--limit', String(LINES + 1)])
  assert.equal(json.status, 0, json.stderr)
  assert.deepEqual(json.stdout.trim().split('\n').map((l) => JSON.parse(l).details.n), [99], 'only the line it could hold whole')
  assert.equal(json.stderr, `ds01-events query: ${LINES} matching lines over 64 KiB not printed: the --limit window does not hold such lines whole (--all --json streams them)\n`)
  // the old reader grew by ~250 MiB
  const jsonGrowth = json.rss - baseline.rss
  assert.ok(jsonGrowth < 80 * MB, `--json: peak RSS grew by ${Math.round(jsonGrowth / MB)} MiB`)

  // streamed, they come out whole, byte for byte
  const all = await run(path, ['--json', '--all'])
  assert.equal(all.status, 0, all.stderr)
  const out = all.stdout.trim().split('\n')
  assert.equal(out.length, LINES + 1)
  assert.equal(JSON.parse(out[3]).details.blob, BLOB)
})

test('a huge line among the window keeps its place: the window is still the last N matches', async () => {
  const path = logFile([
    v1(ts(0), 'test.small', { details: { n: 0 } }),
    v1(ts(1), 'test.big', { details: { n: 1, blob: 'y'.repeat(100_000) } }),
    v1(ts(2), 'test.small', { details: { n: 2 } })
  ])
  const json = await run(path, ['--json', '--limit', '2'])
  assert.deepEqual(json.stdout.trim().split('\n').map((l) => JSON.parse(l).details.n), [2])
  assert.match(json.stderr, /1 matching line over 64 KiB not printed/)
  const human = await run(path, ['--limit', '2'])
  assert.deepEqual(human.stdout.trim().split('\n').map((l) => /n=(\d+)/.exec(l)[1]), ['1', '2'])
})
