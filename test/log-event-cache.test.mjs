// logEvent() keeps a bounded number of logs open: a host that points
// DS01_EVENTS_FILE at 3,000 different files, under `ulimit -n 256`, still
// logs every event and can still open files of its own.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { cleanEnv, scratch } from './helpers/cli.mjs'
import { REPO } from './helpers/system.mjs'

const FILES = 3000

for (const [kind, env] of [['native writer', {}], ['JavaScript fallback', { DS01_EVENTS_NATIVE: '0' }]]) {
  test(`${kind}: 3,000 distinct DS01_EVENTS_FILE values under ulimit -n 256: every event logged, the host's open() still works`, () => {
    const dir = scratch()
    const code = `
      const fs = require('node:fs')
      const { logEvent } = require(${JSON.stringify(join(REPO, 'dist', 'index.js'))})
      let logged = 0
      let maxFds = 0
      for (let i = 0; i < ${FILES}; i++) {
        process.env.DS01_EVENTS_FILE = ${JSON.stringify(dir)} + '/' + i + '.jsonl'
        if (logEvent('test.cli', { i })) logged++
        if (i % 100 === 0) maxFds = Math.max(maxFds, fs.readdirSync('/proc/self/fd').length)
      }
      let hostOpen = 'ok'
      try { fs.closeSync(fs.openSync(${JSON.stringify(join(dir, 'host-own-file'))}, 'w')) } catch (err) { hostOpen = err.code }
      process.stdout.write(JSON.stringify({ logged, maxFds, hostOpen }))`
    const r = spawnSync('bash', ['-c', 'ulimit -n 256 && exec "$0" -e "$1"', process.execPath, code], { encoding: 'utf8', env: cleanEnv(env) })
    assert.equal(r.status, 0, r.stderr)
    const out = JSON.parse(r.stdout)
    assert.equal(out.hostOpen, 'ok', 'the host can still open a file')
    assert.equal(out.logged, FILES, r.stderr)
    assert.ok(out.maxFds < 64, `descriptors stay bounded (peak ${out.maxFds})`)
    const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'))
    assert.equal(files.length, FILES)
    assert.equal(JSON.parse(readFileSync(join(dir, '2999.jsonl'), 'utf8')).details.i, 2999)
  })
}

test('a path used again after being closed out of the cache is reopened and appended to', () => {
  const dir = scratch()
  const code = `
    const { logEvent } = require(${JSON.stringify(join(REPO, 'dist', 'index.js'))})
    const results = []
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 20; i++) {
        process.env.DS01_EVENTS_FILE = ${JSON.stringify(dir)} + '/' + i + '.jsonl'
        results.push(logEvent('test.cli', { round, i }))
      }
    }
    process.stdout.write(JSON.stringify(results.every(Boolean)))`
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', env: cleanEnv() })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout, 'true')
  const lines = readFileSync(join(dir, '7.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).details)
  assert.deepEqual(lines, [{ round: 0, i: 7 }, { round: 1, i: 7 }, { round: 2, i: 7 }])
})
