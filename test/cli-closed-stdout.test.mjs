// `ds01-events setup | head -1` (and --forward, --central, --uninstall): a
// reader that closes the pipe early must not stop setup half-way with an EPIPE
// stack trace. Setup finishes its work, quietly, and says so in its exit status;
// a stdout that cannot be written (a full disk) is one line on stderr, exit 1.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, openSync, closeSync } from 'node:fs'
import { join } from 'node:path'
import { CLI, cleanEnv, scratch } from './helpers/cli.mjs'
import { forwardTlsArgs } from './helpers/fleet.mjs'
import { GROUP, IS_ROOT, FORWARD_SETUP, ensureTestUsers, fileGroup } from './helpers/system.mjs'

const ROOT_ONLY = { skip: IS_ROOT ? false : 'needs root' }
const FLEET = FORWARD_SETUP
const READER = fileGroup('preader')

/** Runs the CLI with its stdout a pipe closed before it writes anything: every write is EPIPE. */
function runIntoClosedPipe (args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.destroy()
    let stderr = ''
    child.stderr.on('data', (d) => { stderr += d })
    child.on('error', reject)
    child.on('close', (status, signal) => resolve({ status, signal, stderr }))
  })
}

function noTrace (r) {
  assert.doesNotMatch(r.stderr, /EPIPE|Error:|\bat [\w.<>]+ \(|node:internal/, `a stack trace on stderr:\n${r.stderr}`)
}

test('setup | (closed pipe): setup finishes (files, logrotate config), exit 0, no trace', ROOT_ONLY, async () => {
  ensureTestUsers()
  const root = scratch('ds01-epipe-')
  const dir = join(root, 'log')
  const r = await runIntoClosedPipe(['setup', '--dir', dir, '--group', GROUP, '--logrotate-dir', join(root, 'logrotate.d'), '--cron-dir', join(root, 'cron')])
  noTrace(r)
  assert.equal(r.status, 0, r.stderr)
  for (const path of [join(dir, 'events.jsonl'), join(dir, 'gpu-utilization.jsonl'), join(root, 'logrotate.d', 'ds01'), join(root, 'cron', 'ds01-logrotate')]) {
    assert.ok(existsSync(path), `${path}: setup stopped half-way`)
  }
  const undo = await runIntoClosedPipe(['setup', '--uninstall', '--dir', dir, '--logrotate-dir', join(root, 'logrotate.d'), '--cron-dir', join(root, 'cron'), '--systemd-dir', join(root, 'systemd')])
  noTrace(undo)
  assert.equal(undo.status, 0, undo.stderr)
  assert.equal(existsSync(join(root, 'logrotate.d', 'ds01')), false, 'uninstall finished too')
})

test('setup --forward and --central | (closed pipe): no trace, the configs are installed', FLEET, async () => {
  ensureTestUsers()
  const root = scratch('ds01-epipe-fleet-')
  const dir = join(root, 'log')
  const setup = spawnSync(process.execPath, [CLI, 'setup', '--dir', dir, '--group', GROUP, '--logrotate-dir', join(root, 'lr'), '--no-cron'], { env: cleanEnv() })
  assert.equal(setup.status, 0, String(setup.stderr))
  const forward = await runIntoClosedPipe(['setup', '--forward', '127.0.0.1:2600', ...forwardTlsArgs(root), '--dir', dir, '--reader-group', READER, '--rsyslog-dir', join(root, 'rsyslog.d'),
    '--rsyslog-workdir', join(root, 'spool'), '--systemd-dir', join(root, 'systemd'), '--sbin-dir', join(root, 'sbin')])
  noTrace(forward)
  assert.equal(forward.status, 0, forward.stderr)
  assert.ok(existsSync(join(root, 'rsyslog.d', '60-ds01-forward.conf')))
  const central = await runIntoClosedPipe(['setup', '--central', '--no-schema', '--rsyslog-dir', join(root, 'central.d'), '--archive', join(root, 'archive'), '--listen', '127.0.0.1:2601',
    '--name', 'central.example', '--pki-dir', join(root, 'pki'), '--logrotate-dir', join(root, 'central-lr'), '--rsyslog-user', 'root'],
    { DS01_EVENTS_DB: 'postgresql://ds01@127.0.0.1:1/ds01' })
  noTrace(central)
  assert.equal(central.status, 0, central.stderr)
  assert.ok(existsSync(join(root, 'central.d', '60-ds01-central.conf')))
})

test('setup > /dev/full: one line on stderr, exit 1, the work done', ROOT_ONLY, () => {
  ensureTestUsers()
  const root = scratch('ds01-devfull-')
  const full = openSync('/dev/full', 'w')
  try {
    const r = spawnSync(process.execPath, [CLI, 'setup', '--dir', join(root, 'log'), '--group', GROUP, '--logrotate-dir', join(root, 'lr'), '--no-cron'],
      { env: cleanEnv(), stdio: ['ignore', full, 'pipe'], encoding: 'utf8' })
    assert.equal(r.status, 1, r.stderr)
    assert.match(r.stderr, /^ds01-events: cannot write to standard output: ENOSPC\n$/)
    assert.ok(existsSync(join(root, 'lr', 'ds01')))
  } finally {
    closeSync(full)
  }
})
