// `ds01-events setup` in a temporary tree: the directory root:docker 2775, the
// files root:docker 0660, the logrotate config and the hourly job installed;
// idempotent; repairs what drifted; clear errors when not root or no group.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cleanEnv, runCli, scratch } from './helpers/cli.mjs'
import { GROUP, IS_ROOT, MEMBER, REPO, ensureGroup, ensureTestUsers, packageRootFor, runAs, testName } from './helpers/system.mjs'

const ROOT_ONLY = { skip: IS_ROOT ? false : 'needs root' }
const LOGROTATE = ['/usr/sbin/logrotate', '/sbin/logrotate'].find((p) => existsSync(p))

function tree () {
  const root = scratch('ds01-setup-')
  chmodSync(root, 0o755)
  const t = {
    root,
    dir: join(root, 'var', 'log', 'ds01'),
    logrotateDir: join(root, 'etc', 'logrotate.d'),
    cronDir: join(root, 'etc', 'cron.hourly')
  }
  t.args = ['setup', '--dir', t.dir, '--group', GROUP, '--logrotate-dir', t.logrotateDir, '--cron-dir', t.cronDir]
  return t
}

function owner (path) {
  const st = statSync(path)
  return { uid: st.uid, gid: st.gid, mode: (st.mode & 0o7777).toString(8) }
}

test('setup prepares the directory, the files, the logrotate config and the hourly job', ROOT_ONLY, () => {
  const { gid } = ensureTestUsers()
  const t = tree()
  const r = runCli(t.args)
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stderr, '')
  assert.deepEqual(owner(t.dir), { uid: 0, gid, mode: '2775' })
  for (const name of ['events.jsonl', 'gpu-utilization.jsonl']) {
    assert.deepEqual(owner(join(t.dir, name)), { uid: 0, gid, mode: '660' }, name)
    assert.equal(statSync(join(t.dir, name)).size, 0)
  }
  const config = readFileSync(join(t.logrotateDir, 'ds01'), 'utf8')
  assert.deepEqual(owner(join(t.logrotateDir, 'ds01')), { uid: 0, gid: 0, mode: '644' })
  assert.ok(config.includes(`${t.dir}/events.jsonl {`))
  assert.ok(config.includes(`${t.dir}/gpu-utilization.jsonl {`))
  assert.doesNotMatch(config, /^\/var\/log\/ds01\//m, 'every path points into the tree')
  assert.match(config, new RegExp(`^\\s+create 0660 root ${GROUP}$`, 'm'))
  assert.match(config, new RegExp(`^\\s+su root ${GROUP}$`, 'm'))
  const job = join(t.cronDir, 'ds01-logrotate')
  assert.deepEqual(owner(job), { uid: 0, gid: 0, mode: '755' })
  assert.ok(readFileSync(job, 'utf8').includes(`logrotate ${join(t.logrotateDir, 'ds01')}`))
  assert.match(r.stdout, /created/)
})

test('setup is idempotent: a second run changes nothing and says ok', ROOT_ONLY, () => {
  ensureTestUsers()
  const t = tree()
  assert.equal(runCli(t.args).status, 0)
  writeFileSync(join(t.dir, 'events.jsonl'), '{"kept":true}\n', { flag: 'a' })
  const before = statSync(join(t.logrotateDir, 'ds01'))
  const r = runCli(t.args)
  assert.equal(r.status, 0, r.stderr)
  assert.doesNotMatch(r.stdout, /created|fixed|installed|updated/)
  assert.equal((r.stdout.match(/: ok/g) ?? []).length, 8, r.stdout) // the directory, 2 logs, logrotate, hourly job, waste timer, service, cron file
  assert.equal(readFileSync(join(t.dir, 'events.jsonl'), 'utf8'), '{"kept":true}\n', 'existing events kept')
  assert.equal(statSync(join(t.logrotateDir, 'ds01')).ino, before.ino, 'config not rewritten')
})

test('setup repairs owners and modes that drifted, and an edited config', ROOT_ONLY, () => {
  const { gid, member } = ensureTestUsers()
  const t = tree()
  assert.equal(runCli(t.args).status, 0)
  chmodSync(t.dir, 0o755)
  chownSync(t.dir, 0, 0)
  chownSync(join(t.dir, 'events.jsonl'), member, member) // a writer created it before setup ran
  chmodSync(join(t.dir, 'events.jsonl'), 0o600)
  writeFileSync(join(t.logrotateDir, 'ds01'), '# edited\n')
  const r = runCli(t.args)
  assert.equal(r.status, 0, r.stderr)
  assert.ok(r.stdout.includes(`ds01: fixed (owner 0:0 -> root:${GROUP}, mode 0755 -> 2775)`), r.stdout)
  assert.match(r.stdout, /events\.jsonl: fixed/)
  assert.match(r.stdout, /logrotate\.d\/ds01: updated/)
  assert.deepEqual(owner(t.dir), { uid: 0, gid, mode: '2775' })
  assert.deepEqual(owner(join(t.dir, 'events.jsonl')), { uid: 0, gid, mode: '660' })
  assert.ok(readFileSync(join(t.logrotateDir, 'ds01'), 'utf8').includes(`create 0660 root ${GROUP}`))
})

