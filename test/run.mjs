// npm test's runner: the whole suite against the shipped prebuild alone
// (PREBUILDS_ONLY=1, so the binary that ships is the binary tested), then the
// shared writer suite and the batched-mode tests again with the JavaScript
// fallback (DS01_EVENTS_NATIVE=0).
// DS01_STRESS=1 makes the stress tests long.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join, relative } from 'node:path'

const root = new URL('..', import.meta.url).pathname

function testFiles (dir) {
  return readdirSync(join(root, dir), { recursive: true })
    .filter((f) => f.endsWith('.test.mjs'))
    .map((f) => relative(root, join(root, dir, f)))
    .sort()
}

function pass (title, files, env) {
  console.log(`\n## ${title}\n`)
  const r = spawnSync(process.execPath, ['--test', ...files], { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } })
  return r.status === 0
}

const results = [
  pass('all tests, native writer from prebuilds/ only', testFiles('test'), { PREBUILDS_ONLY: '1' }),
  pass('writer suite and batched mode, JavaScript fallback', [
    ...testFiles('test/writer'),
    ...testFiles('test').filter((f) => /^test\/(batch-[^/]+|event-log|never-throw\.property)\.test\.mjs$/.test(f))
  ], { DS01_EVENTS_NATIVE: '0' })
]
process.exit(results.every(Boolean) ? 0 : 1)
