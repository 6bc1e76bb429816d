// The library's reader: readEvents()/readRecords() from CommonJS and ESM, with
// the query's filters and follow; never throws (a warning and an empty
// iteration instead); typed.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { appendFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import * as esm from '../esm/index.mjs'
import { logFile, preV1, until, v1 } from './helpers/query.mjs'
import { scratch } from './helpers/cli.mjs'

const require = createRequire(import.meta.url)
const lib = require('../dist/index.js')
const root = new URL('..', import.meta.url).pathname

const LINES = [
  preV1('2026-01-29T10:00:00', 'gpu.allocate', { user: 'alice', container: 'a1', gpu: 1 }),
  v1('2026-01-30T14:30:00.000000Z', 'gpu.allocate', { user: 'alice', source: 'allocator', details: { container: 'a1', gpu: 0 } }),
  v1('2026-01-30T14:31:00.000000Z', 'gpu.reject', { user: 'bob', details: { container: 'b1', reason: 'full' } }),
  v1('2026-01-30T14:32:00.000000Z', 'container.stop', { user: 'alice', details: { container: 'a1' } })
]

async function collect (iterable) {
  const out = []
  for await (const x of iterable) out.push(x)
  return out
}

test('readEvents: parsed events (v1 and pre-v1 alike) through the filters, oldest first', async () => {
  const path = logFile(LINES)
  const all = await collect(lib.readEvents({ path }))
  assert.equal(all.length, 4)
  assert.deepEqual(all[0], { timestamp: '2026-01-29T10:00:00', time: Date.UTC(2026, 0, 29, 10), event_type: 'gpu.allocate', schema_version: undefined, user: 'alice', source: undefined, details: { container: 'a1', gpu: 1 } })
  assert.deepEqual(all[1].details, { container: 'a1', gpu: 0 })
  const gpu = await collect(lib.readEvents({ path, type: 'gpu', user: 'alice', since: new Date('2026-01-30T00:00:00Z') }))
  assert.deepEqual(gpu.map((e) => e.timestamp), ['2026-01-30T14:30:00.000000Z'])
  const where = await collect(lib.readEvents({ path, where: { gpu: 0 }, type: ['*.allocate'] }))
  assert.equal(where.length, 1)
  const records = await collect(esm.readRecords({ path, container: 'b1' }))
  assert.deepEqual(records.map((r) => r.line), [LINES[2]], 'records carry the line as stored')
  assert.equal(records[0].event.details.reason, 'full')
})

test('readEvents never throws: bad options and unreadable logs are warnings, and the iteration is empty', async () => {
  const heard = []
  const onWarning = (m) => heard.push(m)
  assert.deepEqual(await collect(lib.readEvents({ path: logFile(LINES), since: 'someday', onWarning })), [])
  assert.match(heard.pop(), /^ds01-events: readEvents: --since "someday": not a time I can read/)
  assert.deepEqual(await collect(lib.readEvents({ path: '/nonexistent/events.jsonl', onWarning })), [])
  assert.match(heard.pop(), /^ds01-events: no such file: \/nonexistent\/events\.jsonl/)
  const damaged = logFile([...LINES, 'not json'], { torn: '{"half' })
  assert.equal((await collect(lib.readEvents({ path: damaged, onWarning }))).length, 4)
  assert.match(heard.pop(), /skipped 2 lines: 1 not a JSON event, 1 torn last line/)
  assert.deepEqual(await collect(lib.readEvents({ path: logFile(LINES), onWarning: () => { throw new Error('listener bug') }, type: 'BAD' })), [])
})

test('readEvents follow: new events as they are written, until the signal aborts or the loop breaks', async () => {
  const path = logFile(LINES.slice(0, 2))
  const controller = new AbortController()
  const seen = []
  const reading = (async () => {
    for await (const e of lib.readEvents({ path, follow: true, pollMs: 20, signal: controller.signal })) seen.push(e.event_type)
  })()
  await until(() => seen.length === 2, 20_000, 'the events already there')
  appendFileSync(path, LINES[2] + '\n')
  await until(() => seen.length === 3, 20_000, 'a new event')
  controller.abort()
  await reading
  assert.deepEqual(seen, ['gpu.allocate', 'gpu.allocate', 'gpu.reject'])

  // break ends it too (and closes the file: the loop returns)
  const dir = scratch('ds01-read-follow-')
  const other = join(dir, 'events.jsonl')
  writeFileSync(other, '')
  const got = []
  setTimeout(() => appendFileSync(other, LINES[3] + '\n'), 100)
  for await (const e of lib.readEvents({ path: other, follow: true, pollMs: 20 })) {
    got.push(e)
    break
  }
  assert.equal(got[0].event_type, 'container.stop')
})

test('readEvents is typed: options and events', () => {
  const dir = scratch('ds01-read-types-')
  const file = join(dir, 'usage.ts')
  writeFileSync(file, `import { readEvents, readRecords, type ParsedEvent, type ReadEventsOptions } from ${JSON.stringify(join(root, 'dist', 'index.js'))}
async function main (): Promise<void> {
  const options: ReadEventsOptions = { path: '/tmp/x', type: ['gpu', '*.reject'], user: 'alice', since: '1 hour ago', until: new Date(), where: ['gpu=0'], follow: true, signal: new AbortController().signal }
  for await (const e of readEvents(options)) {
    const t: string = e.event_type
    const when: number = e.time
    const user: string | undefined = e.user
    const d: Record<string, unknown> = e.details
    void [t, when, user, d]
  }
  for await (const r of readRecords({ container: 'c' })) {
    const line: string = r.line
    const e: ParsedEvent = r.event
    void [line, e]
  }
  // @ts-expect-error since is a Date or a WHEN text
  readEvents({ since: 5 })
  // @ts-expect-error follow is a boolean
  readEvents({ follow: 'yes' })
}
void main
`)
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'node16', '--moduleResolution', 'node16',
    '--target', 'ES2022', '--types', 'node', '--typeRoots', join(root, 'node_modules', '@types'), '--skipLibCheck', file], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stdout + r.stderr)
})
