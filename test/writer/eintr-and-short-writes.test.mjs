// Point 4: EINTR is retried; a short write is completed when it can be, and
// cut back (with the errno reported) when it cannot. Faults come from an
// LD_PRELOAD shim around write(2), so both writers meet the same ones.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { readFileSync, writeFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { KIND, EXPECT_NATIVE, scratch, runChild } from './helpers.mjs'

const shim = join(scratch(), 'fault-shim.so')
execFileSync('cc', ['-shared', '-fPIC', '-O1', '-o', shim, new URL('./fault-shim.c', import.meta.url).pathname, '-ldl'])

function withFault (fault, path, lines, env = {}) {
  const report = runChild({ path, lines }, {
    env: { ...process.env, LD_PRELOAD: [process.env.LD_PRELOAD, shim].filter(Boolean).join(' '), DS01_FAULT: fault, DS01_FAULT_PATH: 'faulty.jsonl', ...env }
  })
  assert.ok(report.faultsInjected > 0, 'the shim was loaded and fired')
  return report
}

test(`${KIND}: EINTR is retried until the line lands`, () => {
  const path = join(scratch(), 'faulty.jsonl')
  const report = withFault('eintr:3', path, ['{"a":1}\n'])
  assert.equal(report.faultsInjected, 3)
  assert.equal(report.native, EXPECT_NATIVE)
  assert.equal(report.results[0].result, null)
  assert.equal(readFileSync(path, 'utf8'), '{"a":1}\n')
})

test(`${KIND}: a short write followed by ENOSPC is rolled back, errno reported`, () => {
  const path = join(scratch(), 'faulty.jsonl')
  writeFileSync(path, '{"before":true}\n')
  const report = withFault('short:5', path, ['{"torn":"would be"}\n'])
  assert.equal(report.results[0].result?.code, 'ENOSPC')
  assert.match(report.results[0].result.message, /rolled back/)
  assert.equal(report.stats.rollbacks, 1)
  assert.equal(readFileSync(path, 'utf8'), '{"before":true}\n', 'no torn line left behind')
})

test(`${KIND}: a short write that can be completed leaves the whole line`, () => {
  const path = join(scratch(), 'faulty.jsonl')
  const report = withFault('partial:3', path, ['{"whole":"line"}\n', '{"next":1}\n'])
  assert.deepEqual(report.results.map((r) => r.result), [null, null])
  assert.equal(readFileSync(path, 'utf8'), '{"whole":"line"}\n{"next":1}\n')
  assert.equal(report.stats.rollbacks, 0)
})

test(`${KIND}: without fallocate (EOPNOTSUPP) lines still land, and the rollback still guards a partial write`, { skip: !EXPECT_NATIVE && 'the JavaScript writer does not call fallocate' }, () => {
  const path = join(scratch(), 'faulty.jsonl')
  const noFallocate = { DS01_FALLOCATE_FAULT: 'eopnotsupp' }
  const fine = withFault('eintr:0', path, ['{"a":1}\n', '{"a":2}\n', '{"a":3}\n'], noFallocate)
  assert.deepEqual(fine.results.map((r) => r.result), [null, null, null])
  assert.equal(fine.faultsInjected, 1, 'tried once, then the writer knows this file system has none')
  assert.equal(fine.stats.reservations, 0)
  const torn = withFault('short:5', path, ['{"torn":"would be"}\n'], noFallocate)
  assert.equal(torn.results[0].result?.code, 'ENOSPC')
  assert.equal(torn.stats.rollbacks, 1)
  assert.equal(readFileSync(path, 'utf8'), '{"a":1}\n{"a":2}\n{"a":3}\n', 'no torn line left behind')
})

test(`${KIND}: a rotation while space is being reserved: the line goes to the new file, not the renamed one`, { skip: !EXPECT_NATIVE && 'the JavaScript writer does not call fallocate' }, () => {
  const path = join(scratch(), 'faulty.jsonl')
  writeFileSync(path, '{"before":1}\n')
  // The shim renames the file to faulty.jsonl.1 inside the first fallocate.
  const report = withFault('eintr:0', path, ['{"after":"rotation"}\n'], { DS01_FALLOCATE_FAULT: 'rotate' })
  assert.equal(report.faultsInjected, 1)
  assert.equal(report.results[0].result, null)
  assert.equal(readFileSync(`${path}.1`, 'utf8'), '{"before":1}\n', 'nothing landed in the renamed file')
  assert.equal(readFileSync(path, 'utf8'), '{"after":"rotation"}\n')
  assert.equal(report.stats.reopens, 1)
})
