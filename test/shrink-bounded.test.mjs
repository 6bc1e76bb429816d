// Shrinking costs what can be written, not what was passed: a value that
// cannot fit is cut while it is serialised. Work is counted (element reads,
// getters, toJSON calls, peak memory), never timed.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { createEventLog } from '../dist/index.js'
import envelope from '../dist/event/envelope.js'
import { cleanEnv } from './helpers/cli.mjs'
import { REPO } from './helpers/system.mjs'
import { rawLines, readV1, tempLog, warningSink } from './helpers/v1-lines.mjs'

const CAP = envelope.MAX_VALUE_JSON
/** Two builds at most (the line, then the shrinking pass), each reading at most CAP elements. */
const MAX_READS = 2 * CAP + 100

function logOne (fields) {
  const path = tempLog()
  const sink = warningSink()
  const log = createEventLog({ path, onWarning: sink.onWarning })
  const logged = log.log('test.big', fields)
  log.close()
  const lines = rawLines(path)
  for (const line of lines) assert.ok(Buffer.byteLength(line) + 1 <= 4096, 'the line fits')
  return { logged, events: readV1(path), warnings: sink.messages }
}

/** A sparse array of `length` whose element reads are counted; past `budget` reads it throws (today's code would read them all). */
function countedSparseArray (length, budget) {
  const counts = { reads: 0 }
  const target = []
  target.length = length
  const proxy = new Proxy(target, {
    get (t, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key) && ++counts.reads > budget) throw new Error(`read ${counts.reads} elements`)
      return Reflect.get(t, key, receiver)
    },
    has (t, key) {
      if (typeof key === 'string' && /^\d+$/.test(key) && ++counts.reads > budget) throw new Error(`read ${counts.reads} elements`)
      return Reflect.has(t, key)
    }
  })
  return { proxy, counts }
}

test('a sparse array of length 1e7 is cut after a bounded number of element reads; the line is its JSON, cut', () => {
  const { proxy, counts } = countedSparseArray(1e7, 1e6)
  const { logged, events, warnings } = logOne({ a: proxy, kept: 'yes' })
  assert.equal(logged, true, warnings.join('\n'))
  assert.ok(counts.reads <= 2 * MAX_READS, `${counts.reads} element reads`)
  const d = events[0].details
  assert.equal(d.kept, 'yes')
  assert.equal(d.truncated, true)
  assert.ok(d.original_size > CAP, `original_size ${d.original_size}: at least what was serialised`)
  assert.match(d.a, /^\[null(,null)+,?n?u?l?l?\u2026$/)
  assert.ok(d.a.length > 3900, 'as much as fits is kept')
  assert.match(warnings.find((w) => w.includes('over the 4096-byte')), /was at least \d+ bytes/)
})

test('a plain sparse array of length 1e7, nested: logged, cut', () => {
  const a = []
  a.length = 1e7
  const { logged, events } = logOne({ nested: { deeper: [1, 'two', a] } })
  assert.equal(logged, true)
  assert.ok(events[0].details.nested.startsWith('{"deeper":[1,"two",[null,null,'))
})

test('an object of 200,000 getters: at most CAP of them run per pass', () => {
  let calls = 0
  const wide = {}
  for (let i = 0; i < 200_000; i++) Object.defineProperty(wide, 'k' + i, { enumerable: true, get: () => { calls++; return i } })
  const { logged, events } = logOne({ wide })
  assert.equal(logged, true)
  assert.ok(calls <= MAX_READS, `${calls} getters ran`)
  assert.ok(events[0].details.wide.startsWith('{"k0":0,"k1":1,"k2":2,'))
})

test('an array of 200,000 objects with toJSON: at most CAP toJSON calls per pass', () => {
  let calls = 0
  const item = { toJSON: () => { calls++; return 'x' } }
  const list = Array.from({ length: 200_000 }, () => item)
  const { logged, events } = logOne({ list })
  assert.equal(logged, true)
  assert.ok(calls <= MAX_READS, `${calls} toJSON calls`)
  assert.ok(events[0].details.list.startsWith('["x","x","x",'))
})

test('a nested string of 10 MB is cut before it is serialised; a "__proto__" key stays a key', () => {
  const big = 'y'.repeat(10 << 20)
  const fields = JSON.parse('{"__proto__":1}')
  Object.assign(fields, { inner: { big } })
  const { logged, events } = logOne(fields)
  assert.equal(logged, true)
  assert.equal(events[0].details.__proto__, 1)
  assert.ok(events[0].details.inner.startsWith('{"big":"yyyy'))
})

test('a user or source longer than a line is refused without being serialised', () => {
  const { logged, warnings } = logOne({ user: '\u0001'.repeat(10 << 20) })
  assert.equal(logged, false)
  assert.ok(warnings.some((w) => w.includes('truncation marker')))
})

/**
 * In a fresh child: runs `setup` (JavaScript defining the value), then logs
 * `fields` (a JavaScript expression) after a warm-up; returns whether it was
 * logged and how far the peak RSS grew during that one log(), in KiB.
 */
function logInChild (file, setup, fields) {
  const code = `
    const { createEventLog } = require(${JSON.stringify(join(REPO, 'dist', 'index.js'))})
    ${setup}
    const log = createEventLog({ path: ${JSON.stringify(file)}, onWarning: () => {} })
    log.log('test.warmup', { s: 'x'.repeat(5000) })
    const before = process.resourceUsage().maxRSS
    const logged = log.log('test.big', ${fields})
    log.close()
    process.stdout.write(JSON.stringify({ logged, growthKiB: process.resourceUsage().maxRSS - before }))`
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', env: cleanEnv() })
  assert.equal(r.status, 0, r.stderr)
  return JSON.parse(r.stdout)
}

test('a 10 MB string of control characters: one 4 KB line, and little memory (peak RSS, in a child)', () => {
  const file = tempLog()
  const out = logInChild(file, `
    const s = '\\u0001'.repeat(10 << 20)
    s.charCodeAt(s.length - 1) // flattened: its own memory is counted before`, "{ s, t: 'kept' }")
  assert.equal(out.logged, true)
  assert.ok(out.growthKiB < 32 * 1024, `peak RSS grew by ${out.growthKiB} KiB`)
  const events = readV1(file)
  const d = events[1].details
  assert.equal(d.t, 'kept')
  assert.equal(d.s, '\u0001'.repeat(d.s.length - 1) + '\u2026', 'control characters, cut')
  assert.ok(Buffer.byteLength(rawLines(file)[1]) + 1 > 4000, 'as much as fits is kept')
})

test('a typed array of 50 million elements: cut by its length, never listed key by key (peak RSS, in a child)', () => {
  const file = tempLog()
  const out = logInChild(file, 'const big = new Uint8Array(50e6).fill(7)', '{ big, small: new Uint8Array([1, 2]) }')
  assert.equal(out.logged, true)
  assert.ok(out.growthKiB < 32 * 1024, `peak RSS grew by ${out.growthKiB} KiB`)
  const d = readV1(file)[1].details
  assert.deepEqual(d.small, { 0: 1, 1: 2 }, 'as JSON.stringify writes it')
  assert.ok(d.big.startsWith('{"0":7,"1":7,"2":7,'))
})
