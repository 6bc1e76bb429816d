// createEventLog and logEvent: options wrong as code throw, a path that cannot
// be written never does; where events go (explicit path, DS01_EVENTS_FILE,
// default); stats and the writer in use.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import * as esm from '../esm/index.mjs'
import cjs from '../dist/index.js'
import { readV1, tempLog } from './helpers/v1-lines.mjs'

const { createEventLog, logEvent, DEFAULT_EVENTS_FILE, DEFAULT_GPU_UTILIZATION_FILE, resolveEventsFile, resolveGpuUtilizationFile, SCHEMA_VERSION, EVENT_TYPES, DEFAULT_BATCH } = cjs

test('options that are wrong as code throw a TypeError', () => {
  const wrong = [
    'path', 42, [], { path: 42 }, { path: '' }, { batch: 'yes' }, { batch: 1 }, { batch: { maxEvents: '10' } },
    { batch: { maxEvents: 0 } }, { batch: { maxEvents: 1.5 } }, { batch: { maxDelayMs: -1 } }, { batch: { maxDelayMs: NaN } },
    { batch: { maxQueue: 5, maxEvents: 10 } }, { batch: { maxQueue: Infinity } }, { lockTimeoutMs: '100' }, { lockTimeoutMs: 3e9 }, { batch: { maxDelayMs: 2 ** 31 } }, { strict: 'yes' }, { onWarning: 'stderr' }
  ]
  for (const options of wrong) assert.throws(() => createEventLog(options), TypeError, JSON.stringify(options))
})

test('a path that cannot be written does not throw: log() returns false', () => {
  const log = createEventLog({ path: '/proc/ds01-cannot-exist/events.jsonl', onWarning: () => {} })
  assert.equal(log.path, '/proc/ds01-cannot-exist/events.jsonl')
  assert.equal(log.log('test.cli', { result: 'ok' }), false)
  assert.equal(log.stats().dropped, 1)
  log.close()
})

test('defaults and the documented exports', () => {
  assert.equal(DEFAULT_EVENTS_FILE, '/var/log/ds01/events.jsonl')
  assert.equal(DEFAULT_GPU_UTILIZATION_FILE, '/var/log/ds01/gpu-utilization.jsonl')
  assert.equal(SCHEMA_VERSION, '1')
  assert.deepEqual(DEFAULT_BATCH, { maxEvents: 256, maxDelayMs: 200, maxQueue: 10_000 })
  assert.equal(typeof EVENT_TYPES['gpu.utilization'].description, 'string')
  for (const name of ['logEvent', 'createEventLog', 'EVENT_TYPES', 'SCHEMA_VERSION', 'DEFAULT_EVENTS_FILE', 'resolveEventsFile',
    'DEFAULT_GPU_UTILIZATION_FILE', 'resolveGpuUtilizationFile', 'openWriter', 'DEFAULT_BATCH', 'QUEUE_FULL_WAIT_MS', 'MAX_LINE_BYTES',
    'DEFAULT_LOCK_TIMEOUT_MS', 'nativeInfo', 'nativeFailure']) {
    assert.notEqual(cjs[name], undefined, `export ${name}`)
    assert.equal(esm[name], cjs[name], `esm export ${name}`)
  }
  // Nothing exported by require() is missing from import.
  assert.deepEqual(Object.keys(cjs).filter((name) => !(name in esm)), [])
})

test('paths: explicit beats the environment, which beats the default', () => {
  const saved = { ...process.env }
  try {
    delete process.env.DS01_EVENTS_FILE
    delete process.env.DS01_GPU_UTILIZATION_FILE
    assert.equal(resolveEventsFile(), DEFAULT_EVENTS_FILE)
    assert.equal(resolveGpuUtilizationFile(), DEFAULT_GPU_UTILIZATION_FILE)
    process.env.DS01_EVENTS_FILE = '/tmp/e.jsonl'
    process.env.DS01_GPU_UTILIZATION_FILE = '/tmp/g.jsonl'
    assert.equal(resolveEventsFile(), '/tmp/e.jsonl')
    assert.equal(resolveGpuUtilizationFile(), '/tmp/g.jsonl')
    assert.equal(resolveEventsFile('/x'), '/x')
    assert.equal(resolveGpuUtilizationFile('/y'), '/y')
    assert.equal(createEventLog().path, '/tmp/e.jsonl')
    process.env.DS01_EVENTS_FILE = ''
    assert.equal(resolveEventsFile(), DEFAULT_EVENTS_FILE, 'an empty variable counts as unset')
  } finally {
    process.env = saved
  }
})

test('logEvent writes to DS01_EVENTS_FILE, read at each call', () => {
  const a = tempLog()
  const b = tempLog()
  const saved = process.env.DS01_EVENTS_FILE
  try {
    process.env.DS01_EVENTS_FILE = a
    assert.equal(logEvent('gpu.allocate', { user: 'alice', source: 'gpu-allocator', container: 'alice-jupyter', gpu: '0:1', priority: 50 }), true)
    process.env.DS01_EVENTS_FILE = b
    assert.equal(logEvent('test.cli', { result: 'ok' }), true)
    assert.equal(logEvent('bad type', {}), false)
  } finally {
    if (saved === undefined) delete process.env.DS01_EVENTS_FILE
    else process.env.DS01_EVENTS_FILE = saved
  }
  const [event] = readV1(a)
  assert.equal(event.user, 'alice')
  assert.deepEqual(event.details, { container: 'alice-jupyter', gpu: '0:1', priority: 50 })
  assert.equal(readV1(b).length, 1)
})

test('log.native says which writer is in use (DS01_EVENTS_NATIVE=0 forces JavaScript)', () => {
  const index = JSON.stringify(path.join(new URL('..', import.meta.url).pathname, 'dist', 'index.js'))
  const code = `process.stdout.write(String(require(${index}).createEventLog({ path: ${JSON.stringify(tempLog())} }).native))`
  const js = spawnSync(process.execPath, ['-e', code], { env: { ...process.env, DS01_EVENTS_NATIVE: '0' }, encoding: 'utf8' })
  assert.equal(js.stdout, 'false')
  const here = createEventLog({ path: tempLog() })
  assert.equal(here.native, process.env.DS01_EVENTS_NATIVE !== '0' && cjs.nativeFailure() === undefined)
})

test('stats() counts each outcome', () => {
  const file = tempLog()
  const log = createEventLog({ path: file, onWarning: () => {} })
  log.log('test.stats', { ok: 1 })
  log.log('test.stats', { big: 'x'.repeat(5000) })
  log.log('Bad', {})
  const s = log.stats()
  assert.deepEqual({ written: s.written, refused: s.refused, truncated: s.truncated, dropped: s.dropped, queued: s.queued },
    { written: 2, refused: 1, truncated: 1, dropped: 0, queued: 0 })
  assert.equal(typeof s.lockTimeouts, 'number')
  assert.equal(typeof s.reopens, 'number')
  log.close()
})
