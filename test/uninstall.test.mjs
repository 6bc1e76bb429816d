// `ds01-events setup --uninstall` in a temporary tree: removes what setup and
// the GPU agent's unit installed, keeps the logs unless --purge-logs, keeps
// files at those paths that are not ours, and is idempotent.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCli, scratch } from './helpers/cli.mjs'
import { GROUP, IS_ROOT, OUTSIDER, REPO, ensureTestUsers, packageRootFor, runAs } from './helpers/system.mjs'

const ROOT_ONLY = { skip: IS_ROOT ? false : 'needs root' }
const UNIT = 'ds01-gpu-monitor.service'

/** setup run in a fresh tree, and the unit installed the way the docs say (file, drop-in, enabled). */
function installedTree () {
  const root = scratch('ds01-uninstall-')
  const t = {
    dir: join(root, 'var', 'log', 'ds01'),
    logrotateDir: join(root, 'etc', 'logrotate.d'),
    cronDir: join(root, 'etc', 'cron.hourly'),
    systemdDir: join(root, 'etc', 'systemd', 'system')
  }
  const setup = runCli(['setup', '--dir', t.dir, '--group', GROUP, '--logrotate-dir', t.logrotateDir, '--cron-dir', t.cronDir])
  assert.equal(setup.status, 0, setup.stderr)
  mkdirSync(join(t.systemdDir, 'multi-user.target.wants'), { recursive: true })
  copyFileSync(join(REPO, 'deploy', 'systemd', UNIT), join(t.systemdDir, UNIT))
  symlinkSync(join(t.systemdDir, UNIT), join(t.systemdDir, 'multi-user.target.wants', UNIT))
  mkdirSync(join(t.systemdDir, `${UNIT}.d`))
  writeFileSync(join(t.systemdDir, `${UNIT}.d`, 'override.conf'), '[Service]\nExecStart=\nExecStart=ds01-events gpu-monitor --interval 5000\n')
  t.args = ['setup', '--uninstall', '--dir', t.dir, '--logrotate-dir', t.logrotateDir, '--cron-dir', t.cronDir, '--systemd-dir', t.systemdDir]
  t.installed = [
    join(t.logrotateDir, 'ds01'),
    join(t.cronDir, 'ds01-logrotate'),
    join(t.systemdDir, UNIT),
    join(t.systemdDir, `${UNIT}.d`),
    join(t.systemdDir, 'multi-user.target.wants', UNIT)
  ]
  return t
}

test('uninstall removes the logrotate config, the hourly job and the unit (drop-ins, enablement), and keeps the logs', ROOT_ONLY, () => {
  ensureTestUsers()
  const t = installedTree()
  writeFileSync(join(t.dir, 'events.jsonl'), '{"kept":true}\n', { flag: 'a' })
  for (const path of t.installed) assert.ok(existsSync(path), path)
  const r = runCli(t.args)
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stderr, '')
  for (const path of t.installed) {
    assert.equal(existsSync(path), false, `${path} removed`)
    assert.ok(r.stdout.includes(`${path}: removed`), r.stdout)
  }
  assert.equal(readFileSync(join(t.dir, 'events.jsonl'), 'utf8'), '{"kept":true}\n', 'the events are kept')
  assert.ok(existsSync(join(t.dir, 'gpu-utilization.jsonl')))
  assert.match(r.stdout, /kept, with the logs \(run again with --purge-logs to remove them\)/)
})

test('uninstall is idempotent: a second run removes nothing, says so, exits 0', ROOT_ONLY, () => {
  ensureTestUsers()
  const t = installedTree()
  assert.equal(runCli(t.args).status, 0)
  const r = runCli(t.args)
  assert.equal(r.status, 0, r.stderr)
  assert.doesNotMatch(r.stdout, /removed/)
  assert.equal((r.stdout.match(/: not installed/g) ?? []).length, 3, r.stdout)
  assert.ok(existsSync(join(t.dir, 'events.jsonl')))
})

test('--purge-logs removes the logs, rotated ones too, and the directory when nothing else is in it', ROOT_ONLY, () => {
  ensureTestUsers()
  const t = installedTree()
  for (const name of ['events.jsonl.1', 'events.jsonl.2.gz', 'gpu-utilization.jsonl.1']) writeFileSync(join(t.dir, name), 'old\n')
  const r = runCli([...t.args, '--purge-logs'])
  assert.equal(r.status, 0, r.stderr)
  assert.equal(existsSync(t.dir), false, r.stdout)
  assert.ok(r.stdout.includes(`${t.dir}: removed (5 log files)`), r.stdout)
  const again = runCli([...t.args, '--purge-logs'])
  assert.equal(again.status, 0, again.stderr)
  assert.ok(again.stdout.includes(`${t.dir}: not there`), again.stdout)
})

test('--purge-logs keeps a file that is not a log, and with it the directory', ROOT_ONLY, () => {
  ensureTestUsers()
  const t = installedTree()
  writeFileSync(join(t.dir, 'notes.txt'), 'mine\n')
  const r = runCli([...t.args, '--purge-logs'])
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(readdirSync(t.dir), ['notes.txt'])
  assert.match(r.stdout, /kept the directory for what else is in it: notes\.txt/)
})

