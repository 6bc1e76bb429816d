// Point 1: a file the writer creates is 0660 whatever the umask; missing
// parents are created 0775 and keep the setgid bit (the deployment's 2775
// root:docker directory), so new files get the directory's group.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { mkdirSync, chmodSync, chownSync, statSync, writeFileSync } from 'node:fs'
import { KIND, IS_ROOT, scratch, runChild } from './helpers.mjs'

const mode = (path) => statSync(path).mode & 0o7777

test(`${KIND}: created 0660 under umask 077, parents 0775`, () => {
  const dir = scratch()
  const path = join(dir, 'a', 'b', 'events.jsonl')
  const report = runChild({ path, lines: ['{"n":1}\n'], umask: 0o077 })
  assert.equal(report.results[0].result, null)
  assert.equal(mode(path).toString(8), '660')
  assert.equal(mode(join(dir, 'a')).toString(8), '775')
  assert.equal(mode(join(dir, 'a', 'b')).toString(8), '775')
})

test(`${KIND}: an existing file keeps its mode`, () => {
  const path = join(scratch(), 'events.jsonl')
  writeFileSync(path, '')
  chmodSync(path, 0o640)
  runChild({ path, lines: ['{"n":1}\n'] })
  assert.equal(mode(path).toString(8), '640')
})

test(`${KIND}: in a setgid directory, new dirs keep setgid and files get its group`, { skip: !IS_ROOT && 'needs root to chown' }, () => {
  const top = join(scratch(), 'ds01')
  mkdirSync(top)
  const group = 65534
  chownSync(top, 0, group)
  chmodSync(top, 0o2775)
  const path = join(top, 'sub', 'events.jsonl')
  const report = runChild({ path, lines: ['{"n":1}\n'], umask: 0o022 })
  assert.equal(report.results[0].result, null)
  assert.equal(mode(join(top, 'sub')).toString(8), '2775')
  assert.equal(statSync(join(top, 'sub')).gid, group)
  assert.equal(statSync(path).gid, group)
  assert.equal(mode(path).toString(8), '660')
})
