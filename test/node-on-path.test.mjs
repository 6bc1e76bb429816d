// test/run.mjs runs the suite with the node that runs it, and that node is the
// `node` the tests' children find on PATH (the CLI's `#!/usr/bin/env node`,
// the bash wrapper's helper): a suite run by Node 24 tests Node 24 throughout.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { CLI, cleanEnv } from './helpers/cli.mjs'

test('the node on PATH is the node running the tests, for a child and for the CLI run through its shebang', { skip: process.env.DS01_TEST_TAG ? false : 'run through test/run.mjs' }, () => {
  const child = spawnSync('node', ['-p', 'process.version'], { encoding: 'utf8' })
  assert.equal(child.stdout.trim(), process.version)
  const viaShebang = spawnSync('bash', ['-c', `"${CLI}" --version >/dev/null && node -p process.execPath`], { encoding: 'utf8', env: cleanEnv() })
  assert.equal(viaShebang.status, 0, viaShebang.stderr)
  assert.equal(spawnSync('realpath', [viaShebang.stdout.trim()], { encoding: 'utf8' }).stdout.trim(), spawnSync('realpath', [process.execPath], { encoding: 'utf8' }).stdout.trim())
})
