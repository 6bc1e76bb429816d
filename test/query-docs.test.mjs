// docs/query.md's sh and js blocks run verbatim against a sample log (named by
// DS01_EVENTS_FILE, `ds01-events` on PATH) and exit 0; a block that follows
// is ended with SIGINT and must exit 0 too.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CLI, cleanEnv, scratch } from './helpers/cli.mjs'
import { REPO } from './helpers/system.mjs'
import { v1 } from './helpers/query.mjs'

const blocks = [...readFileSync(join(REPO, 'docs', 'query.md'), 'utf8').matchAll(/```(sh|js)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], code: m[2] }))

function sandbox () {
  const dir = scratch('ds01-query-docs-')
  const log = join(dir, 'events.jsonl')
  const now = Date.now()
  writeFileSync(log, [
    v1(new Date(now - 3 * 3_600_000), 'gpu.allocate', { user: 'alice', source: 'allocator', details: { container: 'alice-jupyter', gpu: 0 } }),
    v1(new Date(now - 30 * 60_000), 'gpu.reject', { user: 'alice', source: 'allocator', details: { container: 'alice-jupyter', reason: 'full' } }),
    v1(new Date(now - 60_000), 'container.stop', { user: 'alice', details: { container: 'alice-jupyter' } })
  ].map((l) => l + '\n').join(''))
  const bin = join(dir, 'bin')
  mkdirSync(bin)
  writeFileSync(join(bin, 'ds01-events'), `#!/bin/sh\nexec '${process.execPath}' '${CLI}' "$@"\n`)
  chmodSync(join(bin, 'ds01-events'), 0o755)
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(REPO, join(dir, 'node_modules', 'ds01-events'))
  return { dir, env: cleanEnv({ DS01_EVENTS_FILE: log, PATH: `${bin}:${process.env.PATH}` }) }
}

test('docs/query.md has runnable sh and js blocks', () => {
  assert.ok(blocks.some((b) => b.lang === 'sh') && blocks.some((b) => b.lang === 'js'))
})

for (const [i, block] of blocks.entries()) {
  test(`docs/query.md block ${i + 1} (${block.lang}) runs verbatim`, async () => {
    const { dir, env } = sandbox()
    if (block.lang === 'js') {
      writeFileSync(join(dir, 'block.js'), block.code)
      const r = spawnSync(process.execPath, ['block.js'], { cwd: dir, env, encoding: 'utf8' })
      assert.equal(r.status, 0, r.stderr)
      assert.equal(r.stderr, '')
      return
    }
    if (!block.code.includes('--follow')) {
      const r = spawnSync('bash', ['-euo', 'pipefail', '-c', block.code], { cwd: dir, env, encoding: 'utf8' })
      assert.equal(r.status, 0, r.stderr)
      assert.equal(r.stderr, '')
      assert.notEqual(r.stdout, '')
      return
    }
    // exec: the block's command itself gets the SIGINT, as from Ctrl-C
    const child = spawn('bash', ['-c', `exec ${block.code.trim()}`], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    child.stdout.setEncoding('utf8').on('data', (s) => { stdout += s })
    const done = new Promise((resolve) => child.on('close', (code) => resolve(code)))
    const deadline = Date.now() + 20_000
    while (!stdout.includes('gpu.reject') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25))
    child.kill('SIGINT')
    assert.equal(await done, 0)
    assert.match(stdout, /gpu\.allocate.*\n.*gpu\.reject/)
  })
}
