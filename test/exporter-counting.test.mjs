// ds01_events_total: a series at 0 for every registry type from the start,
// spellings folded, a new series shown at 0 for one scrape first, label values
// bounded, whole lines only, and exact across rotations (renamed files read
// to their end, generations rotated past between two looks found and read).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { appendFileSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { gzipSync } from 'node:zlib'
import { readFileSync, rmSync } from 'node:fs'
import { after } from 'node:test'
import { createRequire } from 'node:module'
import { append, eventLine, exporterLib, scrape, scrapeUntil, series, startLibExporter, total } from './helpers/exporter.mjs'
import { REPO } from './helpers/system.mjs'

const { EVENT_TYPES } = createRequire(import.meta.url)(join(REPO, 'dist', 'index.js'))

function scratch () {
  const dir = mkdtempSync(join(tmpdir(), 'ds01-exporter-'))
  after(() => rmSync(dir, { recursive: true, force: true }))
  return { dir, log: join(dir, 'events.jsonl'), state: join(dir, 'state') }
}

test('a series at 0 for every registry type from the first scrape; spellings count under the registered name', async () => {
  const s = scratch()
  writeFileSync(s.log, eventLine('gpu.allocated', 'old') )
  const { port } = await startLibExporter({ eventsFile: s.log, stateDir: s.state })
  const first = await scrape(port)
  for (const type of Object.keys(EVENT_TYPES)) assert.equal(first.get(series(type)), 0, type)
  assert.equal(total(first), 0, 'what was there before the first start is not counted')
  appendFileSync(s.log, eventLine('gpu.allocated', 'alloc') + eventLine('gpu.allocate', 'alloc') + eventLine('auth.denied', 'alloc') + eventLine('gpu.released'))
  const later = await scrapeUntil(port, (m) => total(m) === 4, 'four events')
  assert.equal(later.get(series('gpu.allocate', 'alloc')), 2)
  assert.equal(later.get(series('auth.access_denied', 'alloc')), 1)
  assert.equal(later.get(series('gpu.release')), 1)
  for (const key of later.keys()) assert.doesNotMatch(key, /gpu\.allocated|gpu\.released|auth\.denied/)
})

test('a new label pair shows at 0 in one scrape before its count, so increase() sees its first event', async () => {
  const s = scratch()
  writeFileSync(s.log, '')
  const { e, port } = await startLibExporter({ eventsFile: s.log, stateDir: s.state })
  append(s.log, 3, 'container.create', 'wrapper')
  // wait until the exporter has counted and saved them, without scraping
  while (e.counts.total < 3) await sleep(10)
  await sleep(100)
  const first = await scrape(port)
  assert.equal(first.get(series('container.create', 'wrapper')), 0)
  const next = await scrapeUntil(port, (m) => m.get(series('container.create', 'wrapper')) === 3, 'the count after a scrape')
  assert.equal(total(next), 3)
  // a known series counts at once
  append(s.log, 2, 'container.create', 'wrapper')
  await scrapeUntil(port, (m) => m.get(series('container.create', 'wrapper')) === 5, 'the known series')
})

test('label values are bounded: unknown types beyond the limit count as "other", sources too; nothing is lost from the sum', async () => {
  const s = scratch()
  writeFileSync(s.log, '')
  const { port } = await startLibExporter({ eventsFile: s.log, stateDir: s.state })
  let text = ''
  const extraTypes = exporterLib.MAX_UNKNOWN_TYPES + 50
  for (let i = 0; i < extraTypes; i++) text += eventLine(`made.up${i}`, 'fixed')
  const extraSources = exporterLib.MAX_SOURCES + 30
  for (let i = 0; i < extraSources; i++) text += eventLine('test.cli', `source-${i}`)
  text += eventLine('x'.repeat(200) + '.long', 'fixed')
  appendFileSync(s.log, text)
  const m = await scrapeUntil(port, (m) => total(m) === extraTypes + extraSources + 1, 'every event')
  const types = new Set()
  const sources = new Set()
  for (const key of m.keys()) {
    const t = /^ds01_events_total\{event_type="([^"]*)",source="([^"]*)"\}$/.exec(key)
    if (t === null) continue
    if (!(t[1] in EVENT_TYPES)) types.add(t[1])
    sources.add(t[2])
  }
  assert.equal(types.size, exporterLib.MAX_UNKNOWN_TYPES + 1, 'the unknown types within the limit, and "other"')
  assert.ok(types.has('other'))
  assert.equal(m.get(series('other', 'fixed')), 51, 'the 50 beyond the limit and the over-long one')
  assert.equal(sources.size, exporterLib.MAX_SOURCES + 2, 'the sources within the limit, "other" and none')
  assert.equal(m.get(series('test.cli', 'other')), extraSources - exporterLib.MAX_SOURCES + 1, 'beyond the limit ("fixed" took one place)')
})

