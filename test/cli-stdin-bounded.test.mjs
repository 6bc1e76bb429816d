// `log --stdin` with input lines of any length: an overlong line (100 MB, or
// 600 MB, without a newline) is reported and skipped with bounded memory, and
// the valid lines after it are logged. The input is generated and piped, never
// written to disk; the child reports its peak RSS.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { CLI, cleanEnv, scratch } from './helpers/cli.mjs'
import { readEvents } from './helpers/events.mjs'

const REPORT_RSS = new URL('./helpers/report-max-rss.cjs', import.meta.url).pathname
const MB = 1 << 20

/** Feeds `parts` (strings, or {repeat, times} for a long run of bytes) to `log --stdin`. */
function logStdin (file, parts) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', REPORT_RSS, CLI, 'log', '--stdin', '--file', file], {
      env: cleanEnv(),
      stdio: ['pipe', 'pipe', 'pipe']
    })
    let stderr = ''
    child.stdout.resume()
    child.stderr.setEncoding('utf8').on('data', (s) => { stderr += s })
    child.stdin.on('error', () => {}) // an early exit is what the assertions report
    child.on('error', reject)
    child.on('close', (status) => {
      const rss = /max-rss-kib=(\d+)/.exec(stderr)
      resolve({ status, stderr: stderr.replace(/max-rss-kib=\d+\n/, ''), maxRssBytes: rss ? Number(rss[1]) * 1024 : NaN })
    })
    ;(async () => {
      for (const part of parts) {
        if (typeof part === 'string') {
          if (!child.stdin.write(part)) await new Promise((resolve) => child.stdin.once('drain', resolve))
          continue
        }
        for (let i = 0; i < part.times; i++) {
          if (!child.stdin.write(part.repeat)) await new Promise((resolve) => child.stdin.once('drain', resolve))
        }
      }
      child.stdin.end()
    })().catch(reject)
  })
}

const line = (n) => JSON.stringify({ event_type: 'test.cli', details: { n } }) + '\n'

test('baseline and overlong lines: 100 MB and 600 MB without a newline are skipped; the lines after are logged; memory stays bounded', async () => {
  const dir = scratch()
  const baseline = await logStdin(join(dir, 'baseline.jsonl'), [line(1)])
  assert.equal(baseline.status, 0, baseline.stderr)
  assert.ok(Number.isFinite(baseline.maxRssBytes), 'the child reported its peak RSS')

  const block = Buffer.alloc(MB, 'x') // one MiB of one long line
  for (const size of [100, 600]) {
    const file = join(dir, `overlong-${size}.jsonl`)
    const r = await logStdin(file, [line(1), { repeat: block, times: size }, '\n', line(2), line(3)])
    assert.equal(r.status, 1, `exit 1: a line was skipped\n${r.stderr}`)
    assert.doesNotMatch(r.stderr, /RangeError|at .*\.js:\d+/, 'no stack trace')
    assert.match(r.stderr, new RegExp(`line 2: skipped: ${size * MB} bytes, over the ${MB}-byte limit`))
    assert.match(r.stderr, /1 of 4 events not logged/)
    assert.deepEqual(readEvents(file).map((e) => e.details.n), [1, 2, 3], 'the valid lines around it are logged')
    const growth = r.maxRssBytes - baseline.maxRssBytes
    // Well under the 100 MiB line itself (the old reader grew by ~285 MiB); room for GC timing under load.
    assert.ok(growth < 80 * MB, `peak RSS grew by ${Math.round(growth / MB)} MiB for a ${size} MiB line (baseline ${Math.round(baseline.maxRssBytes / MB)} MiB)`)
  }
})

test('a line of exactly the limit is read; one byte more is skipped; CRLF does not count', async () => {
  const dir = scratch()
  const file = join(dir, 'edge.jsonl')
  // a valid event padded with spaces to exactly MB bytes (JSON allows trailing blanks)
  const exact = (text) => text + ' '.repeat(MB - Buffer.byteLength(text))
  const r = await logStdin(file, [exact(line(1).trim()) + '\r\n', exact(line(2).trim()) + ' \n', line(3)])
  assert.equal(r.status, 1, r.stderr)
  assert.match(r.stderr, new RegExp(`line 2: skipped: ${MB + 1} bytes`))
  assert.deepEqual(readEvents(file).map((e) => e.details.n), [1, 3])
})
