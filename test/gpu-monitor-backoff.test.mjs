// Restart waits: doubling from 0.5 s to a 30 s ceiling, back to 0.5 s after a healthy run.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Backoff, DEFAULT_BACKOFF } from '../dist/gpu-monitor/backoff.js'

test('waits double from 0.5 s up to 30 s while nvidia-smi keeps failing', () => {
  const backoff = new Backoff()
  const waits = Array.from({ length: 10 }, () => backoff.next(100))
  assert.deepEqual(waits, [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000])
})

test('a run that lasted past stableAfterMs starts the waits over', () => {
  const backoff = new Backoff()
  backoff.next(0)
  backoff.next(0)
  assert.equal(backoff.next(DEFAULT_BACKOFF.stableAfterMs - 1), 2000)
  assert.equal(backoff.next(DEFAULT_BACKOFF.stableAfterMs), 500)
  assert.equal(backoff.next(0), 1000)
})

test('the policy is adjustable', () => {
  const backoff = new Backoff({ initialMs: 10, maxMs: 25, stableAfterMs: 1000 })
  assert.deepEqual([backoff.next(0), backoff.next(0), backoff.next(0), backoff.next(5000)], [10, 20, 25, 10])
})
