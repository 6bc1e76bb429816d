// Issue 8.3: a log file has exactly one link. A hardlink at the path is
// another name for a file that may not be a log (someone else's, root's): the
// writers refuse it, never append through it, and log() says why.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { linkSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { KIND, ROOT, open, scratch, lines, waitPastPathCheck } from './helpers.mjs'

function victim (dir) {
  const path = join(dir, 'not-a-log.txt')
  writeFileSync(path, 'private\n', { mode: 0o600 })
  return path
}

test(`${KIND}: a file with two links at the path is refused, and nothing is appended to it`, () => {
  const dir = scratch()
  const other = victim(dir)
  const path = join(dir, 'events.jsonl')
  linkSync(other, path)
  const w = open(path)
  try {
    const result = w.append('{"n":1}\n')
    assert.equal(result?.code, 'EHARDLINK')
    assert.match(result.message, /2 links/)
    assert.match(result.message, /exactly one/)
    assert.equal(readFileSync(other, 'utf8'), 'private\n', 'nothing appended through the link')
    assert.equal(statSync(other).mode & 0o777, 0o600, 'mode unchanged')
  } finally {
    w.close()
  }
})

test(`${KIND}: a hardlink made to the open log is noticed at the next look at the path (PATH_CHECK_MS at most)`, () => {
  const dir = scratch()
  const path = join(dir, 'events.jsonl')
  const w = open(path)
  try {
    assert.equal(w.append('{"n":1}\n'), null)
    linkSync(path, join(dir, 'second-name'))
    waitPastPathCheck()
    assert.equal(w.append('{"n":2}\n')?.code, 'EHARDLINK')
    assert.equal(w.append('{"n":2}\n')?.code, 'EHARDLINK', 'refused at every append while it lasts')
    unlinkSync(join(dir, 'second-name'))
    waitPastPathCheck()
    assert.equal(w.append('{"n":3}\n'), null, 'one link again: logging goes on')
    assert.deepEqual(lines(path), ['{"n":1}', '{"n":3}'])
  } finally {
    w.close()
  }
})

test(`${KIND}: log() returns false with a warning that says what to do`, () => {
  const dir = scratch()
  const other = victim(dir)
  const path = join(dir, 'events.jsonl')
  linkSync(other, path)
  const code = `
    const { logEvent } = require(${JSON.stringify(join(ROOT, 'dist', 'index.js'))})
    process.stdout.write(JSON.stringify(logEvent('test.selftest', { user: 'alice', result: 'ok' })))`
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', env: { ...process.env, DS01_EVENTS_FILE: path } })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout, 'false')
  assert.match(r.stderr, /EHARDLINK/)
  assert.match(r.stderr, /hardlink/)
  assert.match(r.stderr, /ds01-events(\.js)? setup/)
  assert.equal(readFileSync(other, 'utf8'), 'private\n')
})
