// Issue 19: the native writer looks at the path (rotation, deletion, a second
// link) at most every PATH_CHECK_MS, not before every append, so that a
// synchronous append is flock, lseek, write, unlock. Counted with the LD_PRELOAD
// shim, not timed: the statx calls on the path are at most one per
// PATH_CHECK_MS of the loop, plus the open and one per space reservation.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { readFileSync, renameSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import writer from '../../dist/writer/index.js'
import native from '../../dist/writer/native.js'
import { KIND, EXPECT_NATIVE, open, scratch, runChild, lines, waitPastPathCheck } from './helpers.mjs'

const shim = join(scratch(), 'fault-shim.so')
execFileSync('cc', ['-shared', '-fPIC', '-O1', '-o', shim, new URL('./fault-shim.c', import.meta.url).pathname, '-ldl'])

test(`${KIND}: the addon and the TypeScript side agree on PATH_CHECK_MS`, { skip: !EXPECT_NATIVE && 'the JavaScript writer looks before every append' }, () => {
  assert.equal(writer.PATH_CHECK_MS, 1)
  assert.equal(native.loadNative().pathCheckMs, writer.PATH_CHECK_MS)
})

test(`${KIND}: a tight loop of appends looks at the path at most once per PATH_CHECK_MS`, { skip: !EXPECT_NATIVE && 'the JavaScript writer looks before every append' }, () => {
  const path = join(scratch(), 'counted.jsonl')
  const count = 5000
  const report = runChild({ path, loop: { line: '{"n":1,"pad":"' + 'x'.repeat(300) + '"}\n', count } }, {
    env: { ...process.env, LD_PRELOAD: [process.env.LD_PRELOAD, shim].filter(Boolean).join(' '), DS01_COUNT_STATX: '1', DS01_FAULT_PATH: 'counted.jsonl' }
  })
  assert.equal(report.native, true)
  assert.equal(report.written, count)
  assert.equal(lines(path).length, count)
  // The open (the create path's lookups), one look per PATH_CHECK_MS, one after each reservation.
  const bound = 4 + Math.ceil(report.ms / writer.PATH_CHECK_MS) + report.stats.reservations
  assert.ok(report.statxCalls >= 1, 'the shim counted')
  assert.ok(report.statxCalls <= bound, `${report.statxCalls} looks at the path for ${count} appends in ${report.ms.toFixed(1)} ms (bound ${bound})`)
  assert.ok(report.statxCalls < count / 2, `${report.statxCalls} looks for ${count} appends`)
})

test(`${KIND}: a line appended in the instant after a rename is in exactly one file, and the next look sends lines to the new file`, () => {
  const path = join(scratch(), 'events.jsonl')
  const w = open(path)
  try {
    assert.equal(w.append('{"n":1}\n'), null)
    renameSync(path, path + '.1')
    assert.equal(w.append('{"n":2}\n'), null) // before the next look: the renamed file, or the new one
    waitPastPathCheck()
    assert.equal(w.append('{"n":3}\n'), null)
    const rotated = lines(path + '.1')
    const current = lines(path)
    assert.deepEqual([...rotated, ...current].sort(), ['{"n":1}', '{"n":2}', '{"n":3}'], 'every line once, none lost')
    assert.equal(rotated[0], '{"n":1}')
    assert.equal(current.at(-1), '{"n":3}')
    assert.equal(readFileSync(path, 'utf8').endsWith('{"n":3}\n'), true)
  } finally {
    w.close()
  }
})
