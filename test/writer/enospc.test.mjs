// Point 4 and issue 8.3: a full disk never leaves a torn line, and the file
// only ever grows: a write that would land only partly is refused whole
// (ENOSPC) before it starts, so readers that tail the file (tail -F, rsyslog
// imfile, exporters) never see it shrink and re-read it from the start.
// Real small filesystems: a 64 KiB tmpfs mounted under a unique /tmp/ds01-* dir.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { mkdirSync, statSync, writeFileSync } from 'node:fs'
import { execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { KIND, EXPECT_NATIVE, IS_ROOT, open, scratch, lines, runChildAsync } from './helpers.mjs'

const NEEDS_ROOT = { skip: !IS_ROOT && 'needs root to mount a tmpfs' }
const LINE = 1000 // does not divide the 4096-byte pages: the line that meets the end spans two

/** Mounts a 64 KiB tmpfs, runs fn(dir), unmounts it whatever happens. */
async function onTinyTmpfs (fn) {
  const mnt = join(scratch(), 'mnt')
  mkdirSync(mnt)
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0755', 'tmpfs', mnt])
  try {
    return await fn(mnt)
  } finally {
    try {
      execFileSync('umount', [mnt])
    } catch {
      execFileSync('umount', ['--lazy', mnt]) // a descriptor still open: detach it now, gone when closed
    }
  }
}

function fixedLine (n) {
  const head = JSON.stringify({ n, pad: '' })
  return head.slice(0, -2) + 'y'.repeat(LINE - head.length - 1) + '"}\n'
}

test(`${KIND}: a tiny tmpfs fills up: refused whole, never cut back, only whole lines`, NEEDS_ROOT, () => onTinyTmpfs((mnt) => {
  const path = join(mnt, 'events.jsonl')
  const w = open(path)
  try {
    let landed = 0
    const failures = []
    let size = 0
    for (let n = 0; n < 200 && failures.length < 5; n++) {
      const result = w.append(fixedLine(landed))
      if (result === null) landed++
      else failures.push(result)
      const now = statSync(path).size
      assert.ok(now >= size, `the file shrank from ${size} to ${now} bytes`)
      size = now
    }
    assert.ok(failures.length > 0, 'the disk filled up')
    for (const f of failures) {
      assert.equal(f.code, 'ENOSPC')
      assert.match(f.message, /refused whole before writing/)
    }
    const stats = w.stats()
    assert.equal(stats.rollbacks, 0, 'no partial write to cut back')
    assert.equal(stats.noSpace, failures.length)
    const kept = lines(path)
    assert.equal(kept.length, landed)
    kept.forEach((line, n) => assert.equal(JSON.parse(line).n, n))
    assert.equal(statSync(path).size, landed * LINE, 'no stray bytes after the last whole line')
    // The space held back ahead of the end goes to the last lines, not wasted.
    assert.ok(landed * LINE > 64 * 1024 - 2 * 16 * 1024, `only ${landed} lines fit`)
  } finally {
    w.close()
  }
}))

/** A child that stats the file in a tight loop until told to stop; reports any shrink. */
function sizePoller (path) {
  const code = `
    const fs = require('node:fs')
    let last = 0, shrinks = 0, polls = 0, stop = false
    process.stdin.on('data', () => { stop = true })
    const loop = () => {
      for (let i = 0; i < 200; i++) {
        polls++
        const st = fs.statSync(${JSON.stringify(path)}, { throwIfNoEntry: false })
        const size = st ? st.size : 0
        if (size < last) shrinks++
        last = size
      }
      if (stop) process.stdout.write(JSON.stringify({ shrinks, polls, last }))
      else setImmediate(loop)
    }
    loop()`
  const child = spawn(process.execPath, ['-e', code], { stdio: ['pipe', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (d) => { out += d })
  const exited = once(child, 'exit')
  let stopped
  return {
    stop () {
      stopped ??= (async () => {
        child.stdin.end('stop\n')
        await exited
        return JSON.parse(out)
      })()
      return stopped
    }
  }
}

test(`${KIND}: three writers fill a tiny tmpfs while tail -F and a poller watch: it never shrinks`, NEEDS_ROOT, () => onTinyTmpfs(async (mnt) => {
  const path = join(mnt, 'events.jsonl')
  writeFileSync(path, '')
  const tail = spawn('tail', ['-n', '+1', '-F', path], { stdio: ['ignore', 'pipe', 'pipe'] })
  let tailed = ''
  let tailErrors = ''
  tail.stdout.on('data', (d) => { tailed += d })
  tail.stderr.on('data', (d) => { tailErrors += d })
  const poller = sizePoller(path)
  try {
    const reports = await Promise.all([1, 2, 3].map((id) => runChildAsync({ path, fill: { id, count: 60, size: LINE } })))
    const polled = await poller.stop()
    const kept = lines(path)
    // tail -F has printed every line once when it has caught up (up to 5 s)
    for (let waited = 0; tailed.split('\n').length - 1 < kept.length && waited < 5000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    const written = reports.reduce((sum, r) => sum + r.written, 0)
    const failed = reports.reduce((sum, r) => sum + r.failures, 0)
    assert.ok(failed > 0, 'the disk filled up')
    for (const r of reports) {
      assert.deepEqual(Object.keys(r.codes), r.failures > 0 ? ['ENOSPC'] : [], 'refusals are reported as ENOSPC')
      if (EXPECT_NATIVE) assert.equal(r.stats.rollbacks, 0, 'no partial write was cut back')
      assert.equal(r.stats.noSpace, r.failures)
    }
    assert.equal(polled.shrinks, 0, `the poller saw the file shrink ${polled.shrinks} times in ${polled.polls} looks`)
    assert.doesNotMatch(tailErrors, /truncated/, 'tail -F saw a truncation')
    assert.equal(kept.length, written, 'every reported success is a line in the file')
    const next = new Map()
    for (const line of kept) {
      assert.equal(Buffer.byteLength(line) + 1, LINE, 'a whole line')
      const { p, n } = JSON.parse(line)
      assert.ok(n >= (next.get(p) ?? 0), 'in order per writer')
      next.set(p, n + 1)
    }
    assert.equal(tailed, kept.map((l) => l + '\n').join(''), 'tail -F printed each line exactly once')
  } finally {
    tail.kill()
    await poller.stop().catch(() => {})
    if (tail.exitCode === null) await once(tail, 'exit')
  }
}))

test(`${KIND}: space is reserved in chunks, not once per line`, { skip: !EXPECT_NATIVE && 'the JavaScript writer checks free space instead (see docs/design.md)' }, () => {
  const path = join(scratch(), 'events.jsonl')
  const w = open(path)
  try {
    for (let n = 0; n < 1000; n++) assert.equal(w.append(`{"n":${n},"pad":"${'x'.repeat(80)}"}\n`), null)
    const { reservations, appends } = w.stats()
    assert.equal(appends, 1000)
    // ~100 KB written: two 64 KiB reservations (a third at most), not 1000.
    assert.ok(reservations >= 1 && reservations <= 3, `${reservations} reservations for 1000 appends`)
  } finally {
    w.close()
  }
})
