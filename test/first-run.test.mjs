// The first run on a fresh host (no /var/log/ds01), as root and as a docker
// member: the event is not written and nothing is created (a writer's mkdir
// left root:root 0775, which locked the group out and then told its members
// to join the group they were in); the message says to run setup, as it runs
// here, or to log elsewhere with DS01_EVENTS_FILE. After setup, root and the
// member log, into the deployed layout. Other permission failures get advice
// that fits them.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GROUP, IS_ROOT, MEMBER, OUTSIDER, REPO, ensureTestUsers, makeLayout, packageRootFor, userId } from './helpers/system.mjs'

const CAN_UNSHARE = IS_ROOT && spawnSync('unshare', ['--mount', '--propagation', 'private', 'true']).status === 0
const FRESH_HOST = { skip: !IS_ROOT ? 'needs root' : !CAN_UNSHARE ? 'needs unshare --mount (a private /var/log)' : false }
const ROOT_ONLY = { skip: IS_ROOT ? false : 'needs root' }

function onFreshHost (steps) {
  const r = spawnSync('unshare', ['--mount', '--propagation', 'private', process.execPath, join(REPO, 'test', 'helpers', 'fresh-host.mjs'), JSON.stringify(steps)], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  return JSON.parse(r.stdout)
}

test('fresh host: the first event, as root then as a member, says to run setup and creates nothing; after setup both log into the deployed layout', FRESH_HOST, () => {
  const { gid } = ensureTestUsers()
  const root = packageRootFor(MEMBER)
  const cli = join(root, 'bin', 'ds01-events.js')
  const etc = mkdtempSync(join(tmpdir(), 'ds01-first-run-'))
  try {
    const log = (user) => ({ user, argv: [process.execPath, cli, 'log', 'test.selftest', 'source=first-run', 'result=ok'] })
    // batched, as the GPU agent logs: flush() at once, and again after the callbacks ran
    const batched = `const { createEventLog } = require(${JSON.stringify(join(root, 'dist', 'index.js'))})
      const log = createEventLog({ batch: { maxEvents: 1 } }) // each log() hands its batch over at once
      log.log('test.selftest', { result: 'batched' })
      const first = log.flush()
      setTimeout(() => { log.log('test.selftest', { result: 'later' }); console.log(JSON.stringify([first, log.flush(), log.stats().written])) }, 50)`
    const [asRoot, asMember, asBatch, setup, rootAfter, memberAfter, outsider] = onFreshHost([
      log(undefined),
      log(MEMBER),
      { argv: [process.execPath, '-e', batched] },
      { argv: [process.execPath, cli, 'setup', '--group', GROUP, '--logrotate-dir', join(etc, 'logrotate.d'), '--cron-dir', join(etc, 'cron.hourly')] },
      log(undefined),
      log(MEMBER),
      log(OUTSIDER)
    ])
    const advice = `run setup first: sudo node ${cli} setup`
    for (const [who, r] of [['root', asRoot], ['member', asMember]]) {
      assert.equal(r.status, 1, `${who}: ${r.stderr}`)
      assert.equal(r.after.dir, null, `${who}: /var/log/ds01 was not created`)
      const lines = r.stderr.trim().split('\n')
      assert.equal(lines.length, 1, r.stderr)
      assert.ok(lines[0].includes('/var/log/ds01 does not exist'), lines[0])
      assert.ok(lines[0].includes(advice), lines[0])
      assert.ok(lines[0].includes('DS01_EVENTS_FILE=$HOME/events.jsonl'), lines[0])
      assert.doesNotMatch(lines[0], /join|usermod/, `${who} is not told to join a group`)
    }
    assert.equal(asBatch.status, 0, asBatch.stderr)
    assert.deepEqual(JSON.parse(asBatch.stdout), [false, false, 0])
    assert.equal(asBatch.after.dir, null, 'batched: /var/log/ds01 was not created')
    const batchWarnings = asBatch.stderr.trim().split('\n')
    assert.ok(batchWarnings.length >= 1 && batchWarnings.every((l) => l.includes('ENOTSETUP') && l.includes(advice)), asBatch.stderr)
    assert.equal(setup.status, 0, setup.stderr)
    assert.equal(rootAfter.status, 0, rootAfter.stderr)
    assert.equal(memberAfter.status, 0, memberAfter.stderr)
    assert.deepEqual(memberAfter.after.dir, { uid: 0, gid, mode: '2775', size: memberAfter.after.dir.size })
    const events = memberAfter.after.files['events.jsonl']
    assert.equal(events.uid, 0)
    assert.equal(events.gid, gid)
    assert.equal(Number.parseInt(events.mode, 8) & 0o060, 0o060, 'the group reads and writes')
    assert.equal(Number.parseInt(events.mode, 8) & 0o002, 0, 'others do not write')
    assert.ok(events.size > 0)
    assert.equal(outsider.status, 1)
    assert.match(outsider.stderr, new RegExp(`EACCES.*join the ${GROUP} group: sudo usermod -aG ${GROUP} \\$USER, then log in again`))
  } finally {
    rmSync(etc, { recursive: true, force: true })
  }
})

// A process without the group (setpriv --clear-groups) while /etc/group lists
// the user in it: what a user sees who was added after logging in.
test('EACCES for a user added to the group after logging in: log in again, not join', ROOT_ONLY, () => {
  const { gid } = ensureTestUsers()
  const layout = makeLayout(gid)
  writeFileSync(layout.events, '')
  chownSync(layout.events, 0, gid)
  chmodSync(layout.events, 0o664)
  const uid = userId(MEMBER)
  const cli = join(packageRootFor(MEMBER), 'bin', 'ds01-events.js')
  const r = spawnSync('setpriv', [`--reuid=${uid}`, '--regid=65534', '--clear-groups', process.execPath, cli, 'log', '--file', layout.events, 'test.cli', 'result=x'], { encoding: 'utf8', env: { PATH: process.env.PATH, USER: MEMBER } })
  assert.equal(r.status, 1, r.stderr)
  assert.match(r.stderr, new RegExp(`EACCES.*you were added to ${GROUP} after this session started: log in again \\(or run: newgrp ${GROUP}\\)`))
  assert.doesNotMatch(r.stderr, /usermod/)
  assert.equal(readFileSync(layout.events, 'utf8'), '')
})
