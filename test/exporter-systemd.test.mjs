// deploy/systemd/ds01-events-exporter.service runs as a user of its own in the docker
// group, reads the logs read-only and writes only its state directory (verify and the
// exposure score: test/systemd-units.test.mjs).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { REPO } from './helpers/system.mjs'

const UNIT = path.join(REPO, 'deploy', 'systemd', 'ds01-events-exporter.service')

test('its own user in the docker group, the logs read-only, state in /var/lib/ds01-events, loopback only', () => {
  const settings = fs.readFileSync(UNIT, 'utf8').split('\n').filter((l) => /^[A-Za-z]+=/.test(l))
  for (const expected of ['DynamicUser=yes', 'SupplementaryGroups=docker', 'StateDirectory=ds01-events', 'ProtectSystem=strict',
    'ReadOnlyPaths=/var/log/ds01', 'IPAddressAllow=localhost', 'IPAddressDeny=any', 'NoNewPrivileges=yes', 'CapabilityBoundingSet=',
    'Restart=on-failure', 'KillMode=mixed']) {
    assert.ok(settings.includes(expected), expected)
  }
  assert.ok(!settings.some((l) => l.startsWith('ReadWritePaths=')), 'it writes nothing but its state')
  assert.ok(settings.includes('ExecStart=ds01-events exporter --listen 127.0.0.1:19101 --state-dir /var/lib/ds01-events'))
})
