// Warnings say what to do, and cannot flood: the same warning at most once
// per minute per kind, then with a count of what it held back.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { createEventLog } from '../dist/index.js'
import warnings from '../dist/common/warnings.js'
import { tempLog, warningSink } from './helpers/v1-lines.mjs'

const root = new URL('..', import.meta.url).pathname
const isRoot = process.getuid?.() === 0

test('RateLimitedWarner: once per interval per key, then the count it held back', () => {
  let now = 1_000_000
  const { messages, onWarning } = warningSink()
  const warner = new warnings.RateLimitedWarner(onWarning, 60_000, () => now)
  for (let i = 0; i < 1000; i++) warner.warn('a', 'disk full')
  warner.warn('b', 'other kind')
  assert.deepEqual(messages, ['disk full', 'other kind'])
  now += 59_999
  warner.warn('a', 'disk full')
  assert.equal(messages.length, 2)
  now += 1
  warner.warn('a', 'disk full')
  assert.deepEqual(messages.slice(2), ['disk full (1000 more like this in the last 60 s)'])
  now += 60_000
  warner.warn('a', 'disk full')
  assert.equal(messages[3], 'disk full', 'nothing held back this time, no count')
})

test('a log failing 100,000 times warns once, and says what to do', () => {
  const dir = path.dirname(tempLog())
  const file = path.join(dir, 'not-a-dir')
  fs.writeFileSync(file, '')
  const { messages, onWarning } = warningSink()
  const log = createEventLog({ path: path.join(file, 'events.jsonl'), onWarning })
  for (let i = 0; i < 100_000; i++) assert.equal(log.log('test.cli', { result: 'ok' }), false)
  log.close()
  assert.equal(messages.length, 1, messages.join('\n'))
  assert.match(messages[0], /^ds01-events: could not write 1 event to .*not-a-dir\/events\.jsonl \(ENOTDIR: .*\): .*sudo ds01-events setup/)
  assert.equal(log.stats().dropped, 100_000)
})

test('a throwing onWarning does not reach the caller', () => {
  const log = createEventLog({ path: tempLog(), onWarning: () => { throw new Error('sink broke') } })
  assert.equal(log.log('Not.Valid', {}), false)
  assert.equal(log.log('test.cli', { f: () => 1 }), false)
  log.close()
})

test('EACCES: the warning on stderr names the group to join and the setup command', () => {
  const dir = path.join(path.dirname(tempLog()), 'read-only')
  fs.mkdirSync(dir)
  fs.chmodSync(dir, 0o555)
  const file = path.join(dir, 'events.jsonl')
  const code = `const { logEvent } = require(${JSON.stringify(path.join(root, 'dist', 'index.js'))})
    const results = []
    for (let i = 0; i < 1000; i++) results.push(logEvent('test.cli', { result: 'ok' }))
    process.stdout.write(JSON.stringify(results.every((r) => r === false)))`
  // As root the permission check is bypassed: run the child as nobody.
  const asNobody = isRoot ? { uid: 65534, gid: 65534 } : {}
  const r = spawnSync(process.execPath, ['-e', code], { env: { ...process.env, DS01_EVENTS_FILE: file }, encoding: 'utf8', ...asNobody })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout, 'true')
  const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('ds01-events: could not write'))
  assert.equal(lines.length, 1, r.stderr)
  assert.match(lines[0], /EACCES/)
  assert.ok(lines[0].includes('join the docker group: sudo usermod -aG docker $USER, then log in again'), lines[0])
  assert.ok(lines[0].includes('sudo ds01-events setup'), lines[0])
})
