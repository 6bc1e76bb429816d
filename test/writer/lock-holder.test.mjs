// Issue 8.3: no local user can stall the writers. A file the writer creates is
// 0660, so a user outside its group cannot open it, hence cannot flock it; and
// a holder that may (root, a group member) and never lets go costs one wait at
// the bound, then the writer stops waiting for 100 bounds (it tries the lock
// once per append, and takes it again as soon as it is free).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { chmodSync, statSync } from 'node:fs'
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { KIND, EXPECT_NATIVE, IS_ROOT, open, scratch, lines } from './helpers.mjs'

/**
 * flock(1) holds an exclusive lock on path until released; resolves once it
 * holds it. --close: only flock itself holds the lock (not the sleep), so the
 * lock is free once flock has exited; its own process group, so that release()
 * ends the sleep too.
 */
async function holdLock (path) {
  const holder = spawn('flock', ['--exclusive', '--close', path, '--command', 'echo locked; exec sleep 60'], { stdio: ['ignore', 'pipe', 'inherit'], detached: true })
  const [chunk] = await once(holder.stdout, 'data')
  assert.equal(String(chunk).trim(), 'locked')
  return holder
}

async function release (holder) {
  if (holder.exitCode !== null || holder.signalCode !== null) return
  const exited = once(holder, 'exit')
  process.kill(-holder.pid, 'SIGTERM')
  await exited
}

test(`${KIND}: a lock held for seconds costs one wait at the bound, not one per write (200 writes)`, async () => {
  const path = join(scratch(), 'events.jsonl')
  const w = open(path) // the default bound, 100 ms
  assert.equal(w.append('{"before":"lock"}\n'), null)
  const holder = await holdLock(path)
  try {
    for (let n = 0; n < 200; n++) assert.equal(w.append(`{"n":${n}}\n`), null)
    const stats = w.stats()
    if (EXPECT_NATIVE) {
      assert.equal(stats.lockTimeouts, 1, 'one wait reached the bound')
      assert.equal(stats.lockSkips, 199, 'the other 199 writes did not wait')
    } else {
      assert.deepEqual([stats.lockTimeouts, stats.lockSkips], [0, 0], 'the JavaScript writer takes no lock')
    }
    await release(holder)
    assert.equal(w.append('{"after":"release"}\n'), null)
    assert.equal(w.stats().lockSkips, stats.lockSkips, 'the free lock is taken again at once')
    assert.equal(lines(path).length, 202)
  } finally {
    await release(holder)
    w.close()
  }
})

test(`${KIND}: after 100 bounds a writer waits for a still-held lock again`, { skip: !EXPECT_NATIVE && 'the JavaScript writer takes no lock' }, async () => {
  const path = join(scratch(), 'events.jsonl')
  const w = open(path, { lockTimeoutMs: 20 }) // 100 bounds: 2 s
  assert.equal(w.append('{"before":"lock"}\n'), null)
  const holder = await holdLock(path)
  try {
    assert.equal(w.append('{"n":1}\n'), null)
    assert.equal(w.append('{"n":2}\n'), null)
    assert.deepEqual([w.stats().lockTimeouts, w.stats().lockSkips], [1, 1])
    await new Promise((resolve) => setTimeout(resolve, 2300))
    assert.equal(w.append('{"n":3}\n'), null)
    assert.deepEqual([w.stats().lockTimeouts, w.stats().lockSkips], [2, 1], 'the window ended: one more wait')
  } finally {
    await release(holder)
    w.close()
  }
})

test(`${KIND}: a user outside the file's group cannot open it, so cannot hold its lock`, { skip: !IS_ROOT && 'needs root to run as another user' }, () => {
  const dir = scratch()
  chmodSync(dir, 0o755)
  const path = join(dir, 'events.jsonl')
  const w = open(path)
  try {
    assert.equal(w.append('{"n":1}\n'), null)
    assert.equal(statSync(path).mode & 0o777, 0o660)
    // nobody (65534), no supplementary groups: not the owner, not in the group
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'flock', '--nonblock', '--shared', path, 'true'], { encoding: 'utf8' })
    assert.notEqual(r.status, 0, 'an outsider took the lock')
    assert.match(r.stderr, /Permission denied/)
  } finally {
    w.close()
  }
})
