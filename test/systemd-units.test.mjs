// Every unit in deploy/systemd passes `systemd-analyze verify` with no warning, and every
// service is well hardened (offline exposure score under 2.0). A unit added there is
// checked here without a new test. Each unit's own settings are checked beside its
// feature (exporter-systemd, gpu-monitor-systemd, setup-gpu-waste).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { REPO } from './helpers/system.mjs'

const DIR = path.join(REPO, 'deploy', 'systemd')
const UNITS = fs.readdirSync(DIR).filter((name) => /\.(service|timer)$/.test(name)).sort()
const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' })
const skip = analyze.error ? 'systemd-analyze is not installed (apt-get install systemd)' : false

/** All units copied to a folder, their ExecStart's bare `ds01-events` pointed at a stand-in (verify needs the binary to exist). */
function unitCopies (t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ds01-units-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const standIn = path.join(dir, 'ds01-events')
  fs.writeFileSync(standIn, `#!/bin/sh\nexec ${process.execPath} ${path.join(REPO, 'bin', 'ds01-events.js')} "$@"\n`, { mode: 0o755 })
  for (const name of UNITS) {
    const text = fs.readFileSync(path.join(DIR, name), 'utf8')
    if (name.endsWith('.service')) assert.match(text, /^ExecStart=ds01-events /m, `${name} runs the bare command name`)
    fs.writeFileSync(path.join(dir, name), text.replace(/^ExecStart=ds01-events /m, `ExecStart=${standIn} `))
  }
  return dir
}

test('the shipped units are the ones this file checks', () => {
  assert.deepEqual(UNITS, ['ds01-events-exporter.service', 'ds01-gpu-monitor.service', 'ds01-gpu-waste.service', 'ds01-gpu-waste.timer'])
})

for (const name of UNITS) {
  test(`${name}: systemd-analyze verify passes without a warning`, { skip }, (t) => {
    const dir = unitCopies(t)
    // a timer is verified with the service it starts
    const files = [name, ...(name.endsWith('.timer') ? [name.replace(/\.timer$/, '.service')] : [])].map((f) => path.join(dir, f))
    const result = spawnSync('systemd-analyze', ['verify', ...files], { encoding: 'utf8' })
    assert.equal(result.status, 0, result.stderr)
    assert.equal(result.stderr.trim(), '', 'verify printed warnings')
  })
}

for (const name of UNITS.filter((n) => n.endsWith('.service'))) {
  test(`${name}: the offline security analysis rates it well hardened (exposure under 2.0)`, { skip }, (t) => {
    const result = spawnSync('systemd-analyze', ['security', '--offline=true', path.join(unitCopies(t), name)], { encoding: 'utf8' })
    const match = /Overall exposure level for .*: (\d+\.\d+)/.exec(result.stdout + result.stderr)
    if (match === null) return t.skip(`this systemd-analyze has no offline security analysis: ${result.stderr.trim()}`)
    t.diagnostic(`exposure ${match[1]}`)
    assert.ok(Number(match[1]) < 2.0, result.stdout)
  })
}

for (const name of UNITS.filter((n) => n.endsWith('.service'))) {
  test(`${name}: no MemoryDenyWriteExecute (V8's JIT needs W+X memory)`, () => {
    const settings = fs.readFileSync(path.join(DIR, name), 'utf8').split('\n')
    assert.ok(!settings.some((l) => l.startsWith('MemoryDenyWriteExecute=')))
  })
}
