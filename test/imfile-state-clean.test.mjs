// deploy/rsyslog/ds01-imfile-state-clean against the real imfile: while rsyslog
// is down, a log file that held under 512 bytes is replaced by a new one that
// gets the old inode back (what logrotate's delete-then-create can do). imfile
// resumes the new file at the old offset and skips its first lines; after the
// cleaner ran, it reads the new file from its start. (With 512 bytes or more
// imfile 8.2302 tells the files apart by a hash of their first 512 bytes.)
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Rsyslog } from './helpers/fleet.mjs'
import { REPO } from './helpers/system.mjs'

const CLEANER = join(REPO, 'deploy', 'rsyslog', 'ds01-imfile-state-clean')
const missing = process.getuid?.() !== 0 ? 'needs root' : spawnSync('rsyslogd', ['-v']).status !== 0 ? 'rsyslogd missing (apt-get install rsyslog)' : undefined
const options = { timeout: 120_000, skip: process.env.CI ? false : missing }

function lines (prefix, n) {
  return Array.from({ length: n }, (_, i) => `{"timestamp":"2026-01-30T14:30:00.${String(i).padStart(6, '0')}Z","event_type":"test.selftest","schema_version":"1","details":{"result":"${prefix}-${i}"}}`)
}

async function waitFor (predicate, ms = 20_000) {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (predicate()) return true
    await sleep(100)
  }
  return false
}

/** Replaces `path` by a file holding `content` that has the old file's inode again; false when the file system would not give it back. */
function replaceWithSameInode (path, content) {
  const inode = statSync(path).ino
  unlinkSync(path)
  const dir = join(path, '..')
  const spares = []
  try {
    for (let i = 0; i < 500; i++) {
      const candidate = join(dir, `.candidate-${i}`)
      writeFileSync(candidate, '')
      if (statSync(candidate).ino === inode) {
        writeFileSync(candidate, content)
        renameSync(candidate, path)
        return true
      }
      spares.push(candidate)
    }
    return false
  } finally {
    for (const spare of spares) rmSync(spare, { force: true })
  }
}

async function scenario (root, clean) {
  const logDir = join(root, 'log')
  mkdirSync(logDir, { recursive: true })
  const file = join(logDir, 'events.jsonl')
  const out = join(root, 'out.jsonl')
  const conf = join(root, 'imfile.conf')
  // the sender's inputs, with a local file in place of RELP
  writeFileSync(conf, `module(load="imfile")
input(type="imfile" file="${file}" tag="ds01-events" ruleset="copy")
input(type="imfile" file="${file}.1" tag="ds01-events" ruleset="copy")
template(name="line" type="string" string="%msg%\\n")
ruleset(name="copy") { action(type="omfile" file="${out}" template="line") }
`)
  // 3 lines, under 512 bytes: imfile identifies a file by a hash of its first
  // 512 bytes, and has none for a shorter one (a file just rotated in)
  const first = lines('old', 3)
  assert.ok(first.join('\n').length < 512)
  writeFileSync(file, first.join('\n') + '\n')
  const rsyslog = new Rsyslog({ dir: join(root, 'rsyslog'), include: conf })
  rsyslog.start()
  const read = () => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean) : [])
  assert.ok(await waitFor(() => read().length === first.length), `imfile read the first file: ${rsyslog.output()}`)
  await rsyslog.stop() // saves the offset of (inode, events.jsonl)

  const second = lines('new', 300) // longer than the old offset: imfile would resume in its middle
  if (!replaceWithSameInode(file, second.join('\n') + '\n')) return undefined
  if (clean) {
    const r = spawnSync(CLEANER, [rsyslog.work, logDir], { encoding: 'utf8' })
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /removed .*imfile-state/)
  }
  rsyslog.start()
  await waitFor(() => read().length >= first.length + second.length, 8000)
  await rsyslog.stop()
  return read().slice(first.length)
}

test('ds01-imfile-state-clean: a new file with a reused inode is read from its start', options, async (t) => {
  if (missing !== undefined) assert.fail(`CI lacks what this test needs: ${missing}`)
  const root = mkdtempSync(join(tmpdir(), 'ds01-imfile-'))
  chmodSync(root, 0o755)
  t.after(() => rmSync(root, { recursive: true, force: true }))

  const without = await scenario(join(root, 'without'), false)
  if (without === undefined) return t.skip('the file system did not give the inode back')
  // imfile's own behaviour, which the cleaner exists for: the first lines are skipped
  assert.ok(without.length < 300, `imfile without the cleaner read ${without.length} of 300 lines (if it reads all, the cleaner is not needed any more)`)

  const withCleaner = await scenario(join(root, 'with'), true)
  if (withCleaner === undefined) return t.skip('the file system did not give the inode back')
  assert.deepEqual(withCleaner, lines('new', 300), 'every line of the new file, once, in order')
})

test('ds01-imfile-state-clean keeps the offset of a file that is still the same', options, async (t) => {
  if (missing !== undefined) assert.fail(`CI lacks what this test needs: ${missing}`)
  const root = mkdtempSync(join(tmpdir(), 'ds01-imfile-'))
  t.after(() => rmSync(root, { recursive: true, force: true }))
  const work = join(root, 'work')
  const logDir = join(root, 'log')
  mkdirSync(work)
  mkdirSync(logDir)
  const file = join(logDir, 'events.jsonl')
  writeFileSync(file, 'x\n')
  await sleep(1100) // the state is saved after the file was born
  const state = join(work, `imfile-state:${statSync(file).ino}:0123456789abcdef`)
  writeFileSync(state, `{ "filename": "${file.replace(/\//g, '\\/')}", "prev_was_nl": 1, "curr_offs": 2, "strt_offs": 2 }`)
  const other = join(work, 'imfile-state:1:fedcba9876543210')
  writeFileSync(other, '{ "filename": "\\/var\\/log\\/syslog", "prev_was_nl": 1, "curr_offs": 2, "strt_offs": 2 }')
  const r = spawnSync(CLEANER, [work, logDir], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  assert.ok(existsSync(state), 'the state of the unchanged file is kept')
  assert.ok(existsSync(other), 'states of files outside the log directory are left alone')
})
