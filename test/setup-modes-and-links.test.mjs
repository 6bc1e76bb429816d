// Issue 8.3: the log files are 0660 (events are not for every local user, and
// a user who cannot open the file cannot hold its lock); setup brings an older
// 0664 deployment to 0660.
// And `setup` runs as root and chowns/chmods the log files. A group
// member who hardlinks another user's file (or a root-only one) at a log
// file's name must not get it turned into a group-readable log: setup refuses
// a log file with more than one link, says why, and changes nothing at all.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { chmodSync, chownSync, existsSync, linkSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCli, scratch } from './helpers/cli.mjs'
import { IS_ROOT } from './helpers/system.mjs'

const ROOT_ONLY = { skip: IS_ROOT ? false : 'needs root (setup refuses to run otherwise)' }

function snapshot (path) {
  const st = statSync(path)
  return { uid: st.uid, gid: st.gid, mode: st.mode & 0o7777, nlink: st.nlink, ctimeMs: st.ctimeMs, content: st.isFile() ? readFileSync(path, 'utf8') : null }
}

for (const name of ['events.jsonl', 'gpu-utilization.jsonl']) {
  test(`setup refuses a hardlinked ${name}, says why and changes nothing`, ROOT_ONLY, () => {
    const root = scratch('ds01-setup-hardlink-')
    chmodSync(root, 0o755)
    const dir = join(root, 'var', 'log', 'ds01')
    mkdirSync(dir, { recursive: true, mode: 0o755 })
    // someone else's private file, linked at the log's name (as a group member could in a 2775 dir)
    const victim = join(root, 'home-secret')
    writeFileSync(victim, 'private\n', { mode: 0o600 })
    chownSync(victim, 65534, 65534)
    linkSync(victim, join(dir, name))
    const before = { victim: snapshot(victim), dir: snapshot(dir) }
    const logrotateDir = join(root, 'etc', 'logrotate.d')
    const cronDir = join(root, 'etc', 'cron.hourly')
    const r = runCli(['setup', '--dir', dir, '--group', 'root', '--logrotate-dir', logrotateDir, '--cron-dir', cronDir])
    assert.equal(r.status, 1, r.stdout)
    assert.match(r.stderr, new RegExp(`${name.replace('.', '\\.')} has 2 links \\(a hardlink`))
    assert.match(r.stderr, /nothing was changed/)
    assert.match(r.stderr, /move it away and run setup again/)
    assert.deepEqual(snapshot(victim), before.victim, 'the linked file is untouched (owner, mode, content)')
    assert.deepEqual(snapshot(dir), before.dir, 'the directory is untouched')
    for (const other of ['events.jsonl', 'gpu-utilization.jsonl']) {
      if (other !== name) assert.equal(existsSync(join(dir, other)), false, `${other} not created`)
    }
    assert.equal(existsSync(join(root, 'etc')), false, 'no config, no cron job installed')
  })
}

test('setup brings log files of an older deployment (0664) to 0660 and says so', ROOT_ONLY, () => {
  const root = scratch('ds01-setup-modes-')
  chmodSync(root, 0o755)
  const dir = join(root, 'log')
  mkdirSync(dir, { mode: 0o2775 })
  const events = join(dir, 'events.jsonl')
  writeFileSync(events, '{"kept":true}\n', { mode: 0o664 })
  chmodSync(events, 0o664)
  const r = runCli(['setup', '--dir', dir, '--group', 'root', '--logrotate-dir', join(root, 'logrotate.d'), '--no-cron'])
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /events\.jsonl: fixed \(mode 0664 -> 0660\)/)
  for (const name of ['events.jsonl', 'gpu-utilization.jsonl']) {
    assert.equal(statSync(join(dir, name)).mode & 0o7777, 0o660, name)
  }
  assert.equal(readFileSync(events, 'utf8'), '{"kept":true}\n')
  assert.match(readFileSync(join(root, 'logrotate.d', 'ds01'), 'utf8'), /^\s+create 0660 root root$/m)
})
