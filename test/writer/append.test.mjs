// Point 2 and 3: whole lines in one write; the 4096-byte PIPE_BUF bound; bad data refused.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { mkdirSync, readFileSync, readdirSync } from 'node:fs'
import writer from '../../dist/writer/index.js'
import { KIND, open, scratch, lines } from './helpers.mjs'

test(`${KIND}: appends lines and returns null`, () => {
  const path = join(scratch(), 'events.jsonl')
  const w = open(path)
  assert.equal(w.append('{"n":1}\n'), null)
  assert.equal(w.append(Buffer.from('{"n":2}\n')), null)
  assert.equal(w.append('{"n":3}\n{"n":4}\n'), null, 'a batch of lines in one call')
  assert.deepEqual(lines(path), ['{"n":1}', '{"n":2}', '{"n":3}', '{"n":4}'])
  assert.equal(w.stats().appends, 3)
  assert.equal(w.stats().bytes, 32)
  w.close()
})

test(`${KIND}: a line of exactly 4096 bytes (newline included) is written; 4097 is refused`, () => {
  const path = join(scratch(), 'events.jsonl')
  const w = open(path)
  assert.equal(w.append('a'.repeat(4095) + '\n'), null)
  const refused = w.append('b'.repeat(4096) + '\n')
  assert.equal(refused?.code, 'ELINETOOLONG')
  assert.match(refused.message, /4096/)
  // Multi-byte: 1365 three-byte characters + newline = 4096 bytes.
  assert.equal(w.append('€'.repeat(1365) + '\n'), null)
  assert.equal(w.append('€'.repeat(1366) + '\n')?.code, 'ELINETOOLONG')
  assert.equal(readFileSync(path).length, 4096 * 2)
  w.close()
})

test(`${KIND}: a batch with one line too long is refused whole`, () => {
  const path = join(scratch(), 'events.jsonl')
  const w = open(path)
  assert.equal(w.append('ok\n' + 'x'.repeat(5000) + '\nok\n')?.code, 'ELINETOOLONG')
  assert.equal(w.append('ok\n'), null)
  assert.deepEqual(lines(path), ['ok'])
  w.close()
})

test(`${KIND}: data that is not whole lines is refused`, () => {
  const path = join(scratch(), 'events.jsonl')
  const w = open(path)
  for (const bad of ['no newline', '', 'one\ntwo']) {
    assert.equal(w.append(bad)?.code, 'EBADLINES', JSON.stringify(bad))
  }
  assert.equal(w.append('fine\n'), null)
  assert.deepEqual(lines(path), ['fine'])
  w.close()
})

test(`${KIND}: never throws, whatever it is handed`, () => {
  const path = join(scratch(), 'events.jsonl')
  const w = open(path)
  for (const bad of [undefined, null, 42, {}, [], Symbol('x'), () => {}, new Uint16Array(2)]) {
    const result = w.append(bad)
    assert.ok(result !== null && typeof result.code === 'string' && typeof result.message === 'string', String(result?.code))
  }
  w.close()
  assert.equal(w.append('late\n')?.code, 'ECLOSED')
  w.close()
})

test(`${KIND}: a long string of many lines, multi-byte text near any cut, lands whole`, () => {
  const path = join(scratch(), 'events.jsonl')
  const w = open(path)
  // Whole lines up to byte P, then a 3-byte character: for P near 8 KiB a
  // fixed-size copy of the string would stop just before it, at a newline.
  let expected = ''
  for (let prefix = 8180; prefix <= 8195; prefix++) {
    const data = ('x'.repeat(999) + '\n').repeat(7) + 'x'.repeat(prefix - 7001) + '\n' + '€' + 'y'.repeat(2000) + '\n'
    assert.equal(w.append(data), null)
    expected += data
  }
  assert.equal(readFileSync(path, 'utf8'), expected)
  w.close()
})

test(`${KIND}: a path that is not a string, or holds a NUL byte, is refused with EINVAL`, () => {
  const dir = scratch()
  for (const bad of [join(dir, 'x\0.jsonl'), 42, '']) {
    const w = writer.openWriter(bad)
    assert.equal(w.append('{"n":1}\n')?.code, 'EINVAL', String(bad))
    w.close()
  }
  assert.deepEqual(readdirSync(dir), [], 'nothing was written anywhere')
})

test(`${KIND}: a relative path is fixed when the writer is made, not followed through chdir()`, () => {
  const dir = scratch()
  const before = process.cwd()
  try {
    process.chdir(dir)
    const w = open('events.jsonl')
    assert.equal(w.path, join(dir, 'events.jsonl'))
    mkdirSync(join(dir, 'elsewhere'))
    process.chdir(join(dir, 'elsewhere'))
    assert.equal(w.append('{"n":1}\n'), null)
    assert.deepEqual(lines(join(dir, 'events.jsonl')), ['{"n":1}'])
    assert.deepEqual(readdirSync(join(dir, 'elsewhere')), [])
    w.close()
  } finally {
    process.chdir(before)
  }
})
