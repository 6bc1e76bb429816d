// Where the output cannot go: a full device (/dev/full: ENOSPC) is one line
// on stderr and status 1, never an uncaught trace; SIGTERM during --follow
// prints what is held and ends with status 143 (128 + 15, as a killed tail).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, openSync, closeSync } from 'node:fs'
import { CLI, cleanEnv } from './helpers/cli.mjs'
import { logFile, until, v1 } from './helpers/query.mjs'

const LINES = [0, 1, 2].map((i) => v1(`2026-01-30T14:3${i}:00.000000Z`, 'gpu.allocate', { user: 'alice', details: { n: i } }))

test('output to /dev/full: a clear message and status 1', { skip: !existsSync('/dev/full') && 'needs /dev/full' }, () => {
  const path = logFile(LINES)
  for (const args of [[], ['--json'], ['--all', '--json'], ['--summary']]) {
    const full = openSync('/dev/full', 'w')
    try {
      const r = spawnSync(process.execPath, [CLI, 'query', '--file', path, ...args], { env: cleanEnv(), stdio: ['ignore', full, 'pipe'], encoding: 'utf8' })
      assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`)
      assert.match(r.stderr, /^ds01-events: cannot write to standard output: ENOSPC\n$/)
    } finally {
      closeSync(full)
    }
  }
})

test('SIGTERM during --follow: the window is printed, then status 143', async () => {
  const path = logFile(LINES)
  const child = spawn(process.execPath, [CLI, 'query', '--file', path, '--follow', '--json'], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (s) => { stdout += s })
  child.stderr.setEncoding('utf8').on('data', (s) => { stderr += s })
  const done = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })))
  await until(() => stdout.split('\n').length > LINES.length, 20_000, 'the window')
  child.kill('SIGTERM')
  const { code, signal } = await done
  assert.equal(signal, null, 'it ended on its own, not killed by the signal')
  assert.equal(code, 143, stderr)
  assert.equal(stdout, LINES.map((l) => l + '\n').join(''))
})
