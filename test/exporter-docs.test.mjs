// docs/exporter.md's first sh block (try it from the clone) runs verbatim and
// prints what the page says it prints.
import { test } from 'node:test'
import { existsSync } from 'node:fs'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { scratch } from './helpers/cli.mjs'
import { freePort } from './helpers/prometheus.mjs'
import { REPO } from './helpers/system.mjs'

const CURL = ['/usr/bin/curl', '/bin/curl'].find((p) => existsSync(p))

test('docs/exporter.md: the try-it block runs verbatim (on a free port instead of 19199: suites may run side by side)', { skip: CURL === undefined && 'needs curl (apt-get install curl)' }, async () => {
  const page = readFileSync(join(REPO, 'docs', 'exporter.md'), 'utf8')
  const block = /```sh\n([\s\S]*?)```/.exec(page)[1]
  assert.match(block, /ds01-events\.js exporter/)
  const dir = scratch('ds01-exporter-docs-')
  const env = { ...process.env, TMPDIR: dir }
  for (const key of Object.keys(env)) if (key.startsWith('DS01_')) delete env[key]
  const port = String(await freePort())
  const r = spawnSync('bash', ['-e', '-c', block.replaceAll('19199', port)], { cwd: REPO, env, encoding: 'utf8', timeout: 60_000 })
  assert.equal(r.status, 0, r.stderr)
  const lines = r.stdout.trim().split('\n')
  assert.deepEqual(lines, [
    'ds01_events_total{event_type="gpu.allocate",source=""} 0',
    'ds01_events_total{event_type="gpu.allocate",source="docs"} 1'
  ])
})