test('a file at an installed path that does not name ds01-events is kept', ROOT_ONLY, () => {
  ensureTestUsers()
  const t = installedTree()
  const foreign = join(t.logrotateDir, 'ds01')
  writeFileSync(foreign, '/var/log/other.log {\n  daily\n}\n')
  const r = runCli(t.args)
  assert.equal(r.status, 0, r.stderr)
  assert.equal(readFileSync(foreign, 'utf8'), '/var/log/other.log {\n  daily\n}\n')
  assert.ok(r.stdout.includes(`${foreign}: kept (not installed by ds01-events`), r.stdout)
})

test('a unit of the same name that does not name ds01-events is kept, with its drop-ins and links', ROOT_ONLY, () => {
  ensureTestUsers()
  const t = installedTree()
  const unit = join(t.systemdDir, UNIT)
  writeFileSync(unit, '[Service]\nExecStart=/usr/local/bin/other-monitor\n')
  const r = runCli(t.args)
  assert.equal(r.status, 0, r.stderr)
  assert.ok(r.stdout.includes(`${unit}: kept, with its drop-ins and links`), r.stdout)
  for (const path of [unit, `${unit}.d`, join(t.systemdDir, 'multi-user.target.wants', UNIT)]) assert.ok(existsSync(path), path)
  assert.equal(existsSync(join(t.logrotateDir, 'ds01')), false, 'the rest is still removed')
})

// The fleet's files as setup --forward/--central install them (their shipped
// templates), in the tree; the archive is data and stays.
test('the fleet: rsyslog configs, the state cleaner and its drop-in are removed; the archive is kept', ROOT_ONLY, () => {
  ensureTestUsers()
  const t = installedTree()
  const rsyslogDir = join(t.systemdDir, '..', '..', 'rsyslog.d')
  const sbinDir = join(t.systemdDir, '..', '..', '..', 'usr', 'local', 'sbin')
  const archive = join(t.systemdDir, '..', '..', '..', 'var', 'log', 'ds01-fleet')
  for (const dir of [rsyslogDir, sbinDir, join(t.systemdDir, 'rsyslog.service.d'), archive]) mkdirSync(dir, { recursive: true })
  const fleet = {
    [join(rsyslogDir, '60-ds01-forward.conf')]: join(REPO, 'deploy', 'rsyslog', 'ds01-forward.conf'),
    [join(rsyslogDir, '60-ds01-central.conf')]: join(REPO, 'deploy', 'rsyslog', 'ds01-central.conf'),
    [join(sbinDir, 'ds01-imfile-state-clean')]: join(REPO, 'deploy', 'rsyslog', 'ds01-imfile-state-clean')
  }
  for (const [to, from] of Object.entries(fleet)) copyFileSync(from, to)
  const dropIn = join(t.systemdDir, 'rsyslog.service.d', 'ds01-events.conf')
  writeFileSync(dropIn, '# Installed by `ds01-events setup --forward`\n[Service]\nExecStartPre=/usr/local/sbin/ds01-imfile-state-clean\n')
  writeFileSync(join(rsyslogDir, '50-other.conf'), '*.* /var/log/other\n')
  writeFileSync(join(archive, 'host1.jsonl'), '{}\n')
  const r = runCli([...t.args, '--rsyslog-dir', rsyslogDir, '--sbin-dir', sbinDir])
  assert.equal(r.status, 0, r.stderr)
  for (const path of [...Object.keys(fleet), dropIn]) {
    assert.equal(existsSync(path), false, `${path} removed`)
    assert.ok(r.stdout.includes(`${path}: removed`), r.stdout)
  }
  assert.ok(existsSync(join(rsyslogDir, '50-other.conf')), 'another rsyslog config is kept')
  assert.ok(existsSync(join(archive, 'host1.jsonl')), 'the archive is kept')
})

test('setup after uninstall installs again', ROOT_ONLY, () => {
  ensureTestUsers()
  const t = installedTree()
  assert.equal(runCli(t.args).status, 0)
  const r = runCli(['setup', '--dir', t.dir, '--group', GROUP, '--logrotate-dir', t.logrotateDir, '--cron-dir', t.cronDir])
  assert.equal(r.status, 0, r.stderr)
  assert.ok(existsSync(join(t.logrotateDir, 'ds01')) && existsSync(join(t.cronDir, 'ds01-logrotate')))
})

test('uninstall: not root is exit 1 with the command to run; unknown options are usage errors (exit 2)', ROOT_ONLY, () => {
  ensureTestUsers()
  const cli = join(packageRootFor(OUTSIDER), 'bin', 'ds01-events.js')
  const r = runAs(OUTSIDER, process.execPath, [cli, 'setup', '--uninstall'], { env: { PATH: process.env.PATH } })
  assert.equal(r.status, 1, r.stderr)
  assert.match(r.stderr, /must run as root.*\nRun: sudo ds01-events setup --uninstall/)
  const usage = runCli(['setup', '--uninstall', '--bogus', 'docker'])
  assert.equal(usage.status, 2)
  assert.match(usage.stderr, /unknown option '--bogus'/)
  assert.match(usage.stderr, /setup --uninstall \[--purge-logs\]/)
})
