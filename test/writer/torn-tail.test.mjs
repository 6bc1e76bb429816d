// Issue 14: a SIGKILL can cut a write(2) between two pages and leave a torn
// last line. The next writer must end that fragment (one '\n', in the same
// write as its own lines, under the lock) so that its event is a line of its
// own: a crash damages at most the line it cut, never the next writer's.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { appendFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { KIND, open, scratch, waitPastPathCheck } from './helpers.mjs'

const FRAGMENT = '{"timestamp":"2026-01-30T14:30:00.123456Z","event_type":"gpu.util'

test(`${KIND}: a file ending in a torn line: the fragment is ended, the next line is its own`, () => {
  const path = join(scratch(), 'events.jsonl')
  writeFileSync(path, '{"before":1}\n' + FRAGMENT)
  const w = open(path)
  try {
    assert.equal(w.append('{"n":1}\n'), null)
    assert.equal(w.append('{"n":2}\n'), null)
    assert.equal(readFileSync(path, 'utf8'), `{"before":1}\n${FRAGMENT}\n{"n":1}\n{"n":2}\n`)
    assert.equal(w.stats().seals, 1, 'one seal, then the file ends in our own newline')
    assert.equal(w.stats().bytes, 16, 'the seal byte is not counted as the caller\'s bytes')
  } finally {
    w.close()
  }
})

test(`${KIND}: a batch (several lines in one write) on a torn tail: every line is its own`, () => {
  const path = join(scratch(), 'events.jsonl')
  writeFileSync(path, FRAGMENT)
  const w = open(path)
  try {
    assert.equal(w.append('{"n":1}\n{"n":2}\n{"n":3}\n'), null)
    assert.equal(readFileSync(path, 'utf8'), `${FRAGMENT}\n{"n":1}\n{"n":2}\n{"n":3}\n`)
    assert.equal(w.stats().seals, 1)
  } finally {
    w.close()
  }
})

test(`${KIND}: appendAsync (the batched mode's path) on a torn tail seals too`, async () => {
  const path = join(scratch(), 'events.jsonl')
  writeFileSync(path, FRAGMENT)
  const w = open(path)
  try {
    const result = await new Promise((resolve) => w.appendAsync(Buffer.from('{"n":1}\n{"n":2}\n'), resolve))
    assert.equal(result, null)
    assert.equal(w.drain(), null)
    assert.equal(readFileSync(path, 'utf8'), `${FRAGMENT}\n{"n":1}\n{"n":2}\n`)
    assert.equal(w.stats().seals, 1)
  } finally {
    w.close()
  }
})

test(`${KIND}: a tear made by another process while the writer is open is sealed at its next append`, () => {
  const path = join(scratch(), 'events.jsonl')
  const w = open(path)
  try {
    assert.equal(w.append('{"n":1}\n'), null)
    appendFileSync(path, FRAGMENT) // a writer killed mid-write
    assert.equal(w.append('{"n":2}\n'), null)
    assert.equal(readFileSync(path, 'utf8'), `{"n":1}\n${FRAGMENT}\n{"n":2}\n`)
    assert.equal(w.stats().seals, 1)
  } finally {
    w.close()
  }
})

test(`${KIND}: whole lines from other writers, an empty file, a file ending in a newline: no seal, no empty line`, () => {
  const path = join(scratch(), 'events.jsonl')
  writeFileSync(path, '')
  const a = open(path)
  const b = open(path)
  try {
    assert.equal(a.append('{"a":1}\n'), null)
    assert.equal(b.append('{"b":1}\n{"b":2}\n'), null)
    appendFileSync(path, '{"other":1}\n')
    assert.equal(a.append('{"a":2}\n'), null)
    assert.equal(b.append('{"b":3}\n'), null)
    assert.equal(readFileSync(path, 'utf8'), '{"a":1}\n{"b":1}\n{"b":2}\n{"other":1}\n{"a":2}\n{"b":3}\n')
    assert.deepEqual([a.stats().seals, b.stats().seals], [0, 0])
  } finally {
    a.close()
    b.close()
  }
})

test(`${KIND}: after rotation, a torn tail in the new file is sealed; an empty new file is not`, () => {
  const dir = scratch()
  const path = join(dir, 'events.jsonl')
  const w = open(path)
  try {
    assert.equal(w.append('{"n":1}\n'), null)
    renameSync(path, path + '.1')
    writeFileSync(path, FRAGMENT)
    waitPastPathCheck()
    assert.equal(w.append('{"n":2}\n'), null)
    assert.equal(readFileSync(path, 'utf8'), `${FRAGMENT}\n{"n":2}\n`)
    renameSync(path, path + '.2')
    writeFileSync(path, '')
    waitPastPathCheck()
    assert.equal(w.append('{"n":3}\n'), null)
    assert.equal(readFileSync(path, 'utf8'), '{"n":3}\n')
    assert.equal(readFileSync(path + '.1', 'utf8'), '{"n":1}\n')
    assert.equal(w.stats().seals, 1)
    assert.equal(w.stats().reopens, 2)
  } finally {
    w.close()
  }
})

test(`${KIND}: a 4096-byte line on a torn tail lands whole: the seal ends the fragment, it is not part of the line`, () => {
  const path = join(scratch(), 'events.jsonl')
  writeFileSync(path, FRAGMENT)
  const w = open(path)
  try {
    const line = '{"pad":"' + 'x'.repeat(4096 - 11) + '"}\n'
    assert.equal(Buffer.byteLength(line), 4096)
    assert.equal(w.append(line), null)
    assert.equal(w.append('y'.repeat(4096) + '\n')?.code, 'ELINETOOLONG', 'the bound is unchanged')
    const text = readFileSync(path, 'utf8')
    assert.equal(text, `${FRAGMENT}\n${line}`)
    assert.deepEqual(text.split('\n').map((l) => Buffer.byteLength(l) + 1).slice(0, 2), [FRAGMENT.length + 1, 4096])
  } finally {
    w.close()
  }
})

test(`${KIND}: a file that ends without a newline but was never ours (a plain text file): ended once, never again`, () => {
  const path = join(scratch(), 'events.jsonl')
  writeFileSync(path, 'x')
  const w = open(path)
  try {
    for (let n = 0; n < 3; n++) assert.equal(w.append(`{"n":${n}}\n`), null)
    assert.equal(readFileSync(path, 'utf8'), 'x\n{"n":0}\n{"n":1}\n{"n":2}\n')
    assert.equal(w.stats().seals, 1)
  } finally {
    w.close()
  }
})
