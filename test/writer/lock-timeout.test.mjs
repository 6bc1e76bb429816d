// Point 2: the wait for flock is bounded. A process holding the lock for 10 s
// delays a write by the bound at most; at the bound the line is still written
// (O_APPEND keeps it whole) and the timeout is counted.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { writeFileSync } from 'node:fs'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { KIND, EXPECT_NATIVE, open, scratch, lines } from './helpers.mjs'

/**
 * flock(1) holds an exclusive lock on path for 10 s; resolves once it holds
 * it. Its own process group: kill(-pid) ends the sleep (which inherited the
 * lock) too, so no holder outlives the test.
 */
async function holdLock (path) {
  const holder = spawn('flock', ['--exclusive', path, '--command', 'echo locked; exec sleep 10'], { stdio: ['ignore', 'pipe', 'inherit'], detached: true })
  const [chunk] = await once(holder.stdout, 'data')
  assert.equal(String(chunk).trim(), 'locked')
  return holder
}

for (const bound of [100, 300]) {
  test(`${KIND}: a lock held for 10 s delays a write by at most the bound (${bound} ms)`, async () => {
    const path = join(scratch(), 'events.jsonl')
    writeFileSync(path, '')
    const holder = await holdLock(path)
    try {
      const w = open(path, { lockTimeoutMs: bound })
      const started = performance.now()
      assert.equal(w.append('{"during":"lock"}\n'), null)
      const waited = performance.now() - started
      // Far from the 10 s the holder keeps it: bounded, not hung.
      assert.ok(waited < bound + 1500, `waited ${waited.toFixed(0)} ms`)
      if (EXPECT_NATIVE) {
        assert.ok(waited >= bound * 0.9, `the native writer waited for the lock (${waited.toFixed(0)} ms)`)
        assert.equal(w.stats().lockTimeouts, 1)
      } else {
        assert.equal(w.stats().lockTimeouts, 0, 'the JavaScript writer takes no lock')
      }
      assert.deepEqual(lines(path), ['{"during":"lock"}'])
      w.close()
    } finally {
      process.kill(-holder.pid, 'SIGTERM')
    }
  })
}

test(`${KIND}: an async append waits for the lock on the thread pool, not the event loop`, async () => {
  const path = join(scratch(), 'events.jsonl')
  writeFileSync(path, '')
  const holder = await holdLock(path)
  try {
    const w = open(path, { lockTimeoutMs: 300 })
    let ticks = 0
    const ticker = setInterval(() => ticks++, 10)
    const result = await new Promise((resolve) => w.appendAsync('{"async":1}\n', resolve))
    clearInterval(ticker)
    assert.equal(result, null)
    if (EXPECT_NATIVE) assert.ok(ticks >= 5, `the event loop kept running while the write waited (${ticks} ticks)`)
    assert.deepEqual(lines(path), ['{"async":1}'])
    w.close()
  } finally {
    process.kill(-holder.pid, 'SIGTERM')
  }
})

test(`${KIND}: lock taken and released on every append (an uncontended writer never times out)`, () => {
  const path = join(scratch(), 'events.jsonl')
  const a = open(path)
  const b = open(path)
  for (let n = 0; n < 50; n++) {
    assert.equal(a.append(`{"a":${n}}\n`), null)
    assert.equal(b.append(`{"b":${n}}\n`), null)
  }
  assert.equal(a.stats().lockTimeouts + b.stats().lockTimeouts, 0)
  assert.equal(lines(path).length, 100)
  a.close()
  b.close()
})
