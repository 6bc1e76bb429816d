// docs/gpu.md's blocks work verbatim: the sh block runs in a temporary
// directory (its logs under TMPDIR) and exits 0, printing what it says; the js
// block runs against the package and prints an answer; every option the usage
// text names is documented.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cleanEnv, runCli, scratch } from './helpers/cli.mjs'
import { REPO } from './helpers/system.mjs'

const doc = readFileSync(join(REPO, 'docs', 'gpu.md'), 'utf8')
const blocks = [...doc.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], code: m[2] }))

test('docs/gpu.md: the sh block runs verbatim', () => {
  const sh = blocks.filter((b) => b.lang === 'sh')
  assert.equal(sh.length, 1)
  const dir = scratch('ds01-gpu-docs-')
  const r = spawnSync('bash', ['-euo', 'pipefail', '-c', sh[0].code], { cwd: REPO, env: cleanEnv({ TMPDIR: dir }), encoding: 'utf8' })
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`)
  assert.equal(r.stderr, '')
  assert.match(r.stdout, / {2}0 \[#+\.*\] +7 % .* alice \(alice-jupyter\) since /)
  assert.match(r.stdout, /bob \(bob-mig, MIG 1:0\)/)
  assert.match(r.stdout, /"by":"container"/)
  assert.match(r.stdout, /no allocation wasted in the last 30m/)
})

test('docs/gpu.md: the js block runs against the package', () => {
  const js = blocks.filter((b) => b.lang === 'js')
  assert.equal(js.length, 1)
  const dir = scratch('ds01-gpu-docs-js-')
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(REPO, join(dir, 'node_modules', 'ds01-events'))
  writeFileSync(join(dir, 'block.js'), js[0].code)
  const events = join(dir, 'events.jsonl')
  const gpu = join(dir, 'gpu.jsonl')
  const env = cleanEnv({ DS01_EVENTS_FILE: events, DS01_GPU_UTILIZATION_FILE: gpu })
  assert.equal(runCli(['log', 'gpu.allocate', 'user=alice', 'container=a', 'gpu=0'], { env }).status, 0)
  assert.equal(runCli(['gpu-monitor', '--once', '--nvidia-smi', join(REPO, 'test', 'fixtures', 'fake-nvidia-smi'), '--file', gpu], { env }).status, 0)
  const r = spawnSync(process.execPath, ['block.js'], { cwd: dir, env, encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stderr, '')
  assert.match(r.stdout, /^4 \{\s+user: 'alice',\s+allocated_hours: /)
  assert.match(r.stdout, / 0\n$/)
})

test('every option of gpu --help is in docs/gpu.md', () => {
  const help = runCli(['gpu', '--help']).stdout
  const options = [...new Set([...help.matchAll(/--[a-z][a-z-]+/g)].map((m) => m[0]))].filter((o) => o !== '--help')
  assert.ok(options.length >= 12, options.join(' '))
  for (const option of options) assert.ok(doc.includes(option), `${option} is not documented`)
})
