// The output takes records from any source (a fleet database, not only the
// files): the --limit window, --reverse, --all, follow after caughtUp(), the
// summary, and the host of a record shown with its details.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import reader from '../dist/reader/index.js'
import { v1 } from './helpers/query.mjs'

const { QueryOutput, parseEventLine } = reader

process.env.TZ = 'UTC'
const record = (i, host) => {
  const line = v1(new Date(Date.UTC(2026, 0, 1, 0, i)), i % 2 ? 'gpu.allocate' : 'container.start', { user: `u${i % 3}`, details: { i } })
  return host === undefined ? { line, event: parseEventLine(line) } : { line, event: parseEventLine(line), host }
}

async function run (options, batches, { follow = [] } = {}) {
  let out = ''
  const output = new QueryOutput(options, (s) => { out += s })
  for (const batch of batches) await output.add(batch)
  if (follow.length > 0) {
    output.caughtUp()
    const before = out
    for (const batch of follow) await output.add(batch)
    await output.finish()
    return { before, out }
  }
  await output.finish()
  return { out }
}

test('the --limit window keeps the last N across batches; --reverse; --all', async () => {
  const recs = Array.from({ length: 10 }, (_, i) => record(i))
  const { out } = await run({ json: true, limit: 3 }, [recs.slice(0, 4), recs.slice(4)])
  assert.equal(out, recs.slice(7).map((r) => r.line + '\n').join(''))
  const reversed = await run({ json: true, limit: 2, reverse: true }, [recs])
  assert.equal(reversed.out, [recs[9], recs[8]].map((r) => r.line + '\n').join(''))
  const all = await run({ json: true, all: true }, [recs.slice(0, 5), recs.slice(5)])
  assert.equal(all.out.split('\n').length, 11)
})

test('follow: the window when caught up, then each record as it comes', async () => {
  const recs = Array.from({ length: 6 }, (_, i) => record(i))
  const { before, out } = await run({ json: true, limit: 2 }, [recs.slice(0, 4)], { follow: [[recs[4]], [recs[5]]] })
  assert.equal(before, [recs[2], recs[3]].map((r) => r.line + '\n').join(''))
  assert.equal(out, [recs[2], recs[3], recs[4], recs[5]].map((r) => r.line + '\n').join(''))
})

test('a record from a fleet source shows its host; the summary counts records of any source', async () => {
  const { out } = await run({ limit: 1 }, [[record(1, 'gpu-07')]])
  assert.equal(out, '2026-01-01 00:01:00  gpu.allocate        u1        -           host=gpu-07 i=1\n')
  const summary = await run({ summary: true, json: true }, [[record(0, 'a'), record(1, 'b'), record(2, 'a')]])
  assert.deepEqual(JSON.parse(summary.out), { total: 3, by_type: { 'container.start': 2, 'gpu.allocate': 1 }, by_user: { u0: 1, u1: 1, u2: 1 }, by_source: { '(none)': 3 }, by_day: { '2026-01-01': 3 } })
})
