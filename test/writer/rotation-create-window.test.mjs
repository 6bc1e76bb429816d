// logrotate's `create` makes the new file 0600 root and only then chowns and
// chmods it. A writer reopening in that instant gets EACCES; for a file that
// changed just now it waits that out (50 ms at most) instead of refusing.
// open(2) is made to fail by the LD_PRELOAD shim, so both writers meet it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { readFileSync, writeFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { KIND, EXPECT_NATIVE, scratch, runChild } from './helpers.mjs'

const shim = join(scratch(), 'fault-shim.so')
execFileSync('cc', ['-shared', '-fPIC', '-O1', '-o', shim, new URL('./fault-shim.c', import.meta.url).pathname, '-ldl'])

function appendWithOpenFault (fault, path) {
  return runChild({ path, lines: ['{"after":"rotation"}\n'] }, {
    env: { ...process.env, LD_PRELOAD: [process.env.LD_PRELOAD, shim].filter(Boolean).join(' '), DS01_OPEN_FAULT: fault, DS01_FAULT_PATH: 'rotated.jsonl' }
  })
}

test(`${KIND}: EACCES on a just-created file is waited out; the line lands`, () => {
  const path = join(scratch(), 'rotated.jsonl')
  writeFileSync(path, '')
  const report = appendWithOpenFault('eacces:3', path)
  assert.equal(report.native, EXPECT_NATIVE)
  assert.equal(report.faultsInjected, 3, 'three opens were refused')
  assert.equal(report.results[0].result, null)
  assert.equal(readFileSync(path, 'utf8'), '{"after":"rotation"}\n')
})

test(`${KIND}: EACCES that lasts is reported, after a bounded wait`, () => {
  const path = join(scratch(), 'rotated.jsonl')
  writeFileSync(path, '')
  const report = appendWithOpenFault('eacces:100000', path)
  const { result, ms } = report.results[0]
  assert.equal(result?.code, 'EACCES')
  assert.ok(report.faultsInjected > 3, `retried (${report.faultsInjected} opens)`)
  assert.ok(ms < 1000, `bounded wait (${ms.toFixed(0)} ms)`)
  assert.equal(readFileSync(path, 'utf8'), '')
})
