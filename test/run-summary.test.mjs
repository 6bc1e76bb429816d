// npm test ends with what it did not test: the skipped tests grouped by their
// reason, the failures, and one closing "N passed, N failed, N skipped" line,
// after the TAP of every pass.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { REPO } from './helpers/system.mjs'

test('test/run.mjs closes with the skips by reason and the totals', () => {
  // NODE_TEST_CONTEXT would make the inner runner report to this one instead of printing
  const env = { ...process.env }
  delete env.NODE_TEST_CONTEXT
  const r = spawnSync(process.execPath, [join(REPO, 'test', 'run.mjs'), 'test/fixtures/summary-sample.mjs'], { cwd: REPO, encoding: 'utf8', env: { ...env, CI: '' } })
  assert.equal(r.status, 0, r.stdout + r.stderr)
  const tail = r.stdout.slice(r.stdout.lastIndexOf('## summary'))
  assert.ok(r.stdout.lastIndexOf('## summary') > r.stdout.lastIndexOf('# pass'), 'the summary comes after the TAP')
  assert.match(tail, /: 3 skipped, 0 failed/)
  assert.match(tail, /skipped \(2\), the thing is missing \(apt-get install thing\)\n {4}test\/fixtures\/summary-sample\.mjs: needs a thing\n {4}test\/fixtures\/summary-sample\.mjs: also needs the thing/)
  assert.match(tail, /skipped \(1\), decided at run time/)
  assert.match(r.stdout.trimEnd().split('\n').at(-1), /^total: 1 passed, 0 failed, 3 skipped$/)
})
