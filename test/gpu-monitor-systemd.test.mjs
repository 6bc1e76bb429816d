// deploy/systemd/ds01-gpu-monitor.service keeps the hardening a logger can have, and
// none that would break Node or NVML (verify and the exposure score: test/systemd-units.test.mjs).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { ROOT } from './fixtures/gpu-monitor.mjs'

const UNIT = path.join(ROOT, 'deploy', 'systemd', 'ds01-gpu-monitor.service')

test('the settings the agent depends on are there, and the one that would break Node is not', () => {
  const settings = fs.readFileSync(UNIT, 'utf8').split('\n').filter((l) => /^[A-Za-z]+=/.test(l))
  for (const expected of ['User=ds01-monitor', 'SupplementaryGroups=docker', 'Restart=on-failure', 'ProtectSystem=strict',
    'ReadWritePaths=/var/log/ds01', 'ProtectHome=yes', 'PrivateTmp=yes', 'NoNewPrivileges=yes', 'CapabilityBoundingSet=',
    'RestrictAddressFamilies=AF_UNIX', 'SystemCallFilter=@system-service', 'PrivateDevices=no', 'UMask=0002', 'KillMode=mixed']) {
    assert.ok(settings.includes(expected), expected)
  }
  assert.ok(!settings.some((l) => l.startsWith('ProcSubset=')), 'NVML reads /proc/driver/nvidia')
  assert.ok(!settings.some((l) => l.startsWith('DynamicUser=')))
  assert.ok(settings.some((l) => l.startsWith('ExecStart=ds01-events gpu-monitor')))
})
