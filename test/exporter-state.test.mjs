// Bad state: a state file that is corrupt, deleted, of another log path, or
// whose file is not among the log's generations (a new file with another
// inode) gets a clear message and a fresh start that never counts an event
// twice; the state file is written atomically (no temporary file left).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { gzipSync } from 'node:zlib'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after } from 'node:test'
import { append, eventLine, exporterLib, scrape, scrapeUntil, series, startLibExporter, total } from './helpers/exporter.mjs'
import { REPO } from './helpers/system.mjs'

function scratch () {
  const dir = mkdtempSync(join(tmpdir(), 'ds01-exporter-state-'))
  after(() => rmSync(dir, { recursive: true, force: true }))
  return { dir, log: join(dir, 'events.jsonl'), state: join(dir, 'state') }
}

/** Runs an exporter until it has counted `n` more events appended now, then stops it. */
async function runOnce (s, n) {
  const x = await startLibExporter({ eventsFile: s.log, stateDir: s.state })
  const before = total(await scrape(x.port))
  append(s.log, n)
  await scrapeUntil(x.port, (m) => total(m) === before + n, `${before + n} events`)
  await x.stop()
  return x
}

test('the state file holds the counts and the position together, written by rename (no temporary file left)', async () => {
  const s = scratch()
  writeFileSync(s.log, '')
  await runOnce(s, 5)
  assert.deepEqual(readdirSync(s.state), [exporterLib.STATE_FILE])
  const state = JSON.parse(readFileSync(join(s.state, exporterLib.STATE_FILE), 'utf8'))
  assert.equal(state.events.path, s.log)
  assert.equal(state.events.position.files[0].offset, readFileSync(s.log).length)
  assert.deepEqual(state.counts.find(([t, src]) => t === 'test.cli' && src === 'tests'), ['test.cli', 'tests', 5])
})

test('a corrupt state file: a clear message, moved aside, a fresh start from 0 at the end of the log (nothing counted twice)', async () => {
  const s = scratch()
  writeFileSync(s.log, '')
  await runOnce(s, 5)
  const path = join(s.state, exporterLib.STATE_FILE)
  writeFileSync(path, readFileSync(path, 'utf8').slice(0, 50)) // cut short
  append(s.log, 2) // written while it was down: lost with the state, never counted twice
  const x = await startLibExporter({ eventsFile: s.log, stateDir: s.state })
  assert.equal(x.e.startMode, 'bad_state')
  assert.match(x.messages.join('\n'), /exporter-state\.json is corrupt .*moved to .*exporter-state\.json\.bad-.*Starting fresh: counters from 0/)
  assert.ok(readdirSync(s.state).some((n) => n.startsWith(`${exporterLib.STATE_FILE}.bad-`)), 'the bad file is kept for a look')
  assert.equal(total(await scrape(x.port)), 0)
  append(s.log, 3)
  await scrapeUntil(x.port, (m) => m.get(series('test.cli', 'tests')) === 3, 'the 3 new events')
})

