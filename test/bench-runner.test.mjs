// npm run bench says how long it took, benchmark by benchmark (the docs had
// promised "about 3 minutes" for a run that took 390 s), and BENCH_ONLY that
// names nothing is an error that lists the names, not a silent empty run.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { REPO } from './helpers/system.mjs'

test('BENCH_ONLY naming no benchmark: exit 2 with the names there are', () => {
  const r = spawnSync(process.execPath, [join(REPO, 'bench', 'run.mjs')], { encoding: 'utf8', env: { ...process.env, BENCH_ONLY: 'no-such' } })
  assert.equal(r.status, 2)
  assert.match(r.stderr, /no benchmark named 'no-such'.*there are: .*\blog\b/)
})

test('docs/performance.md promises no run time the runner does not print', async () => {
  const { readFileSync } = await import('node:fs')
  const text = readFileSync(join(REPO, 'docs', 'performance.md'), 'utf8')
  assert.doesNotMatch(text, /about 3 minutes/)
  assert.match(readFileSync(join(REPO, 'bench', 'run.mjs'), 'utf8'), /how long each took/)
  assert.match(text, /how long each took/)
})