test('whole lines only: a line being written counts once, when it ends; damaged lines are counted as skipped, by kind', async () => {
  const s = scratch()
  writeFileSync(s.log, '')
  const { port } = await startLibExporter({ eventsFile: s.log, stateDir: s.state })
  const line = eventLine('test.cli', 'tests')
  appendFileSync(s.log, line.slice(0, 40))
  await sleep(150)
  appendFileSync(s.log, line.slice(40) + 'not json\n' + '{"a":1}\n')
  const m = await scrapeUntil(port, (m) => m.get(series('test.cli', 'tests')) === 1 && m.get('ds01_exporter_lines_skipped_total{log="events",kind="unreadable"}') === 2, 'the line and the skips')
  assert.equal(total(m), 1)
})

test('across rotations: the renamed file is read to its end, and generations rotated past between two looks are found and read', async () => {
  const s = scratch()
  writeFileSync(s.log, '')
  const { e, port } = await startLibExporter({ eventsFile: s.log, stateDir: s.state, pollMs: 400 })
  await sleep(100)
  append(s.log, 10)
  // three rotations within one look: .1 (the file it was reading), then two more
  renameSync(s.log, `${s.log}.1`)
  appendFileSync(`${s.log}.1`, eventLine('test.cli', 'tests')) // a writer finishing its line in the renamed file
  writeFileSync(s.log, '')
  append(s.log, 5)
  renameSync(`${s.log}.1`, `${s.log}.2`)
  writeFileSync(`${s.log}.2.gz`, gzipSync(readFileSync(`${s.log}.2`)))
  rmSync(`${s.log}.2`)
  renameSync(s.log, `${s.log}.1`)
  writeFileSync(s.log, '')
  append(s.log, 7)
  const m = await scrapeUntil(port, (m) => total(m) === 23, '23 events')
  assert.equal(m.get(series('test.cli', 'tests')), 23)
  await sleep(600) // nothing more shows up (nothing counted twice)
  assert.equal(total(await scrape(port)), 23)
  assert.ok(e.counts.total === 23)
})

test('a restart resumes from the saved position, across a rotation and compression while it was down: each event counted once', async () => {
  const s = scratch()
  writeFileSync(s.log, '')
  const first = await startLibExporter({ eventsFile: s.log, stateDir: s.state })
  append(s.log, 4)
  await scrapeUntil(first.port, (m) => total(m) === 4, '4 events')
  await first.stop()
  append(s.log, 3) // while down, in the file it was reading
  renameSync(s.log, `${s.log}.1`)
  writeFileSync(`${s.log}.1.gz`, gzipSync(readFileSync(`${s.log}.1`))) // compressed: a new inode
  rmSync(`${s.log}.1`)
  append(s.log, 6)
  const second = await startLibExporter({ eventsFile: s.log, stateDir: s.state })
  assert.equal(second.e.startMode, 'resumed', second.messages.join('\n'))
  const m = await scrapeUntil(second.port, (m) => total(m) === 13, '13 events')
  assert.equal(m.get(series('test.cli', 'tests')), 13)
  await sleep(200)
  assert.equal(total(await scrape(second.port)), 13)
})