test('a state file that is JSON but not ours (wrong shape, wrong version) is bad state too', async () => {
  const s = scratch()
  writeFileSync(s.log, '')
  await runOnce(s, 1)
  const path = join(s.state, exporterLib.STATE_FILE)
  const state = JSON.parse(readFileSync(path, 'utf8'))
  writeFileSync(path, JSON.stringify({ ...state, version: 99 }))
  const x = await startLibExporter({ eventsFile: s.log, stateDir: s.state })
  assert.equal(x.e.startMode, 'bad_state')
  assert.match(x.messages.join('\n'), /is not an exporter state file \(version: /)
})

test('a deleted state file: said so, counting from 0 at the end of the log', async () => {
  const s = scratch()
  writeFileSync(s.log, '')
  await runOnce(s, 4)
  rmSync(s.state, { recursive: true })
  const x = await startLibExporter({ eventsFile: s.log, stateDir: s.state })
  assert.equal(x.e.startMode, 'first_start')
  assert.match(x.messages.join('\n'), /no state in .* \(a first start, or it was deleted\): counting from the end of the logs, counters from 0/)
  assert.equal(total(await scrape(x.port)), 0)
  append(s.log, 1)
  await scrapeUntil(x.port, (m) => total(m) === 1, 'the new event')
  assert.ok(existsSync(join(s.state, exporterLib.STATE_FILE)))
})

test('another log at the same path (a new file, another inode): counters kept (never down), counting from its end', async () => {
  const s = scratch()
  writeFileSync(s.log, '')
  await runOnce(s, 6)
  renameSync(s.log, join(s.dir, 'elsewhere.jsonl')) // not a generation of the log
  writeFileSync(s.log, '')
  append(s.log, 9) // already there when it starts: its old position is not in this file
  const x = await startLibExporter({ eventsFile: s.log, stateDir: s.state })
  assert.equal(x.e.startMode, 'position_lost')
  assert.match(x.messages.join('\n'), /the file it had read to \(inode \d+, \d+ bytes read\) is not .* nor one of its rotated generations.*Keeping the counters/s)
  assert.equal(total(await scrape(x.port)), 6)
  append(s.log, 2)
  await scrapeUntil(x.port, (m) => total(m) === 8, '6 + the 2 new events')
})

test('a state file of another log path: a fresh start, counters from 0', async () => {
  const s = scratch()
  writeFileSync(s.log, '')
  await runOnce(s, 3)
  const other = join(s.dir, 'other.jsonl')
  writeFileSync(other, '')
  const x = await startLibExporter({ eventsFile: other, stateDir: s.state })
  assert.equal(x.e.startMode, 'other_log')
  assert.match(x.messages.join('\n'), /belongs to another log \(.*events\.jsonl, not .*other\.jsonl\)/)
  assert.equal(total(await scrape(x.port)), 0)
})

test('a state file of the exporter before the reader merge (version 1, two files in its position) resumes exactly, across a compression and a rotation while down', async () => {
  // written by the exporter of commit b1326d6 (see test/fixtures/exporter-state-v1/make-fixture.mjs):
  // 4 events in the file renamed to .1, 3 in the new one, stopped within the renamed file's grace
  const fixture = join(REPO, 'test', 'fixtures', 'exporter-state-v1')
  const s = scratch()
  writeFileSync(`${s.log}.1`, readFileSync(join(fixture, 'events.jsonl.1')))
  writeFileSync(s.log, readFileSync(join(fixture, 'events.jsonl')))
  const old = JSON.parse(readFileSync(join(fixture, exporterLib.STATE_FILE), 'utf8'))
  assert.equal(old.version, 1)
  assert.equal(old.events.position.files.length, 2)
  // the copies' device and inode (all that cannot travel); offsets and head hashes as written
  const [renamed, current] = old.events.position.files
  for (const [f, path] of [[renamed, `${s.log}.1`], [current, s.log]]) {
    const st = statSync(path)
    f.dev = st.dev
    f.ino = st.ino
  }
  old.events.path = s.log
  mkdirSync(s.state)
  writeFileSync(join(s.state, exporterLib.STATE_FILE), JSON.stringify(old))
  // while it was down: a writer finished a line in the renamed file, two more in the current one;
  // then logrotate: .1 compressed into .2.gz (a new inode), the current file to .1, a new one
  appendFileSync(`${s.log}.1`, eventLine('test.cli', 'tests'))
  append(s.log, 2)
  writeFileSync(`${s.log}.2.gz`, gzipSync(readFileSync(`${s.log}.1`)))
  rmSync(`${s.log}.1`)
  renameSync(s.log, `${s.log}.1`)
  writeFileSync(s.log, '')
  append(s.log, 1)
  const x = await startLibExporter({ eventsFile: s.log, stateDir: s.state })
  assert.equal(x.e.startMode, 'resumed', x.messages.join('\n'))
  await scrapeUntil(x.port, (m) => m.get(series('test.cli', 'tests')) === 11, '7 + the 4 written while down')
  await sleep(200)
  assert.equal(total(await scrape(x.port)), 11, 'nothing counted twice')
  await x.stop()
  const saved = JSON.parse(readFileSync(join(s.state, exporterLib.STATE_FILE), 'utf8'))
  assert.equal(saved.version, 2, 'saved again in the current version')
})

test('stopped within a renamed file\'s grace: both files are in the position, and a line finished there while down counts once', async () => {
  const s = scratch()
  writeFileSync(s.log, '')
  const x = await startLibExporter({ eventsFile: s.log, stateDir: s.state })
  append(s.log, 4)
  await scrapeUntil(x.port, (m) => total(m) === 4, '4 events')
  renameSync(s.log, `${s.log}.1`)
  writeFileSync(s.log, '')
  append(s.log, 3)
  await scrapeUntil(x.port, (m) => total(m) === 7, '7 events')
  await x.stop()
  const state = JSON.parse(readFileSync(join(s.state, exporterLib.STATE_FILE), 'utf8'))
  assert.equal(state.events.position.files.length, 2, 'the renamed file (in its grace) and the new one')
  assert.equal(state.events.position.files[0].ino, statSync(`${s.log}.1`).ino)
  assert.equal(state.events.position.files[1].offset, readFileSync(s.log).length)
  appendFileSync(`${s.log}.1`, eventLine('test.cli', 'tests')) // a late line in the renamed file
  append(s.log, 2)
  const y = await startLibExporter({ eventsFile: s.log, stateDir: s.state })
  assert.equal(y.e.startMode, 'resumed', y.messages.join('\n'))
  await scrapeUntil(y.port, (m) => total(m) === 10, '7 + 3')
  await sleep(200)
  assert.equal(total(await scrape(y.port)), 10)
})
