// Warnings cost bounded memory and bounded stderr lines, whatever the input:
// 113,000 distinct oversized event types, and 200 logs that all fail, print a
// bounded number of lines for the whole process and grow the heap by little.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cleanEnv, scratch } from './helpers/cli.mjs'
import { REPO } from './helpers/system.mjs'
import { warningSink } from './helpers/v1-lines.mjs'
import warnings from '../dist/common/warnings.js'

const INDEX = JSON.stringify(join(REPO, 'dist', 'index.js'))

function runChild (code, env) {
  const r = spawnSync(process.execPath, ['--expose-gc', '-e', code], { encoding: 'utf8', env: cleanEnv(env), maxBuffer: 256 << 20 })
  assert.equal(r.status, 0, r.stderr.slice(0, 2000))
  return { out: JSON.parse(r.stdout), lines: r.stderr.split('\n').filter((l) => l !== '') }
}

test('113,000 distinct oversized event types: bounded heap growth and bounded stderr lines', () => {
  // The log cannot be written (its directory is a file): each event is built and shrunk, then
  // fails fast, so the test measures the warnings, not 460 MB of disk writes.
  const notADir = join(scratch(), 'not-a-dir')
  writeFileSync(notADir, '')
  const { out, lines } = runChild(`
    const { logEvent } = require(${INDEX})
    const big = '\\u{1F600}'.repeat(1100) // 4400 bytes in 1100 characters: quick to cut
    const heap = () => { global.gc(); global.gc(); return process.memoryUsage().heapUsed }
    let failed = 0
    for (let i = 0; i < 3000; i++) logEvent('test.warmup' + i, { big })
    const before = heap()
    for (let i = 0; i < 113000; i++) if (!logEvent('test.t' + i, { big })) failed++
    process.stdout.write(JSON.stringify({ failed, growth: heap() - before }))`, { DS01_EVENTS_FILE: join(notADir, 'events.jsonl') })
  assert.equal(out.failed, 113_000)
  assert.ok(lines.length <= warnings.MAX_WARNINGS_PER_INTERVAL, `stderr lines bounded: ${lines.length}`)
  assert.match(lines[0], /was \d+ bytes, over the 4096-byte line limit/)
  assert.ok(out.growth < 2 * 1024 * 1024, `heap grew by ${out.growth} bytes`)
})

test('11,300 oversized events of distinct types that are written: each one shortened, a bounded number of stderr lines', () => {
  const file = join(scratch(), 'events.jsonl')
  const { out, lines } = runChild(`
    const { createEventLog } = require(${INDEX})
    const log = createEventLog({ path: ${JSON.stringify(file)} })
    const big = 'x'.repeat(5000)
    for (let i = 0; i < 11300; i++) log.log('test.t' + i, { big })
    log.close()
    process.stdout.write(JSON.stringify(log.stats()))`, {})
  assert.equal(out.truncated, 11_300)
  assert.equal(out.written, 11_300)
  assert.ok(lines.length <= warnings.MAX_WARNINGS_PER_INTERVAL, `stderr lines bounded: ${lines.length}`)
})

test('200 logs that all fail: the process prints a bounded number of lines, not one per log', () => {
  const notADir = join(scratch(), 'not-a-dir')
  writeFileSync(notADir, '')
  const { out, lines } = runChild(`
    const { createEventLog } = require(${INDEX})
    let failed = 0
    for (let i = 0; i < 200; i++) {
      const log = createEventLog({ path: ${JSON.stringify(notADir)} + '/events-' + i + '.jsonl' })
      if (!log.log('test.cli', { i })) failed++
      log.close()
    }
    process.stdout.write(JSON.stringify({ failed }))`, {})
  assert.equal(out.failed, 200)
  assert.equal(lines.length, warnings.MAX_WARNINGS_PER_INTERVAL, lines.join('\n'))
})

test('RateLimitedWarner: a sink has one budget per interval across warners and keys; the next line says what was held back', () => {
  let now = 1_000_000
  const { messages, onWarning } = warningSink()
  const warners = Array.from({ length: 5 }, () => new warnings.RateLimitedWarner(onWarning, 60_000, () => now))
  for (let i = 0; i < 1000; i++) warners[i % 5].warn(`key-${i}`, `warning ${i}`)
  assert.equal(messages.length, warnings.MAX_WARNINGS_PER_INTERVAL)
  now += 60_000
  warners[0].warn('late', 'late warning')
  assert.equal(messages.at(-1), `late warning (and ${1000 - warnings.MAX_WARNINGS_PER_INTERVAL} other warning(s) held back: at most ${warnings.MAX_WARNINGS_PER_INTERVAL} per 60 s)`)
})

test('RateLimitedWarner: the key table stays bounded under a stream of distinct keys', () => {
  let now = 1_000_000
  const { messages, onWarning } = warningSink()
  const warner = new warnings.RateLimitedWarner(onWarning, 1, () => now)
  for (let i = 0; i < 5 * warnings.MAX_WARNING_KEYS; i++) {
    now += 1 // a fresh window each time: only the key table is at stake
    warner.warn(`key-${i}`, 'm')
  }
  // the table is private: found by type, so the test does not depend on its name
  const table = Object.values(warner).find((v) => v instanceof Map)
  assert.equal(table.size, warnings.MAX_WARNING_KEYS)
  assert.equal(messages.length, 5 * warnings.MAX_WARNING_KEYS)
})
