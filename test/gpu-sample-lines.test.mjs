// The GPU log's lines as samples: the agent's own lines are read in place (no
// JSON.parse), every other shape is parsed, and damage is counted, never read
// as a sample. Each case compares with what JSON.parse says the line holds.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import reader from '../dist/reader/index.js'
import accounting from '../dist/accounting/index.js'
import { sampleLine } from './helpers/gpu-logs.mjs'

const T = Date.parse('2026-03-02T10:00:00.123456Z')

/** Runs lines through the reader's scanner into the sink, as the file source does. */
function read (lines, readings = true) {
  const batch = new accounting.SampleBatch()
  const skips = reader.noSkips()
  const filter = reader.QueryFilter.parse({}).filter
  const sink = accounting.sampleSink(batch, skips, readings)
  const buf = Buffer.from(lines.join('\n') + '\n')
  // the scanner the file source uses, over one chunk
  const scanner = new reader.LineScanner(filter, skips, sink, reader.DISORDER_SLACK_MS)
  scanner.scan(buf, 0, buf.length - 1)
  return { samples: batch.items.slice(0, batch.length).map((s) => ({ ...s })), skips, inPlace: batch.inPlace, parsed: batch.parsed }
}

test('the agent\'s lines are read in place, and give what JSON.parse gives', () => {
  const lines = [
    sampleLine(T, 0, 7, { power: 81.37, temp: 31, mem: 98 }).replace('.123000Z', '.123456Z'), // microseconds
    sampleLine(T + 1, 1, null, { power: 0.5 }),
    sampleLine(T + 2, 12, 100, { name: 'NVIDIA A100-SXM4-80GB, rev 2', uuid: 'GPU-00000000-0000-0000-0000-000000000001' }),
    sampleLine(T + 3, 3, 0, { power: -1, temp: 1e21 })
  ]
  const r = read(lines)
  assert.equal(r.inPlace, 4)
  assert.equal(r.parsed, 0)
  assert.deepEqual(r.skips, { unreadable: 0, torn: 0 })
  r.samples.forEach((s, i) => {
    const d = JSON.parse(lines[i]).details
    assert.equal(s.time, Date.parse(JSON.parse(lines[i]).timestamp) + (i === 0 ? 0.456 : 0), lines[i])
    assert.deepEqual({ ...s, time: undefined }, { time: undefined, gpu_index: d.gpu_index, gpu_uuid: d.gpu_uuid, name: d.name, gpu_util_percent: d.gpu_util_percent, mem_util_percent: d.mem_util_percent, mem_used_mb: d.mem_used_mb, mem_total_mb: d.mem_total_mb, temperature_c: d.temperature_c, power_w: d.power_w })
  })
})

test('other shapes are parsed: other key order, a user, escapes, pre-v1', () => {
  const r = read([
    sampleLine(T, 0, 5, { order: 'other' }),
    JSON.stringify({ timestamp: '2026-03-02T10:00:01.000000Z', event_type: 'gpu.utilization', schema_version: '1', user: 'root', source: 'gpu-monitor', details: { gpu_index: 1, gpu_util_percent: 9 } }),
    sampleLine(T, 2, 50, { name: 'GPU "quoted"' }),
    JSON.stringify({ ts: '2026-03-02T10:00:02', event: 'gpu.utilization', gpu_index: 3, gpu_util_percent: 11 })
  ], false)
  assert.equal(r.parsed, 4)
  assert.deepEqual(r.samples.map((s) => [s.gpu_index, s.gpu_util_percent]), [[0, 5], [1, 9], [2, 50], [3, 11]])
})

test('damage is counted and never read as a sample: cut lines, two lines run together, junk values', () => {
  const good = sampleLine(T, 0, 5)
  const r = read([
    good.slice(0, 200), // cut
    good.slice(0, 150) + sampleLine(T + 1, 1, 6), // a line cut, then the next one written after it
    good.replace('"gpu_util_percent":5', '"gpu_util_percent":five'),
    good.replace('"gpu_index":0', '"gpu_index":-1'),
    good.replace('"gpu_index":0', '"gpu_index":"0"'),
    good.replace('}}', '}} trailing'),
    'not json at all'
  ])
  assert.deepEqual(r.samples, [])
  assert.equal(r.skips.unreadable, 5, 'not JSON (the -1 and "0" index are JSON, but no usable sample)')
})

test('other event types in the GPU log are not samples', () => {
  const r = read([JSON.stringify({ timestamp: '2026-03-02T10:00:01.000000Z', event_type: 'system.startup', schema_version: '1', source: 'gpu-monitor', details: { component: 'gpu-monitor' } })])
  assert.deepEqual(r.samples, [])
  assert.deepEqual(r.skips, { unreadable: 0, torn: 0 })
})
