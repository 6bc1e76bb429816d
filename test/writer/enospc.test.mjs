// Point 4: a full disk never leaves a torn line: the partial write is cut back.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { mkdirSync, statSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { KIND, IS_ROOT, open, scratch, lines } from './helpers.mjs'

test(`${KIND}: a tiny tmpfs fills up and leaves only whole lines`, { skip: !IS_ROOT && 'needs root to mount a tmpfs' }, () => {
  const mnt = join(scratch(), 'mnt')
  mkdirSync(mnt)
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0755', 'tmpfs', mnt])
  try {
    fillUp(join(mnt, 'events.jsonl'))
  } finally {
    execFileSync('umount', [mnt])
  }
})

function fillUp (path) {
  const w = open(path)
  // 1000-byte lines do not divide the 4096-byte pages: the write that meets
  // the end of the space lands partly, which is the case to roll back.
  let landed = 0
  let failures = 0
  let lastError
  for (let n = 0; n < 200 && failures < 5; n++) {
    const line = JSON.stringify({ n, pad: 'y'.repeat(1000 - 20 - String(n).length) }).padEnd(999) + '\n'
    const result = w.append(line)
    if (result === null) landed++
    else {
      failures++
      lastError = result
    }
  }
  assert.ok(failures > 0, 'the disk filled up')
  assert.equal(lastError.code, 'ENOSPC')
  assert.ok(w.stats().rollbacks >= 1, 'a partial write was cut back')
  const kept = lines(path)
  assert.equal(kept.length, landed)
  kept.forEach((line, n) => assert.equal(JSON.parse(line).n, n))
  assert.equal(statSync(path).size, landed * 1000, 'no stray bytes after the last whole line')
  w.close()
}
