// `setup --uninstall` on a fleet host, in a temporary root laid out like the
// real one: everything `setup` (the log directory), `setup --central` (its CA,
// --add-host bundles, --revoke-host), and `setup --forward` (the host's key and
// certificates, the ACLs) wrote is listed by comparing the whole tree (paths,
// types, modes, owners, contents, ACLs) before and after; after uninstall the
// tree is again what it was before, file for file, except the central archive
// (data, kept on purpose); other files in the same folders are not touched.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { runCli, scratch } from './helpers/cli.mjs'
import { FORWARD_SETUP, GROUP, ensureTestUsers, fileGroup } from './helpers/system.mjs'

const HAS_OPENSSL = spawnSync('openssl', ['version']).status === 0
const FLEET = FORWARD_SETUP.skip !== false ? FORWARD_SETUP : { skip: !HAS_OPENSSL && !process.env.CI ? 'openssl missing (apt-get install openssl)' : false }
const READER = fileGroup('flreader')

/** path (relative to root) -> type, mode, owner, content hash or link target, ACL: all but times. */
function snapshot (root) {
  const out = new Map()
  const walk = (path) => {
    const st = lstatSync(path)
    const type = st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other'
    let body = ''
    if (type === 'file') body = createHash('sha256').update(readFileSync(path)).digest('hex')
    if (type === 'link') body = readlinkSync(path)
    const acl = type === 'link' ? '' : spawnSync('getfacl', ['-cp', path], { encoding: 'utf8' }).stdout.trim().split('\n').join(',')
    out.set(relative(root, path) || '.', `${type} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid} ${body} ${acl}`)
    if (type === 'dir') for (const name of readdirSync(path).sort()) walk(join(path, name))
  }
  walk(root)
  return out
}

function diff (before, after) {
  const changed = []
  for (const [path, what] of after) if (before.get(path) !== what) changed.push(`${before.has(path) ? 'changed' : 'added'} ${path}`)
  for (const path of before.keys()) if (!after.has(path)) changed.push(`removed ${path}`)
  return changed.sort()
}

