// deploy/systemd/ds01-gpu-monitor.service passes `systemd-analyze verify` with no warning,
// and keeps the hardening a logger can have (offline exposure score, settings that matter).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { ROOT } from './fixtures/gpu-monitor.mjs'

const UNIT = path.join(ROOT, 'deploy', 'systemd', 'ds01-gpu-monitor.service')
const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' })
const skip = analyze.error ? 'systemd-analyze is not installed' : false

/** The unit with ExecStart's bare `ds01-events` pointed at a stand-in, as verify needs the binary to exist. */
function unitCopy(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ds01-unit-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const standIn = path.join(dir, 'ds01-events')
  fs.writeFileSync(standIn, `#!/bin/sh\nexec ${process.execPath} ${path.join(ROOT, 'bin', 'ds01-events.js')} "$@"\n`, { mode: 0o755 })
  const text = fs.readFileSync(UNIT, 'utf8')
  assert.match(text, /^ExecStart=ds01-events gpu-monitor/m)
  const copy = path.join(dir, 'ds01-gpu-monitor.service')
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

test('the settings the agent depends on are there, and the one that would break Node is not', () => {
  const settings = fs.readFileSync(UNIT, 'utf8').split('\n').filter((l) => /^[A-Za-z]+=/.test(l))
  for (const expected of ['User=ds01-monitor', 'SupplementaryGroups=docker', 'Restart=on-failure', 'ProtectSystem=strict',
    'ReadWritePaths=/var/log/ds01', 'ProtectHome=yes', 'PrivateTmp=yes', 'NoNewPrivileges=yes', 'CapabilityBoundingSet=',
    'RestrictAddressFamilies=AF_UNIX', 'SystemCallFilter=@system-service', 'PrivateDevices=no', 'UMask=0002', 'KillMode=mixed']) {
    assert.ok(settings.includes(expected), expected)
  }
  assert.ok(!settings.some((l) => l.startsWith('MemoryDenyWriteExecute=')), 'V8 JIT needs W+X memory')
  assert.ok(!settings.some((l) => l.startsWith('ProcSubset=')), 'NVML reads /proc/driver/nvidia')
  assert.ok(!settings.some((l) => l.startsWith('DynamicUser=')))
})
