// The incremental state machine on its own, as a follower (the exporter)
// drives it: records fed one by one, counters read at any time. Answers by hand.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createGpuAccounting } from '../dist/index.js'
import { parseDevices } from '../dist/accounting/index.js'

const S = 1000
const T = Date.parse('2026-03-02T10:00:00Z')

function ev (at, type, user, details) {
  return { timestamp: Number.isFinite(at) ? new Date(at).toISOString() : 'not a time', time: at, event_type: type, schema_version: '1', user, source: 'test', details }
}

function sample (at, index, util, extra = {}) {
  return { time: at, gpu_index: index, gpu_util_percent: util, ...extra }
}

test('the gpu detail: index, UUID, MIG slice in both spellings, lists; junk names no device', () => {
  assert.deepEqual(parseDevices(3), [{ kind: 'index', index: 3, label: '3' }])
  assert.deepEqual(parseDevices('3'), [{ kind: 'index', index: 3, label: '3' }])
  assert.deepEqual(parseDevices('3:1'), [{ kind: 'slice', index: 3, slice: '1', label: '3:1' }])
  assert.deepEqual(parseDevices('3.1'), [{ kind: 'slice', index: 3, slice: '1', label: '3:1' }])
  const uuid = 'GPU-9e3779b1-79b1-3779-9e37-000000000003'
  assert.deepEqual(parseDevices(uuid), [{ kind: 'uuid', uuid, label: uuid }])
  assert.deepEqual(parseDevices('0,1').map((d) => d.label), ['0', '1'])
  assert.deepEqual(parseDevices('MIG-1234').map((d) => d.kind), ['other'])
  for (const junk of [null, undefined, '', -1, 1.5, {}, [], true, NaN]) assert.deepEqual(parseDevices(junk), [], String(junk))
})

test('fed as a follower: holders, last sample and counters at any time, monotone', () => {
  const a = createGpuAccounting()
  a.feed(ev(T, 'gpu.allocated', 'alice', { container: 'c1', gpu: '0' }))
  for (let i = 0; i <= 10; i++) a.sample(sample(T + i * S, 0, i < 5 ? 0 : 80, { mem_used_mb: 100 + i, temperature_c: 40, power_w: 70.5 }))
  // [0, 5) idle, [5, 10) busy; the sample at 10 s stands until 12 s at most
  a.advance(T + 10 * S)
  assert.deepEqual(a.usage(), [{ user: 'alice', allocated_s: 10, busy_s: 5, idle_s: 5, unknown_s: 0, util_percent_s: 400 }])
  a.advance(T + 15 * S) // no sample since 10 s: 2 s busy, then 3 s unknown
  assert.deepEqual(a.usage(), [{ user: 'alice', allocated_s: 15, busy_s: 7, idle_s: 5, unknown_s: 3, util_percent_s: 560 }])
  const [g] = a.gpuViews()
  assert.equal(g.gpu_index, 0)
  assert.deepEqual(g.sample, { time: T + 10 * S, gpu_util_percent: 80, mem_util_percent: null, mem_used_mb: 110, mem_total_mb: null, temperature_c: 40, power_w: 70.5 })
  assert.equal(g.interval_ms, 1000)
  assert.equal(g.last_busy_at, T + 10 * S)
  assert.deepEqual(g.holders.map((h) => [h.user, h.container, h.gpu, h.since]), [['alice', 'c1', '0', T]])
  a.feed(ev(T + 20 * S, 'gpu.release', 'alice', { container: 'c1' }))
  a.advance(T + 30 * S)
  assert.equal(a.usage()[0].allocated_s, 20, 'released at 20 s: nothing counts after')
  assert.deepEqual(a.holders(), [])
})

test('a UUID allocation joins its GPU when a sample names the UUID; a release by index ends it', () => {
  const uuid = 'GPU-9e3779b1-79b1-3779-9e37-000000000002'
  const a = createGpuAccounting({ groupBy: 'gpu' })
  a.feed(ev(T, 'gpu.allocate', 'carol', { container: 'c', gpu: uuid }))
  assert.equal(a.gpuViews()[0].gpu_uuid, uuid)
  assert.equal(a.gpuViews()[0].gpu_index, null)
  for (let i = 10; i <= 20; i++) a.sample(sample(T + i * S, 2, 50, { gpu_uuid: uuid }))
  const views = a.gpuViews()
  assert.equal(views.length, 1, 'one GPU, not two')
  assert.equal(views[0].gpu_index, 2)
  a.feed(ev(T + 20 * S, 'gpu.release', 'carol', { container: 'c', gpu: 2 }))
  // [0, 10) before any sample: unknown; [10, 20) at 50 %: busy
  assert.deepEqual(a.usage(), [{ user: null, gpu: '2', gpu_index: 2, allocated_s: 20, busy_s: 10, idle_s: 0, unknown_s: 10, util_percent_s: 500 }])
})

