// Batched mode with a stalled disk: a full queue makes log() wait for the
// writer at most QUEUE_FULL_WAIT_MS, once per stall (not once per event);
// then events are dropped, counted and warned about, and what was accepted
// lands, in order, when the disk comes back. The stall: another process holds
// the file's flock and the writer's lock bound is 20 s.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createEventLog, QUEUE_FULL_WAIT_MS } from '../dist/index.js'
import { readV1, tempLog, waitFor, warningSink } from './helpers/v1-lines.mjs'

const NATIVE = process.env.DS01_EVENTS_NATIVE !== '0'

test('a stalled writer costs log() one bounded wait, then drops; all accepted events land afterwards', { skip: NATIVE ? false : 'the JavaScript writer takes no lock: a lock holder cannot stall it' }, async () => {
  assert.equal(QUEUE_FULL_WAIT_MS, 250, 'the documented bound')
  const file = tempLog()
  fs.writeFileSync(file, '')
  // Its own process group, so that killing it ends the lock holder and its sleep together.
  const holder = spawn('flock', ['--exclusive', file, '--command', 'echo locked; exec sleep 60'], { stdio: ['ignore', 'pipe', 'inherit'], detached: true })
  const release = () => {
    try {
      process.kill(-holder.pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
  try {
    assert.equal(String((await once(holder.stdout, 'data'))[0]).trim(), 'locked')
    const { messages, onWarning } = warningSink()
    const log = createEventLog({ path: file, lockTimeoutMs: 20_000, onWarning, batch: { maxEvents: 100, maxQueue: 300, maxDelayMs: 60_000 } })
    assert.equal(log.native, true)
    const started = performance.now()
    let accepted = 0
    for (let i = 0; i < 1_000; i++) if (log.log('test.stall', { i })) accepted++
    const ms = performance.now() - started
    // One wait of 250 ms, not 700 of them (175 s), nor the 20 s lock bound.
    assert.ok(ms < 5_000, `1,000 log() calls took ${ms.toFixed(0)} ms`)
    assert.equal(accepted, 300)
    const asked = performance.now()
    assert.equal(log.stats().dropped, 700)
    const statsMs = performance.now() - asked
    assert.ok(statsMs < 5_000, `stats() waited ${statsMs.toFixed(0)} ms for the stalled write`)
    assert.equal(messages.filter((m) => m.includes('queue') && m.includes('full')).length, 1, messages.join('\n'))
    release()
    await waitFor(() => log.stats().queued === 0, 30_000, 'the writer to catch up')
    assert.equal(log.flush(), true)
    assert.deepEqual(readV1(file).map((e) => e.details.i), Array.from({ length: 300 }, (_, i) => i))
    log.close()
  } finally {
    release()
  }
})
