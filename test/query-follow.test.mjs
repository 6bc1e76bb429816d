// --follow: the last --limit matches, then new lines as they are written,
// whole lines only, across renames (by hand, and by the real logrotate with
// the shipped config while writers log): nothing missed, nothing doubled.
// SIGINT ends it with status 0.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { appendFileSync, existsSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { cleanEnv } from './helpers/cli.mjs'
import { fileLines, rotationFamily } from './helpers/events.mjs'
import { logFile, queryInBackground, until, v1 } from './helpers/query.mjs'
import { GROUP, IS_ROOT, REPO, ensureGroup, makeLayout } from './helpers/system.mjs'

const LOGROTATE = ['/usr/sbin/logrotate', '/sbin/logrotate', '/usr/bin/logrotate'].find((p) => existsSync(p))
const line = (seq, extra = {}) => v1(new Date(Date.UTC(2026, 0, 1) + seq * 1000), 'test.cli', { user: 'u', details: { seq, ...extra } })
const outLines = (text) => (text === '' ? [] : text.slice(0, -1).split('\n'))
const seqOf = (l) => JSON.parse(l).details.seq

test('follow: the last --limit lines, then new ones, whole lines only, across a rename; SIGINT ends it with 0', async () => {
  const path = logFile(Array.from({ length: 60 }, (_, i) => line(i)))
  const f = queryInBackground(path, ['--follow', '--limit', '5', '--json', '--type', 'test'], { env: {} })
  try {
    await until(() => outLines(f.result.stdout).length === 5, 20_000, 'the last 5 lines')
    assert.deepEqual(outLines(f.result.stdout).map(seqOf), [55, 56, 57, 58, 59])

    appendFileSync(path, [60, 61, 62].map((s) => line(s) + '\n').join(''))
    await until(() => outLines(f.result.stdout).length === 8, 20_000, 'three new lines')

    // half a line, left there for several polls: nothing of it is printed
    const half = line(63)
    appendFileSync(path, half.slice(0, 40))
    await sleep(1000)
    assert.ok(f.result.stdout.endsWith('\n') && outLines(f.result.stdout).length === 8, 'no half line printed')
    appendFileSync(path, half.slice(40) + '\n')
    await until(() => outLines(f.result.stdout).length === 9, 20_000, 'the completed line')

    // rotation by hand, as logrotate's create does: rename, a writer finishes a line in
    // the renamed file, the new file is created and written
    renameSync(path, path + '.1')
    appendFileSync(path + '.1', line(64) + '\n')
    writeFileSync(path, line(65) + '\n')
    appendFileSync(path, line(66) + '\n')
    await until(() => outLines(f.result.stdout).length === 12, 20_000, 'lines around the rotation')
    // deleted and re-created
    unlinkSync(path)
    writeFileSync(path, line(67) + '\n')
    await until(() => outLines(f.result.stdout).length === 13, 20_000, 'the re-created file')
    appendFileSync(path, v1(new Date(), 'other.event', {}) + '\n' + line(68) + '\n')
    await until(() => outLines(f.result.stdout).length === 14, 20_000, 'the filter still applies')
    assert.deepEqual(outLines(f.result.stdout).map(seqOf), [55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68])
  } finally {
    f.child.kill('SIGINT')
  }
  const exit = await f.done
  assert.equal(exit.code, 0, exit.stderr)
  assert.equal(exit.signal, null)
  assert.equal(exit.stderr, '')
})

