// Where the addon cannot load (another platform, musl, a damaged binary) the
// package falls back to the JavaScript writer with a single warning;
// DS01_EVENTS_NATIVE=0 forces the fallback (asked for, so no warning).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const DIST = new URL('../dist/writer/index.js', import.meta.url).pathname

function logThree (env) {
  const dir = mkdtempSync(join(tmpdir(), 'ds01-fallback-'))
  try {
    const script = `
      const { openWriter } = require(${JSON.stringify(DIST)})
      const kinds = []
      for (let n = 0; n < 3; n++) {
        const w = openWriter(${JSON.stringify(join(dir, 'events.jsonl'))})
        if (w.append('{"n":' + n + '}\\n') !== null) process.exit(3)
        kinds.push(w.native)
      }
      console.log(JSON.stringify(kinds))`
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, ...env } })
    assert.equal(r.status, 0, r.stderr)
    return { kinds: JSON.parse(r.stdout), stderr: r.stderr, lines: readFileSync(join(dir, 'events.jsonl'), 'utf8').split('\n').length - 1 }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

test('a damaged addon: the JavaScript writer takes over, with one warning', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ds01-damaged-'))
  const damaged = join(dir, 'ds01_events.node')
  writeFileSync(damaged, 'not an ELF file')
  try {
    const { kinds, stderr, lines } = logThree({ DS01_EVENTS_ADDON: damaged, DS01_EVENTS_NATIVE: '' })
    assert.deepEqual(kinds, [false, false, false])
    assert.equal(lines, 3, 'every event still written')
    const warnings = stderr.split('\n').filter((l) => l.includes('native writer unavailable'))
    assert.equal(warnings.length, 1, stderr)
    assert.match(warnings[0], /JavaScript writer/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('DS01_EVENTS_NATIVE=0 forces the JavaScript writer, quietly', () => {
  const { kinds, stderr, lines } = logThree({ DS01_EVENTS_NATIVE: '0' })
  assert.deepEqual(kinds, [false, false, false])
  assert.equal(lines, 3)
  assert.equal(stderr, '')
})

test('by default the native writer loads', () => {
  const { kinds, stderr } = logThree({ DS01_EVENTS_NATIVE: '', DS01_EVENTS_ADDON: '' })
  assert.deepEqual(kinds, [true, true, true])
  assert.equal(stderr, '')
})
