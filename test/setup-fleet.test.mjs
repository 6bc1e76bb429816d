// `ds01-events setup --forward` / `--central` in a temporary tree: the read
// ACL for rsyslog's group (and for files created later, and nobody else), the
// installed files, idempotence, and refusals that say what to do. The daemons
// themselves run in test/fleet-e2e.test.mjs.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { REPO, testName } from './helpers/system.mjs'

const CLI = join(REPO, 'bin', 'ds01-events.js')
const IS_ROOT = process.getuid?.() === 0
const HAS_SETFACL = spawnSync('setfacl', ['--version']).status === 0
const ROOT_ONLY = { skip: !IS_ROOT ? 'needs root' : (!HAS_SETFACL && !process.env.CI) ? 'setfacl missing (apt-get install acl)' : false }
const GROUP = testName('freader')

function cli (args) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, DS01_EVENTS_DB: '' } })
}

function tree () {
  const root = mkdtempSync(join(tmpdir(), 'ds01-setup-fleet-'))
  after(() => rmSync(root, { recursive: true, force: true }))
  const dir = join(root, 'log')
  mkdirSync(dir)
  chmodSync(dir, 0o2775)
  for (const name of ['events.jsonl', 'gpu-utilization.jsonl']) {
    writeFileSync(join(dir, name), '')
    chmodSync(join(dir, name), 0o660) // the spec's mode, whatever the umask
  }
  // the central's side, without a database: its CA, and a bundle for this host
  const pki = join(root, 'pki')
  const central = centralArgs(root)
  const made = cli(central)
  assert.equal(made.status, 0, made.stderr)
  const added = cli(['setup', '--central', '--add-host', 'gpu-x.test', '--pki-dir', pki, '--rsyslog-dir', join(root, 'central.d')])
  assert.equal(added.status, 0, added.stderr)
  const args = ['setup', '--forward', '127.0.0.1:2600', '--tls-bundle', join(pki, 'bundles', 'gpu-x.test'), '--tls-dir', join(root, 'tls'), '--rsyslog-user', 'root',
    '--dir', dir, '--reader-group', GROUP, '--rsyslog-dir', join(root, 'rsyslog.d'),
    '--rsyslog-workdir', join(root, 'spool'), '--systemd-dir', join(root, 'systemd'), '--sbin-dir', join(root, 'sbin')]
  return { root, dir, args, pki, central }
}

function centralArgs (root) {
  return ['setup', '--central', '--no-schema', '--db', 'postgresql://ds01@127.0.0.1:1/ds01', '--name', 'central.test', '--listen', '127.0.0.1:2600',
    '--pki-dir', join(root, 'pki'), '--rsyslog-dir', join(root, 'central.d'), '--archive', join(root, 'archive'), '--rsyslog-user', 'root',
    '--logrotate-dir', join(root, 'logrotate.d')]
}

function acl (path) {
  return spawnSync('getfacl', ['-cp', path], { encoding: 'utf8' }).stdout
}

if (IS_ROOT) {
  spawnSync('groupadd', [GROUP])
  after(() => spawnSync('groupdel', [GROUP]))
}

