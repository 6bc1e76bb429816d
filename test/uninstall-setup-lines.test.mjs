// A setup command line with --uninstall added undoes that setup: every option
// setup took is accepted (--group, --no-cron, --forward HOST ...), and what
// setup --forward changed goes too: the read ACLs it gave rsyslog's group, and
// the rsyslog.service.d/ it made for its drop-in once empty.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCli, scratch } from './helpers/cli.mjs'
import { GROUP, IS_ROOT, FORWARD_SETUP, ensureTestUsers, fileGroup } from './helpers/system.mjs'
import { forwardTlsArgs } from './helpers/fleet.mjs'

const ROOT_ONLY = { skip: IS_ROOT ? false : 'needs root' }
const FLEET = FORWARD_SETUP
const READER = fileGroup('ureader')

function tree () {
  const root = scratch('ds01-uninstall-lines-')
  return {
    root,
    dir: join(root, 'log'),
    logrotateDir: join(root, 'logrotate.d'),
    cronDir: join(root, 'cron.hourly')
  }
}

test('setup ... --uninstall: the same command line with --uninstall added removes what it installed', ROOT_ONLY, () => {
  ensureTestUsers()
  for (const cron of [['--cron-dir'], ['--no-cron']]) {
    const t = tree()
    const line = ['setup', '--dir', t.dir, '--group', GROUP, '--logrotate-dir', t.logrotateDir, ...(cron[0] === '--no-cron' ? ['--no-cron'] : ['--cron-dir', t.cronDir])]
    const setup = runCli(line)
    assert.equal(setup.status, 0, setup.stderr)
    assert.ok(existsSync(join(t.logrotateDir, 'ds01')))
    const undo = runCli([...line, '--uninstall'])
    assert.equal(undo.status, 0, `${line.join(' ')} --uninstall: ${undo.stderr}`)
    assert.equal(undo.stderr, '')
    assert.equal(existsSync(join(t.logrotateDir, 'ds01')), false)
    assert.equal(existsSync(join(t.cronDir, 'ds01-logrotate')), false)
    assert.ok(existsSync(join(t.dir, 'events.jsonl')), 'the logs are kept')
  }
})

function acl (path) {
  return spawnSync('getfacl', ['-cp', path], { encoding: 'utf8' }).stdout
}

test('setup --forward ... --uninstall: the read ACLs and the empty rsyslog.service.d/ go too', FLEET, () => {
  ensureTestUsers()
  const t = tree()
  const setup = runCli(['setup', '--dir', t.dir, '--group', GROUP, '--logrotate-dir', t.logrotateDir, '--no-cron'])
  assert.equal(setup.status, 0, setup.stderr)
  const systemdDir = join(t.root, 'systemd')
  const line = ['setup', '--forward', '127.0.0.1:2600', ...forwardTlsArgs(t.root), '--dir', t.dir, '--reader-group', READER, '--rsyslog-dir', join(t.root, 'rsyslog.d'),
    '--rsyslog-workdir', join(t.root, 'spool'), '--systemd-dir', systemdDir, '--sbin-dir', join(t.root, 'sbin')]
  const forward = runCli(line, { env: { DS01_EVENTS_DB: '' } })
  assert.equal(forward.status, 0, forward.stderr)
  assert.match(acl(t.dir), new RegExp(`group:${READER}:r-x`))
  assert.match(acl(join(t.dir, 'events.jsonl')), new RegExp(`group:${READER}:r--`))
  assert.ok(existsSync(join(systemdDir, 'rsyslog.service.d')))

  const undo = runCli([...line, '--uninstall', '--logrotate-dir', t.logrotateDir])
  assert.equal(undo.status, 0, undo.stderr)
  for (const path of [t.dir, join(t.dir, 'events.jsonl'), join(t.dir, 'gpu-utilization.jsonl')]) {
    assert.doesNotMatch(acl(path), new RegExp(READER), `${path} keeps no ACL for ${READER}:\n${acl(path)}`)
    assert.doesNotMatch(acl(path), /^default:/m, `${path} keeps no default ACL`)
  }
  assert.equal(existsSync(join(systemdDir, 'rsyslog.service.d')), false, 'the empty drop-in directory is removed')
  assert.equal(existsSync(join(t.root, 'rsyslog.d', '60-ds01-forward.conf')), false)
})

test('a rsyslog.service.d/ that holds someone else\'s drop-in is kept', ROOT_ONLY, () => {
  ensureTestUsers()
  const t = tree()
  const systemdDir = join(t.root, 'systemd')
  mkdirSync(join(systemdDir, 'rsyslog.service.d'), { recursive: true })
  writeFileSync(join(systemdDir, 'rsyslog.service.d', 'ds01-events.conf'), '# Installed by `ds01-events setup --forward`\n')
  writeFileSync(join(systemdDir, 'rsyslog.service.d', 'local.conf'), '[Service]\nNice=5\n')
  const r = runCli(['setup', '--uninstall', '--dir', t.dir, '--logrotate-dir', t.logrotateDir, '--cron-dir', t.cronDir, '--systemd-dir', systemdDir,
    '--rsyslog-dir', join(t.root, 'rsyslog.d'), '--sbin-dir', join(t.root, 'sbin')])
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(readdirSync(join(systemdDir, 'rsyslog.service.d')), ['local.conf'])
})