test('follow across real logrotate rotations (shipped config) while writers log: nothing missed, nothing doubled', { skip: !IS_ROOT ? 'needs root (logrotate su root docker)' : !LOGROTATE && 'needs logrotate (apt-get install logrotate)' }, async () => {
  const layout = makeLayout(ensureGroup())
  writeFileSync(layout.events, '', { mode: 0o664 })
  const config = join(layout.root, 'logrotate.conf')
  const shipped = readFileSync(join(REPO, 'deploy', 'logrotate.d', 'ds01'), 'utf8')
  // the group standing in for docker: a host without docker has no such group, and logrotate refuses the config
  writeFileSync(config, shipped.split('/var/log/ds01/').join(`${layout.dir}/`).replace(/ root docker$/gm, ` root ${GROUP}`), { mode: 0o644 })
  const state = join(layout.root, 'logrotate.state')
  const stop = join(layout.root, 'stop')
  const env = cleanEnv({ DS01_EVENTS_FILE: layout.events })

  const f = queryInBackground(layout.events, ['--follow', '--all', '--json'])
  const writers = ['sync', 'batched'].map((mode) => {
    const child = spawn(process.execPath, [join(REPO, 'test', 'helpers', 'rotation-writer.mjs'), mode, REPO, stop, join(layout.root, `${mode}.report`), mode], { env, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (s) => { stderr += s })
    return { mode, child, done: new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr }))) }
  })
  try {
    for (let i = 0; i < 8; i++) {
      await sleep(400)
      const r = await new Promise((resolve) => {
        const child = spawn(LOGROTATE, ['-f', '-s', state, config], { stdio: ['ignore', 'ignore', 'pipe'] })
        let stderr = ''
        child.stderr.setEncoding('utf8').on('data', (s) => { stderr += s })
        child.on('close', (code) => resolve({ code, stderr }))
      })
      assert.equal(r.code, 0, r.stderr)
    }
    writeFileSync(stop, '')
    for (const w of writers) assert.equal((await w.done).code, 0)
    const reports = ['sync', 'batched'].map((mode) => JSON.parse(readFileSync(join(layout.root, `${mode}.report`), 'utf8')))
    const expected = reports.reduce((n, r) => n + r.logged.length, 0)
    assert.ok(expected > 1000, `the writers logged ${expected} events`)
    await until(() => outLines(f.result.stdout).length >= expected, 30_000, `${expected} events from follow`)
    await sleep(500) // anything more would be a duplicate: give it the chance to show
    const seen = new Map()
    for (const l of outLines(f.result.stdout)) {
      const e = JSON.parse(l)
      const key = `${e.details.writer}:${e.details.seq}`
      seen.set(key, (seen.get(key) ?? 0) + 1)
    }
    const missing = reports.flatMap((r) => r.logged.filter((seq) => !seen.has(`${r.name}:${seq}`)).map((seq) => `${r.name}:${seq}`))
    const doubled = [...seen].filter(([, n]) => n > 1).map(([k]) => k)
    assert.deepEqual({ missing: missing.slice(0, 10), doubled: doubled.slice(0, 10) }, { missing: [], doubled: [] })
    assert.equal(seen.size, expected)
    // and follow printed the files' lines exactly (the same bytes)
    const files = rotationFamily(layout.dir, 'events.jsonl')
    assert.ok(files.some((p) => p.endsWith('.gz')), 'rotations compressed some generations')
    const stored = files.flatMap((p) => fileLines(p)).sort()
    assert.deepEqual([...outLines(f.result.stdout)].sort(), stored)
  } finally {
    writeFileSync(stop, '')
    f.child.kill('SIGINT')
    // a failed assertion above left them running: they must not outlive the test
    for (const w of writers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL')
  }
  const exit = await f.done
  assert.equal(exit.code, 0, exit.stderr)
  assert.equal(exit.stderr, '')
})

test('follow on a log that does not exist yet waits for it, as tail -F does; without --follow that is exit 1', async () => {
  const path = logFile([line(0)]) + '.later'
  const f = queryInBackground(path, ['--follow', '--json'], { env: {} })
  try {
    await until(() => /does not exist yet; waiting/.test(f.result.stderr), 20_000, 'the waiting note')
    writeFileSync(path, line(1) + '\n')
    appendFileSync(path, line(2) + '\n')
    await until(() => outLines(f.result.stdout).length === 2, 20_000, 'the lines of the new file')
    assert.deepEqual(outLines(f.result.stdout).map(seqOf), [1, 2])
  } finally {
    f.child.kill('SIGINT')
  }
  const exit = await f.done
  assert.equal(exit.code, 0, exit.stderr)
})
