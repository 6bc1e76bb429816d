// `setup --exporter` installs the exporter's unit (as shipped), idempotently;
// `setup --uninstall` removes it with its drop-ins and enablement links.
// In a temporary tree (--systemd-dir: files only, no systemctl).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCli, scratch } from './helpers/cli.mjs'
import { GROUP, IS_ROOT, REPO, ensureGroup } from './helpers/system.mjs'

const UNIT = 'ds01-events-exporter.service'

test('setup --exporter installs the unit; again: ok; setup --uninstall removes it, its drop-ins and links', { skip: !IS_ROOT && 'needs root (setup sets owners)' }, () => {
  ensureGroup()
  const root = scratch('ds01-exporter-setup-')
  const dirs = { dir: join(root, 'log'), logrotate: join(root, 'logrotate.d'), cron: join(root, 'cron.hourly'), systemd: join(root, 'systemd') }
  const setup = ['setup', '--dir', dirs.dir, '--group', GROUP, '--logrotate-dir', dirs.logrotate, '--cron-dir', dirs.cron]
  const plain = runCli(setup)
  assert.equal(plain.status, 0, plain.stderr)
  assert.equal(existsSync(join(dirs.systemd, UNIT)), false, 'only when asked')

  const first = runCli([...setup, '--exporter', '--systemd-dir', dirs.systemd])
  assert.equal(first.status, 0, first.stderr)
  const unitPath = join(dirs.systemd, UNIT)
  assert.match(first.stdout, new RegExp(`${unitPath}: installed`))
  assert.match(first.stdout, /systemctl enable --now ds01-events-exporter/)
  assert.equal(readFileSync(unitPath, 'utf8'), readFileSync(join(REPO, 'deploy', 'systemd', UNIT), 'utf8'))
  assert.equal(statSync(unitPath).mode & 0o7777, 0o644)
  const again = runCli([...setup, '--exporter', '--systemd-dir', dirs.systemd])
  assert.equal(again.status, 0, again.stderr)
  assert.match(again.stdout, new RegExp(`${unitPath}: ok`))

  // what systemctl edit and enable would have made
  mkdirSync(`${unitPath}.d`)
  writeFileSync(join(`${unitPath}.d`, 'override.conf'), '[Service]\n')
  mkdirSync(join(dirs.systemd, 'multi-user.target.wants'))
  symlinkSync(unitPath, join(dirs.systemd, 'multi-user.target.wants', UNIT))
  const gone = runCli(['setup', '--uninstall', '--dir', dirs.dir, '--logrotate-dir', dirs.logrotate, '--cron-dir', dirs.cron, '--systemd-dir', dirs.systemd])
  assert.equal(gone.status, 0, gone.stderr)
  assert.match(gone.stdout, new RegExp(`${unitPath}: removed`))
  for (const p of [unitPath, `${unitPath}.d`, join(dirs.systemd, 'multi-user.target.wants', UNIT)]) assert.equal(existsSync(p), false, p)
  assert.match(gone.stdout, /ds01-gpu-monitor\.service: not installed/)
})

test('setup --systemd-dir needs a value', () => {
  const r = runCli(['setup', '--exporter', '--systemd-dir', ''])
  assert.equal(r.status, 2)
  assert.match(r.stderr, /--systemd-dir needs a value/)
})