test('another group: --group renders it into the config and the owners', ROOT_ONLY, () => {
  const t = tree()
  const group = testName('loggers')
  const gid = ensureGroup(group)
  const r = runCli(['setup', '--dir', t.dir, '--group', group, '--logrotate-dir', t.logrotateDir, '--no-cron'])
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(owner(t.dir), { uid: 0, gid, mode: '2775' })
  const config = readFileSync(join(t.logrotateDir, 'ds01'), 'utf8')
  assert.match(config, new RegExp(`^\\s+su root ${group}$`, 'm'))
  assert.match(config, new RegExp(`^\\s+create 0660 root ${group}$`, 'm'))
  assert.equal(existsSync(t.cronDir), false, '--no-cron')
})

test('the installed config is accepted by the real logrotate', { skip: !IS_ROOT ? 'needs root' : !LOGROTATE ? 'needs logrotate (apt-get install logrotate)' : false }, () => {
  ensureTestUsers()
  const t = tree()
  assert.equal(runCli(t.args).status, 0)
  writeFileSync(join(t.dir, 'events.jsonl'), '{"n":1}\n', { flag: 'a' })
  const state = join(t.root, 'logrotate.state')
  const r = spawnSync(LOGROTATE, ['-f', '-s', state, join(t.logrotateDir, 'ds01')], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stderr, '')
  assert.ok(existsSync(join(t.dir, 'events.jsonl.1')), 'rotated')
  // and setup after a rotation is still a no-op on the new file
  assert.equal(runCli(t.args).status, 0)
})

test('not root: exit 1, says to use sudo, changes nothing', ROOT_ONLY, () => {
  ensureTestUsers()
  const t = tree()
  const pkg = packageRootFor(MEMBER)
  const r = runAs(MEMBER, process.execPath, [join(pkg, 'bin', 'ds01-events.js'), ...t.args], { env: cleanEnv({ HOME: t.root }) })
  assert.equal(r.status, 1, r.stderr)
  assert.match(r.stderr, /must run as root/)
  assert.match(r.stderr, /sudo ds01-events setup/)
  assert.equal(existsSync(t.dir), false)
})

test('a group that does not exist: exit 1, says how to create it', ROOT_ONLY, () => {
  const t = tree()
  const r = runCli(['setup', '--dir', t.dir, '--group', 'ds01-no-such-group', '--logrotate-dir', t.logrotateDir, '--no-cron'])
  assert.equal(r.status, 1)
  assert.match(r.stderr, /group 'ds01-no-such-group' does not exist/)
  assert.match(r.stderr, /groupadd ds01-no-such-group/)
  assert.equal(existsSync(t.dir), false)
})

test('a symbolic link in place of a log file or the directory is refused, not followed', ROOT_ONLY, () => {
  ensureTestUsers()
  const t = tree()
  mkdirSync(t.dir, { recursive: true })
  const target = join(t.root, 'shadow-target')
  writeFileSync(target, '')
  chmodSync(target, 0o600)
  symlinkSync(target, join(t.dir, 'events.jsonl'))
  let r = runCli(t.args)
  assert.equal(r.status, 1)
  assert.match(r.stderr, /symbolic link/)
  assert.deepEqual(owner(target), { uid: 0, gid: 0, mode: '600' }, 'the target was not touched')

  const t2 = tree()
  mkdirSync(join(t2.root, 'var', 'log'), { recursive: true })
  mkdirSync(join(t2.root, 'elsewhere'))
  symlinkSync(join(t2.root, 'elsewhere'), t2.dir)
  r = runCli(t2.args)
  assert.equal(r.status, 1)
  assert.match(r.stderr, /not a directory \(a symbolic link/)
})

test('not root, in any environment: the check comes before any change', () => {
  if (IS_ROOT) return // covered above, as a real non-root user
  const t = tree()
  const r = runCli(t.args)
  assert.equal(r.status, 1)
  assert.match(r.stderr, /must run as root/)
  assert.equal(existsSync(t.dir), false)
})

test('setup ships the files it installs', () => {
  assert.ok(existsSync(join(REPO, 'deploy', 'logrotate.d', 'ds01')))
  assert.ok(existsSync(join(REPO, 'deploy', 'cron.hourly', 'ds01-logrotate')))
})
