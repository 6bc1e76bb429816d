// Point 7: failures come back as results with an errno name and a message,
// never as exceptions.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { mkdirSync, writeFileSync, chmodSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { KIND, IS_ROOT, EXPECT_NATIVE, open, scratch, runChild } from './helpers.mjs'

const NOBODY = 65534

test(`${KIND}: EACCES for a user who may not write the directory`, { skip: !IS_ROOT && 'needs root to switch to another uid' }, () => {
  const dir = join(scratch(), 'logdir')
  mkdirSync(dir)
  chmodSync(dir, 0o755)
  chmodSync(join(dir, '..'), 0o755)
  const report = runChild({ path: join(dir, 'events.jsonl'), lines: ['{"n":1}\n'] }, { uid: NOBODY, gid: NOBODY })
  assert.equal(report.native, EXPECT_NATIVE)
  const { result } = report.results[0]
  assert.equal(result.code, 'EACCES')
  assert.equal(result.errno, 13)
  assert.match(result.message, /events\.jsonl/)
})

test(`${KIND}: EROFS on a read-only file system`, { skip: !IS_ROOT && 'needs root to mount' }, () => {
  const mnt = join(scratch(), 'ro')
  mkdirSync(mnt)
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,ro', 'tmpfs', mnt])
  try {
    const result = open(join(mnt, 'events.jsonl')).append('{"n":1}\n')
    assert.equal(result?.code, 'EROFS')
  } finally {
    execFileSync('umount', [mnt])
  }
})

test(`${KIND}: ENOTDIR when a parent is a file`, () => {
  const file = join(scratch(), 'plain')
  writeFileSync(file, '')
  const result = open(join(file, 'events.jsonl')).append('{"n":1}\n')
  assert.equal(result?.code, 'ENOTDIR')
  assert.ok(result.message.length > 0)
})

test(`${KIND}: ENAMETOOLONG for an absurd path`, () => {
  const result = open(join(scratch(), 'x'.repeat(300))).append('{"n":1}\n')
  assert.equal(result?.code, 'ENAMETOOLONG')
})
