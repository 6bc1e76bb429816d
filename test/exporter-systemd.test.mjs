// deploy/systemd/ds01-events-exporter.service passes `systemd-analyze verify` with no
// warning, is well hardened (offline exposure score), runs as a user of its own in
// the docker group, reads the logs read-only and writes only its state directory.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { REPO } from './helpers/system.mjs'

const UNIT = path.join(REPO, 'deploy', 'systemd', 'ds01-events-exporter.service')
const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' })
const skip = analyze.error ? 'systemd-analyze is not installed (apt-get install systemd)' : false

function unitCopy (t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ds01-unit-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const standIn = path.join(dir, 'ds01-events')
  fs.writeFileSync(standIn, `#!/bin/sh\nexec ${process.execPath} ${path.join(REPO, 'bin', 'ds01-events.js')} "$@"\n`, { mode: 0o755 })
  const text = fs.readFileSync(UNIT, 'utf8')
  assert.match(text, /^ExecStart=ds01-events exporter --listen 127\.0\.0\.1:19101 --state-dir \/var\/lib\/ds01-events$/m)
  const copy = path.join(dir, 'ds01-events-exporter.service')
  fs.writeFileSync(copy, text.replace(/^ExecStart=ds01-events /m, `ExecStart=${standIn} `))
  return copy
}

test('systemd-analyze verify passes without a warning', { skip }, (t) => {
  const result = spawnSync('systemd-analyze', ['verify', unitCopy(t)], { encoding: 'utf8' })
  assert.equal(result.status, 0, result.stderr)
  assert.equal(result.stderr.trim(), '', 'verify printed warnings')
})

test('the offline security analysis rates it well hardened (exposure under 2.0)', { skip }, (t) => {
  const result = spawnSync('systemd-analyze', ['security', '--offline=true', unitCopy(t)], { encoding: 'utf8' })
  const match = /Overall exposure level for .*: (\d+\.\d+)/.exec(result.stdout + result.stderr)
  if (match === null) return t.skip(`this systemd-analyze has no offline security analysis: ${result.stderr.trim()}`)
  t.diagnostic(`exposure ${match[1]}`)
  assert.ok(Number(match[1]) < 2.0, result.stdout)
})

test('its own user in the docker group, the logs read-only, state in /var/lib/ds01-events, loopback only', () => {
  const settings = fs.readFileSync(UNIT, 'utf8').split('\n').filter((l) => /^[A-Za-z]+=/.test(l))
  for (const expected of ['DynamicUser=yes', 'SupplementaryGroups=docker', 'StateDirectory=ds01-events', 'ProtectSystem=strict',
    'ReadOnlyPaths=/var/log/ds01', 'IPAddressAllow=localhost', 'IPAddressDeny=any', 'NoNewPrivileges=yes', 'CapabilityBoundingSet=',
    'Restart=on-failure', 'KillMode=mixed']) {
    assert.ok(settings.includes(expected), expected)
  }
  assert.ok(!settings.some((l) => l.startsWith('ReadWritePaths=')), 'it writes nothing but its state')
  assert.ok(!settings.some((l) => l.startsWith('MemoryDenyWriteExecute=')), 'V8 JIT needs W+X memory')
})