test('spans: an allocation logged twice is one; a new holder of a held GPU ends the old span; container.remove and detection.container_exited end spans', () => {
  const a = createGpuAccounting({ groupBy: 'container' })
  a.feed(ev(T, 'gpu.allocate', 'alice', { container: 'a1', gpu: 0 }))
  a.feed(ev(T + 5 * S, 'gpu.allocate', 'alice', { container: 'a1', gpu: '0' })) // the same, again
  a.feed(ev(T + 10 * S, 'gpu.allocate', 'bob', { container: 'b1', gpu: 0 })) // alice's release was lost
  a.feed(ev(T, 'gpu.allocate', 'carol', { container: 'k-abc', gpu: '1,2' }))
  a.feed(ev(T + 30 * S, 'detection.container_exited', undefined, { name: 'k-abc', container_id: 'f00' }))
  a.feed(ev(T + 40 * S, 'container.remove', 'bob', { container: 'b1' }))
  a.feed(ev(T + 40 * S, 'gpu.reject', 'dave', { container: 'd1', gpu: 3 })) // no span
  a.advance(T + 60 * S)
  const rows = Object.fromEntries(a.usage().map((r) => [r.container, r.allocated_s]))
  assert.deepEqual(rows, { a1: 10, b1: 30, 'k-abc': 60 }) // carol: 30 s on each of two GPUs
  assert.deepEqual(a.holders(), [])
})

test('a release without a container ends the named GPU; without either it is ignored', () => {
  const a = createGpuAccounting()
  a.feed(ev(T, 'gpu.allocate', 'alice', { container: 'a1', gpu: '0' }))
  a.feed(ev(T, 'gpu.allocate', 'bob', { container: 'b1', gpu: '1' }))
  assert.equal(a.feed(ev(T + S, 'gpu.release', 'alice', {})), false)
  assert.equal(a.feed(ev(T + 2 * S, 'gpu.release', 'x', { gpu: 1 })), true)
  assert.deepEqual(a.holders().map((h) => h.user), ['alice'])
})

test('MIG: slices join the parent GPU, their utilization is unknown, their samples never count as low', () => {
  const a = createGpuAccounting({ countSamplesFrom: T })
  a.feed(ev(T, 'gpu.allocate', 'erin', { container: 'e', gpu: '4:0' }))
  a.feed(ev(T, 'gpu.allocate', 'frank', { container: 'f', gpu: '4.1' }))
  for (let i = 0; i <= 10; i++) a.sample(sample(T + i * S, 4, 0))
  a.advance(T + 10 * S)
  for (const row of a.usage()) assert.deepEqual([row.allocated_s, row.unknown_s, row.idle_s], [10, 10, 0], row.user)
  const [g] = a.gpuViews()
  assert.deepEqual(g.holders.map((h) => [h.gpu, h.slice, h.samples, h.low_samples]), [['4:0', true, 0, 0], ['4:1', true, 0, 0]])
})

test('the interval: median of the last gaps, so one short gap (a restart) does not shrink it; --interval fixes it', () => {
  const a = createGpuAccounting()
  a.feed(ev(T, 'gpu.allocate', 'u', { container: 'c', gpu: 0 }))
  let t = T
  for (let i = 0; i < 10; i++) a.sample(sample((t += 60 * S), 0, 0))
  a.sample(sample((t += 1 * S), 0, 0)) // a restart: one sample a second after the last
  a.sample(sample((t += 60 * S), 0, 0))
  assert.equal(a.gpuViews()[0].interval_ms, 60 * S)
  const fixed = createGpuAccounting({ intervalMs: 10 * S })
  fixed.feed(ev(T, 'gpu.allocate', 'u', { container: 'c', gpu: 0 }))
  fixed.sample(sample(T, 0, 0))
  fixed.sample(sample(T + 60 * S, 0, 0))
  fixed.advance(T + 60 * S)
  assert.deepEqual([fixed.usage()[0].idle_s, fixed.usage()[0].unknown_s], [20, 40])
})

test('disorder: a sample older than its GPU\'s last is ignored; records with no time or no index are refused', () => {
  const a = createGpuAccounting()
  a.feed(ev(T, 'gpu.allocate', 'u', { container: 'c', gpu: 0 }))
  assert.equal(a.sample(sample(T + 10 * S, 0, 90)), true)
  assert.equal(a.sample(sample(T + 5 * S, 0, 0)), false)
  assert.equal(a.sample(sample(NaN, 0, 0)), false)
  assert.equal(a.sample(sample(T, -1, 0)), false)
  assert.equal(a.feed(ev(NaN, 'gpu.allocate', 'v', { container: 'd', gpu: 1 })), false)
  assert.equal(a.feed({ ...ev(T, 'gpu.utilization', undefined, { gpu_index: 'x' }) }), false)
  assert.equal(a.gpuViews()[0].sample.gpu_util_percent, 90)
})

test('the window: only [from, to) counts, whatever is fed around it', () => {
  const a = createGpuAccounting({ from: T + 10 * S, to: T + 20 * S })
  a.feed(ev(T, 'gpu.allocate', 'u', { container: 'c', gpu: 0 }))
  for (let i = 0; i <= 30; i++) a.sample(sample(T + i * S, 0, 50))
  a.advance(T + 40 * S)
  assert.deepEqual(a.usage(), [{ user: 'u', allocated_s: 10, busy_s: 10, idle_s: 0, unknown_s: 0, util_percent_s: 500 }])
})

test('the agent\'s system.startup gives the interval a GPU\'s first sample stands for', () => {
  const a = createGpuAccounting()
  a.feed(ev(T, 'system.startup', undefined, { component: 'gpu-monitor', interval_ms: 10_000 }))
  a.feed(ev(T, 'gpu.allocate', 'u', { container: 'c', gpu: 0 }))
  a.sample(sample(T, 0, 0))
  a.advance(T + 60 * S)
  assert.deepEqual([a.usage()[0].idle_s, a.usage()[0].unknown_s], [20, 40])
})
