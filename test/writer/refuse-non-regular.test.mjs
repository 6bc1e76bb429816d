// Point 1: only regular files; a symlink, FIFO, socket, directory or device is
// refused with a reason, and opening never blocks (a FIFO nobody reads).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { symlinkSync, writeFileSync, readFileSync, mkdirSync, openSync, closeSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { createServer } from 'node:net'
import { KIND, open, scratch } from './helpers.mjs'

test(`${KIND}: a symlink is refused (ELOOP), its target untouched`, () => {
  const dir = scratch()
  const target = join(dir, 'target')
  writeFileSync(target, 'before\n')
  symlinkSync(target, join(dir, 'events.jsonl'))
  const w = open(join(dir, 'events.jsonl'))
  const result = w.append('x\n')
  assert.equal(result?.code, 'ELOOP')
  assert.match(result.message, /symbolic link/)
  assert.equal(readFileSync(target, 'utf8'), 'before\n')
  w.close()
})

test(`${KIND}: a FIFO with no reader is refused at once, without hanging`, () => {
  const path = join(scratch(), 'fifo')
  execFileSync('mkfifo', [path])
  const w = open(path)
  const result = w.append('x\n')
  assert.equal(result?.code, 'ENOTREGULAR')
  assert.match(result.message, /FIFO/)
  w.close()
})

test(`${KIND}: a FIFO with a reader is refused too`, () => {
  const path = join(scratch(), 'fifo')
  execFileSync('mkfifo', [path])
  const reader = openSync(path, 'r+') // O_RDWR: holds the FIFO open as a reader, never blocks
  try {
    const result = open(path).append('x\n')
    assert.equal(result?.code, 'ENOTREGULAR')
    assert.match(result.message, /FIFO/)
  } finally {
    closeSync(reader)
  }
})

test(`${KIND}: a directory is refused (EISDIR)`, () => {
  const path = join(scratch(), 'adir')
  mkdirSync(path)
  assert.equal(open(path).append('x\n')?.code, 'EISDIR')
})

test(`${KIND}: a character device is refused`, () => {
  const result = open('/dev/null').append('x\n')
  assert.equal(result?.code, 'ENOTREGULAR')
  assert.match(result.message, /character device/)
})

test(`${KIND}: a socket is refused`, async () => {
  const path = join(scratch(), 'sock')
  const server = createServer()
  await new Promise((resolve) => server.listen(path, resolve))
  try {
    assert.equal(open(path).append('x\n')?.code, 'ENOTREGULAR')
  } finally {
    server.close()
  }
})