test('setup --uninstall with the fleet options removes everything setup --central, --add-host and --forward wrote, keeps the archive, touches nothing else', FLEET, () => {
  ensureTestUsers()
  const root = scratch('ds01-uninstall-fleet-')
  const p = {
    log: join(root, 'var', 'log', 'ds01'),
    archive: join(root, 'var', 'log', 'ds01-fleet'),
    spool: join(root, 'var', 'spool', 'rsyslog'),
    rsyslog: join(root, 'etc', 'rsyslog.d'),
    logrotate: join(root, 'etc', 'logrotate.d'),
    cron: join(root, 'etc', 'cron.hourly'),
    systemd: join(root, 'etc', 'systemd', 'system'),
    sbin: join(root, 'usr', 'local', 'sbin'),
    pki: join(root, 'etc', 'ds01-events', 'fleet-ca'),
    tls: join(root, 'etc', 'ds01-events', 'tls')
  }
  // what was there before, someone else's, in the folders setup writes to
  for (const dir of [join(root, 'var', 'log'), join(root, 'etc', 'cron.d'), p.spool, p.rsyslog, p.logrotate, p.cron, p.systemd, p.sbin]) mkdirSync(dir, { recursive: true })
  writeFileSync(join(p.rsyslog, '50-other.conf'), '*.* /var/log/other\n')
  writeFileSync(join(p.logrotate, 'rsyslog'), '/var/log/syslog {\n  daily\n}\n')
  writeFileSync(join(p.systemd, 'other.service'), '[Service]\nExecStart=/bin/true\n')
  writeFileSync(join(p.sbin, 'other-tool'), '#!/bin/sh\n')
  chmodSync(join(p.sbin, 'other-tool'), 0o755)
  writeFileSync(join(p.spool, 'other-state'), 'x\n')
  const before = snapshot(root)

  const setup = runCli(['setup', '--dir', p.log, '--group', GROUP, '--logrotate-dir', p.logrotate, '--cron-dir', p.cron])
  assert.equal(setup.status, 0, setup.stderr)
  const logsOnly = snapshot(root)
  const central = ['setup', '--central', '--no-schema', '--db', 'postgresql://ds01@127.0.0.1:1/ds01', '--name', 'central.test', '--listen', '127.0.0.1:2600',
    '--pki-dir', p.pki, '--rsyslog-dir', p.rsyslog, '--archive', p.archive, '--rsyslog-user', 'root', '--logrotate-dir', p.logrotate]
  const hosts = (flag, name) => ['setup', '--central', flag, name, '--pki-dir', p.pki, '--rsyslog-dir', p.rsyslog]
  const forward = ['setup', '--forward', '127.0.0.1', '--tls-bundle', join(p.pki, 'bundles', 'gpu-a.test'), '--tls-dir', p.tls, '--rsyslog-user', 'root',
    '--dir', p.log, '--reader-group', READER, '--rsyslog-dir', p.rsyslog, '--rsyslog-workdir', p.spool, '--systemd-dir', p.systemd, '--sbin-dir', p.sbin]
  for (const args of [central, hosts('--add-host', 'gpu-a.test'), hosts('--add-host', 'gpu-b.test'), hosts('--add-host', 'gpu-c.test'), hosts('--revoke-host', 'gpu-c.test'), forward]) {
    const r = runCli(args, { env: { DS01_EVENTS_DB: '' } })
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`)
  }
  writeFileSync(join(p.archive, 'gpu-a.test.jsonl'), '{"archived":true}\n') // as rsyslog would: data

  // what the fleet's setup wrote: the sanity check that the comparison sees it all
  const wrote = diff(logsOnly, snapshot(root))
  const rel = (path) => relative(root, path)
  for (const path of [join(p.pki, 'ca.key'), join(p.pki, 'ca.pem'), join(p.pki, 'central.key'), join(p.pki, 'central.pem'), join(p.pki, 'hosts.json'),
    join(p.pki, 'bundles', 'gpu-a.test', 'key.pem'), join(p.pki, 'bundles', 'gpu-b.test', 'cert.pem'),
    join(p.tls, 'key.pem'), join(p.tls, 'cert.pem'), join(p.tls, 'ca.pem'), join(p.tls, 'fleet.json'),
    join(p.rsyslog, '60-ds01-central.conf'), join(p.rsyslog, '61-ds01-central-hosts.conf'), join(p.rsyslog, '60-ds01-forward.conf'),
    join(p.logrotate, 'ds01-fleet'), join(p.systemd, 'rsyslog.service.d', 'ds01-events.conf'), join(p.sbin, 'ds01-imfile-state-clean'), p.archive]) {
    assert.ok(wrote.includes(`added ${rel(path)}`), `${rel(path)} among what setup wrote:\n${wrote.join('\n')}`)
  }
  assert.ok(wrote.includes(`changed ${rel(p.log)}`), 'the ACL on the log directory')
  assert.ok(wrote.includes(`changed ${rel(join(p.log, 'events.jsonl'))}`), 'the ACL on the log')

  // the forward command line with --uninstall added, and where the central put its things
  const uninstall = [...forward, '--uninstall', '--central', '--pki-dir', p.pki, '--archive', p.archive, '--logrotate-dir', p.logrotate, '--cron-dir', p.cron, '--purge-logs']
  const r = runCli(uninstall)
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stderr, '')
  assert.ok(r.stdout.includes(`${p.pki}: removed`), r.stdout)
  assert.ok(r.stdout.includes(`${p.tls}: removed`), r.stdout)
  assert.ok(r.stdout.includes(`${p.archive}: kept, with the archive`), r.stdout)
  const left = diff(before, snapshot(root))
  assert.deepEqual(left, [`added ${rel(p.archive)}`, `added ${rel(join(p.archive, 'gpu-a.test.jsonl'))}`],
    `after uninstall the tree is as before setup, but for the archive:\n${r.stdout}`)
  assert.equal(readFileSync(join(p.archive, 'gpu-a.test.jsonl'), 'utf8'), '{"archived":true}\n')

  const again = runCli(uninstall)
  assert.equal(again.status, 0, again.stderr)
  assert.doesNotMatch(again.stdout, /removed/, 'a second run removes nothing')
  assert.deepEqual(diff(before, snapshot(root)), left)
})

test('uninstall keeps a CA or TLS folder that is not ours, and the files of others inside ours', FLEET, () => {
  ensureTestUsers()
  const root = scratch('ds01-uninstall-fleet-')
  const pki = join(root, 'pki')
  const tls = join(root, 'tls')
  const central = ['setup', '--central', '--no-schema', '--db', 'postgresql://ds01@127.0.0.1:1/ds01', '--name', 'central.test', '--listen', '127.0.0.1:2600',
    '--pki-dir', pki, '--rsyslog-dir', join(root, 'rsyslog.d'), '--archive', join(root, 'archive'), '--rsyslog-user', 'root', '--logrotate-dir', join(root, 'logrotate.d')]
  assert.equal(runCli(central).status, 0)
  assert.equal(runCli(['setup', '--central', '--add-host', 'gpu-a.test', '--pki-dir', pki, '--rsyslog-dir', join(root, 'rsyslog.d')]).status, 0)
  writeFileSync(join(pki, 'NOTES'), 'mine\n')
  writeFileSync(join(pki, 'bundles', 'gpu-a.test', 'extra.pem'), 'mine\n')
  mkdirSync(tls)
  writeFileSync(join(tls, 'key.pem'), 'someone else\'s key\n')
  const args = ['setup', '--uninstall', '--dir', join(root, 'log'), '--rsyslog-dir', join(root, 'rsyslog.d'), '--logrotate-dir', join(root, 'logrotate.d'),
    '--cron-dir', join(root, 'cron'), '--systemd-dir', join(root, 'systemd'), '--sbin-dir', join(root, 'sbin'), '--pki-dir', pki, '--tls-dir', tls, '--archive', join(root, 'archive')]
  const r = runCli(args)
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(readdirSync(pki).sort(), ['NOTES', 'bundles'])
  assert.deepEqual(readdirSync(join(pki, 'bundles', 'gpu-a.test')), ['extra.pem'])
  assert.equal(existsSync(join(pki, 'ca.key')), false, 'the CA key is gone')
  assert.match(r.stdout, /kept the directory for what else is in it: NOTES/)
  assert.equal(readFileSync(join(tls, 'key.pem'), 'utf8'), 'someone else\'s key\n')
  assert.ok(r.stdout.includes(`${tls}: kept (no fleet.json of ds01-events in it)`), r.stdout)
})