test('setup --forward: read ACL for rsyslog\'s group on the logs and on files created later, config and pre-start step installed, idempotent', ROOT_ONLY, () => {
  const t = tree()
  const first = cli(t.args)
  assert.equal(first.status, 0, first.stderr)
  for (const name of ['events.jsonl', 'gpu-utilization.jsonl']) {
    assert.match(acl(join(t.dir, name)), new RegExp(`^group:${GROUP}:r--$`, 'm'))
    assert.equal(statSync(join(t.dir, name)).mode & 0o777, 0o660, 'the mode stays 0660')
  }
  assert.match(acl(t.dir), new RegExp(`^default:group:${GROUP}:r--$`, 'm'))
  assert.match(acl(t.dir), /^default:other::---$/m)
  // a file logrotate or a writer creates later: readable by the group, by nobody else
  writeFileSync(join(t.dir, 'events.jsonl.new'), '', { mode: 0o666 })
  const created = acl(join(t.dir, 'events.jsonl.new'))
  assert.match(created, new RegExp(`^group:${GROUP}:r--`, 'm'))
  assert.match(created, /^other::---$/m, 'a default ACL overrides the umask: other must stay ---')

  const config = readFileSync(join(t.root, 'rsyslog.d', '60-ds01-forward.conf'), 'utf8')
  assert.match(config, /target="127\.0\.0\.1" port="2600"/)
  assert.match(config, /tls="on" tls\.caCert="[^"]+\/tls\/ca\.pem" tls\.myCert="[^"]+\/tls\/cert\.pem" tls\.myPrivKey="[^"]+\/tls\/key\.pem"/)
  assert.match(config, /tls\.authMode="name" tls\.permittedPeer=\["central\.test"\]/)
  assert.equal(statSync(join(t.root, 'tls', 'key.pem')).mode & 0o777, 0o400, 'the host key: rsyslog\'s user alone')
  assert.match(config, new RegExp(`file="${t.dir}/events\\.jsonl\\.1"`))
  assert.doesNotMatch(config, /@@|\/var\/log\/ds01\//)
  const dropIn = readFileSync(join(t.root, 'systemd', 'rsyslog.service.d', 'ds01-events.conf'), 'utf8')
  assert.match(dropIn, new RegExp(`^ExecStartPre=${t.root}/sbin/ds01-imfile-state-clean ${t.root}/spool ${t.dir}$`, 'm'))
  assert.equal(statSync(join(t.root, 'sbin', 'ds01-imfile-state-clean')).mode & 0o777, 0o755)

  const second = cli(t.args)
  assert.equal(second.status, 0, second.stderr)
  assert.match(second.stdout, /60-ds01-forward\.conf: ok/)
  assert.match(second.stdout, /ds01-imfile-state-clean: ok/)
})

test('setup --forward refuses what would break the config, with what to do', ROOT_ONLY, () => {
  const t = tree()
  const withTarget = (target) => t.args.map((a) => (a === '127.0.0.1:2600' ? target : a))
  for (const bad of ['a"b', 'host:99999', 'x y', 'h\ninclude(file="/etc/shadow")', '']) {
    const r = cli(withTarget(bad))
    assert.equal(r.status, 1, `${JSON.stringify(bad)}: ${r.stderr}`)
    assert.match(r.stderr, /HOST\[:PORT\]|names no host|between 1 and 65535/)
  }
  const noGroup = cli(t.args.map((a) => (a === GROUP ? testName('no-such-group') : a)))
  assert.equal(noGroup.status, 1)
  assert.match(noGroup.stderr, /--reader-group/)
  const noDir = cli(t.args.map((a) => (a === t.dir ? join(t.root, 'missing') : a)))
  assert.equal(noDir.status, 1)
  assert.match(noDir.stderr, /run 'ds01-events setup --dir/)
  const both = cli(['setup', '--forward', 'h', '--central'])
  assert.equal(both.status, 2)
  const mixed = cli(['setup', '--central', '--dir', '/x'])
  assert.equal(mixed.status, 2)
  assert.match(mixed.stderr, /--dir goes with --forward/)
})

test('setup --central without a database URL, or with one rsyslog cannot take, says what to give', ROOT_ONLY, () => {
  const root = mkdtempSync(join(tmpdir(), 'ds01-setup-fleet-'))
  after(() => rmSync(root, { recursive: true, force: true }))
  const base = ['setup', '--central', '--rsyslog-dir', join(root, 'rsyslog.d'), '--archive', join(root, 'archive')]
  const none = cli(base)
  assert.equal(none.status, 2, 'a usage error: nothing was tried')
  assert.match(none.stderr, /database URL postgresql:\/\/.*DS01_EVENTS_DB.*--db-file PATH/)
  const spaced = cli([...base, '--db', 'host=127.0.0.1 dbname=x'])
  assert.equal(spaced.status, 1)
  assert.match(spaced.stderr, /postgresql:\/\/ URL without spaces/)
  const refused = cli([...base, '--db', 'postgresql://u:s3cret@127.0.0.1:1/x'])
  assert.equal(refused.status, 1)
  assert.match(refused.stderr, /applying .*ds01-events\.sql failed/)
  assert.doesNotMatch(refused.stderr, /s3cret/)
})

test('setup --central: a CA, one TLS listener per host permitting only its certificate, bundles; revoking removes the listener, and a host added again gets a new name', ROOT_ONLY, () => {
  const t = tree()
  const listeners = () => readFileSync(join(t.root, 'central.d', '61-ds01-central-hosts.conf'), 'utf8')
  const peer = (name) => JSON.parse(readFileSync(join(t.pki, 'bundles', name, 'fleet.json'), 'utf8')).peer
  assert.equal(statSync(join(t.pki, 'ca.key')).mode & 0o777, 0o600, 'the CA key stays root\'s')
  assert.equal(statSync(join(t.root, 'central.d', '60-ds01-central.conf')).mode & 0o777, 0o600, 'the central config holds the URL')
  const first = peer('gpu-x.test')
  assert.match(listeners(), new RegExp(`input\\(type="imrelp" name="gpu-x\\.test" address="127\\.0\\.0\\.1" port="2600"[^)]*tls="on"[^)]*tls\\.authMode="name" tls\\.permittedPeer=\\["${first.replace(/\./g, '\\.')}"\\]\\)`))
  // the certificate is the CA's, for exactly that name
  const verify = spawnSync('openssl', ['verify', '-CAfile', join(t.pki, 'ca.pem'), join(t.pki, 'bundles', 'gpu-x.test', 'cert.pem')], { encoding: 'utf8' })
  assert.equal(verify.status, 0, verify.stderr)
  const text = spawnSync('openssl', ['x509', '-noout', '-ext', 'subjectAltName', '-in', join(t.pki, 'bundles', 'gpu-x.test', 'cert.pem')], { encoding: 'utf8' }).stdout
  assert.match(text, new RegExp(`DNS:${first.replace(/\./g, '\\.')}\\b`))
  const second = cli(['setup', '--central', '--add-host', 'gpu-y.test', '--pki-dir', t.pki, '--rsyslog-dir', join(t.root, 'central.d')])
  assert.equal(second.status, 0, second.stderr)
  assert.match(second.stdout, /listener port 2601/)
  assert.match(second.stdout, /setup --forward central\.test:2601 --tls-bundle/)
  const again = cli(['setup', '--central', '--add-host', 'gpu-y.test', '--pki-dir', t.pki, '--rsyslog-dir', join(t.root, 'central.d')])
  assert.match(again.stdout, /registered already \(port 2601/)
  // the archive's rotation is installed; the config archives under the authenticated name
  assert.match(readFileSync(join(t.root, 'logrotate.d', 'ds01-fleet'), 'utf8'), new RegExp(`^${join(t.root, 'archive')}/\\*/\\*\\.jsonl \\{`, 'm'))
  const dry = spawnSync('logrotate', ['-d', '-s', join(t.root, 'logrotate.state'), join(t.root, 'logrotate.d', 'ds01-fleet')], { encoding: 'utf8' })
  assert.equal(dry.status, 0, `logrotate accepts the archive's rotation: ${dry.stderr}`)
  assert.match(readFileSync(join(t.root, 'central.d', '60-ds01-central.conf'), 'utf8'), /property\(name="inputname" securepath="replace"\)/)
  assert.match(readFileSync(join(t.root, 'central.d', '60-ds01-central.conf'), 'utf8'), /options=-c%20standard_conforming_strings%3Don&client_encoding=LATIN1/)

  const revoked = cli(['setup', '--central', '--revoke-host', 'gpu-x.test', '--pki-dir', t.pki, '--rsyslog-dir', join(t.root, 'central.d')])
  assert.equal(revoked.status, 0, revoked.stderr)
  assert.doesNotMatch(listeners(), new RegExp(`permittedPeer=\\["${first.replace(/\./g, '\\.')}"`))
  assert.match(listeners(), /# gpu-x\.test: revoked/)
  const readded = cli(['setup', '--central', '--add-host', 'gpu-x.test', '--pki-dir', t.pki, '--rsyslog-dir', join(t.root, 'central.d')])
  assert.equal(readded.status, 0, readded.stderr)
  assert.notEqual(peer('gpu-x.test'), first, 'a new certificate name: the revoked one stays refused')
  assert.doesNotMatch(listeners(), new RegExp(`"${first.replace(/\./g, '\\.')}"`))
  const unknown = cli(['setup', '--central', '--revoke-host', 'nope.test', '--pki-dir', t.pki, '--rsyslog-dir', join(t.root, 'central.d')])
  assert.equal(unknown.status, 1)
  assert.match(unknown.stderr, /no such host/)
  const bad = cli(['setup', '--central', '--add-host', 'x"y', '--pki-dir', t.pki, '--rsyslog-dir', join(t.root, 'central.d')])
  assert.equal(bad.status, 1)
  assert.match(bad.stderr, /give a host name/)
})

test('setup --forward without a bundle says where it comes from', ROOT_ONLY, () => {
  const t = tree()
  const r = cli(t.args.filter((a, i) => a !== '--tls-bundle' && t.args[i - 1] !== '--tls-bundle'))
  assert.equal(r.status, 1)
  assert.match(r.stderr, /--tls-bundle DIR: run 'ds01-events setup --central --add-host/)
})
