// File handles: every one is closed explicitly, never left to the garbage
// collector, and only a bounded number is open at once, however many
// generations there are: many .gz generations larger than 64 KiB (so streams
// really read in several pieces) under a low `ulimit -n`.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { writeFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { CLI, cleanEnv, scratch } from './helpers/cli.mjs'
import { v1 } from './helpers/query.mjs'

const HOUR = 3_600_000
const T0 = Date.UTC(2026, 10, 1)
const GENERATIONS = 100
const PER = 1200

function build () {
  const base = join(scratch('ds01-handles-'), 'events.jsonl')
  for (let g = GENERATIONS; g >= 1; g--) {
    const start = T0 + (GENERATIONS - g) * HOUR
    const text = Array.from({ length: PER }, (_, i) => v1(new Date(start + i * 2500), 'gpu.allocate', { user: 'alice', details: { seq: (GENERATIONS - g) * PER + i, noise: randomBytes(48).toString('hex') } }) + '\n').join('')
    writeFileSync(`${base}.${g}${g === 1 ? '' : '.gz'}`, g === 1 ? text : gzipSync(text))
  }
  writeFileSync(base, v1(new Date(T0 + GENERATIONS * HOUR), 'gpu.allocate', { user: 'alice', details: { seq: GENERATIONS * PER } }) + '\n')
  assert.ok(statSync(`${base}.2.gz`).size > 64 << 10, 'each .gz is larger than 64 KiB')
  return base
}

function queryUnderUlimit (base, args) {
  const r = spawnSync('bash', ['-c', 'ulimit -n 64 && exec "$0" "$@"', process.execPath, CLI, 'query', '--file', base, ...args], { encoding: 'utf8', env: cleanEnv(), maxBuffer: 1 << 28 })
  return r
}

test(`${GENERATIONS} large .gz generations under ulimit -n 64: every event, no handle left to the garbage collector`, () => {
  const base = build()
  const total = GENERATIONS * PER + 1
  const all = queryUnderUlimit(base, ['--all', '--json'])
  assert.equal(all.status, 0, all.stderr)
  assert.equal(all.stdout.trim().split('\n').length, total)
  assert.doesNotMatch(all.stderr, /Closing file descriptor|DEP0137|EMFILE/)

  // --since: the first-line probe of every generation, then the ones in range
  const cut = 40
  const since = new Date(T0 + cut * HOUR).toISOString()
  const r = queryUnderUlimit(base, ['--all', '--json', '--since', since])
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stderr, '')
  const seqs = r.stdout.trim().split('\n').map((l) => JSON.parse(l).details.seq)
  assert.equal(seqs.length, total - cut * PER)
  assert.equal(seqs[0], cut * PER)

  const summary = queryUnderUlimit(base, ['--summary', '--json', '--since', since])
  assert.equal(summary.status, 0, summary.stderr)
  assert.equal(JSON.parse(summary.stdout).total, total - cut * PER)
  assert.equal(summary.stderr, '')
})

test('the README\'s --since query over .gz generations: no garbage-collection warning even when the collector runs', () => {
  const base = join(scratch('ds01-handles-gc-'), 'events.jsonl')
  for (let g = 6; g >= 2; g--) {
    const text = Array.from({ length: PER }, (_, i) => v1(new Date(T0 + (6 - g) * HOUR + i * 2500), 'gpu.allocate', { details: { noise: randomBytes(48).toString('hex') } }) + '\n').join('')
    writeFileSync(`${base}.${g}.gz`, gzipSync(text))
  }
  writeFileSync(base, v1(new Date(T0 + 7 * HOUR), 'gpu.allocate') + '\n')
  // a collection after the probes: a handle left open would be closed by it, with the warning
  const r = spawnSync(process.execPath, ['--expose-gc', '-e', `
    process.argv = [process.argv[0], ${JSON.stringify(CLI)}, 'query', '--file', ${JSON.stringify(base)}, '--since', ${JSON.stringify(new Date(T0 + 5 * HOUR).toISOString())}]
    setInterval(() => global.gc(), 5).unref()
    require(${JSON.stringify(CLI)})
  `], { encoding: 'utf8', env: cleanEnv() })
  assert.equal(r.status, 0, r.stderr)
  assert.doesNotMatch(r.stderr, /Closing file descriptor|DEP0137/)
})
