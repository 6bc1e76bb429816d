// Point 5: when rotation renames the file away, or someone deletes it, the
// next write lands in a new file at the path.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { renameSync, unlinkSync, existsSync, mkdirSync, chmodSync, rmSync } from 'node:fs'
import { KIND, open, scratch, lines, waitPastPathCheck } from './helpers.mjs'

test(`${KIND}: renamed away (logrotate): the next line goes to a new file at the path`, () => {
  const dir = scratch()
  const path = join(dir, 'events.jsonl')
  const w = open(path)
  assert.equal(w.append('{"n":1}\n'), null)
  renameSync(path, path + '.1')
  waitPastPathCheck()
  assert.equal(w.append('{"n":2}\n'), null)
  assert.equal(w.append('{"n":3}\n'), null)
  assert.deepEqual(lines(path + '.1'), ['{"n":1}'])
  assert.deepEqual(lines(path), ['{"n":2}', '{"n":3}'])
  assert.equal(w.stats().reopens, 1)
  w.close()
})

test(`${KIND}: deleted: the next line recreates the file`, () => {
  const path = join(scratch(), 'events.jsonl')
  const w = open(path)
  assert.equal(w.append('{"n":1}\n'), null)
  unlinkSync(path)
  waitPastPathCheck()
  assert.equal(w.append('{"n":2}\n'), null)
  assert.deepEqual(lines(path), ['{"n":2}'])
  assert.equal(w.stats().reopens, 1)
  w.close()
})

test(`${KIND}: replaced by another file (create after rename): writes follow the path`, () => {
  const path = join(scratch(), 'events.jsonl')
  const w = open(path)
  const other = open(path)
  assert.equal(w.append('{"n":1}\n'), null)
  renameSync(path, path + '.1')
  waitPastPathCheck()
  assert.equal(other.append('{"other":1}\n'), null, 'another writer recreates the path first')
  assert.equal(w.append('{"n":2}\n'), null)
  assert.deepEqual(lines(path), ['{"other":1}', '{"n":2}'])
  w.close()
  other.close()
})

test(`${KIND}: a path that cannot be written now can be written later`, () => {
  const dir = join(scratch(), 'later')
  const path = join(dir, 'events.jsonl')
  mkdirSync(dir)
  chmodSync(dir, 0o555)
  const w = open(path)
  if (process.getuid() !== 0) assert.equal(w.append('{"n":0}\n')?.code, 'EACCES')
  rmSync(dir, { recursive: true })
  assert.equal(existsSync(dir), false)
  assert.equal(w.append('{"n":1}\n'), null, 'parents are created on demand')
  assert.deepEqual(lines(path), ['{"n":1}'])
  w.close()
})
