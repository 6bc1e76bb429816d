// The GPU metrics come from the accounting's state machine: the last sample's
// gauges per GPU, the sample's age, who holds which GPU (an allocation made
// before the exporter started included; a MIG slice under its parent's index),
// and allocated / idle GPU-seconds per user that keep counting across a restart
// without going down.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { scrape, scrapeUntil, startLibExporter } from './helpers/exporter.mjs'

function scratch () {
  const dir = mkdtempSync(join(tmpdir(), 'ds01-exporter-gpu-'))
  // at exit, not in an after hook: the exporters' own after hooks (registered later, run later) save
  // their state into the directory once more when they stop
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
  return { dir, events: join(dir, 'events.jsonl'), gpu: join(dir, 'gpu-utilization.jsonl'), state: join(dir, 'state') }
}

const iso = (ms) => new Date(ms).toISOString().replace('Z', '000Z')
const event = (ms, type, fields = {}) => JSON.stringify({ timestamp: iso(ms), event_type: type, schema_version: '1', ...fields }) + '\n'
const uuid = (i) => `GPU-0000000${i}-aaaa-bbbb-cccc-dddddddddddd`
const sample = (ms, index, util) => event(ms, 'gpu.utilization', { source: 'gpu-monitor', details: { gpu_index: index, gpu_uuid: uuid(index), name: 'NVIDIA H100 80GB HBM3', gpu_util_percent: util, mem_util_percent: 2, mem_used_mb: 512, mem_total_mb: 81559, temperature_c: 41, power_w: 120.5 } })

test('gauges of the last sample, its age, and who holds which GPU (held before the start, a MIG slice, a release)', async () => {
  const s = scratch()
  const t0 = Date.now() - 60_000
  writeFileSync(s.events, event(t0, 'gpu.allocate', { user: 'alice', source: 'gpu-allocator', details: { container: 'alice-nb', gpu: '0' } }) +
    event(t0 + 1, 'gpu.allocated', { user: 'bob', source: 'gpu-allocator', details: { container: 'bob-mig', gpu: '3:1' } }))
  let text = ''
  for (let i = 0; i < 5; i++) text += sample(Date.now() - 5000 + i * 1000, 0, 0) + sample(Date.now() - 5000 + i * 1000, 3, null)
  writeFileSync(s.gpu, text)
  const { port } = await startLibExporter({ eventsFile: s.events, gpuFile: s.gpu, stateDir: s.state })
  const m = await scrape(port)
  assert.equal(m.get(`ds01_gpu_utilization_percent{gpu_index="0",gpu_uuid="${uuid(0)}"}`), 0)
  assert.equal(m.get(`ds01_gpu_utilization_percent{gpu_index="3",gpu_uuid="${uuid(3)}"}`), undefined, 'unknown (null): no value')
  assert.equal(m.get(`ds01_gpu_memory_used_bytes{gpu_index="0",gpu_uuid="${uuid(0)}"}`), 512 * 1024 * 1024)
  assert.equal(m.get(`ds01_gpu_memory_total_bytes{gpu_index="3",gpu_uuid="${uuid(3)}"}`), 81559 * 1024 * 1024)
  assert.equal(m.get(`ds01_gpu_temperature_celsius{gpu_index="0",gpu_uuid="${uuid(0)}"}`), 41)
  assert.equal(m.get(`ds01_gpu_power_watts{gpu_index="0",gpu_uuid="${uuid(0)}"}`), 120.5)
  const age = m.get(`ds01_gpu_sample_age_seconds{gpu_index="0",gpu_uuid="${uuid(0)}"}`)
  assert.ok(age >= 0.5 && age < 60, `age ${age}`)
  assert.equal(m.get('ds01_gpu_allocation_info{gpu_index="0",gpu="0",user="alice",container="alice-nb"}'), 1, 'held before the exporter started')
  assert.equal(m.get('ds01_gpu_allocation_info{gpu_index="3",gpu="3:1",user="bob",container="bob-mig"}'), 1, 'a slice, under its parent')

  appendFileSync(s.events, event(Date.now(), 'gpu.released', { user: 'alice', source: 'gpu-allocator', details: { container: 'alice-nb', gpu: '0' } }))
  appendFileSync(s.gpu, sample(Date.now(), 0, 77))
  const later = await scrapeUntil(port, (m) => m.get('ds01_gpu_allocation_info{gpu_index="0",gpu="0",user="alice",container="alice-nb"}') === undefined, 'the release')
  assert.equal(later.get(`ds01_gpu_utilization_percent{gpu_index="0",gpu_uuid="${uuid(0)}"}`), 77)
  assert.equal(later.get('ds01_gpu_allocation_info{gpu_index="3",gpu="3:1",user="bob",container="bob-mig"}'), 1)
})

test('allocated and idle GPU-seconds per user rise while held, and continue across a restart without going down', async () => {
  const s = scratch()
  writeFileSync(s.events, '')
  writeFileSync(s.gpu, '')
  const first = await startLibExporter({ eventsFile: s.events, gpuFile: s.gpu, stateDir: s.state })
  appendFileSync(s.events, event(Date.now(), 'gpu.allocate', { user: 'alice', source: 'gpu-allocator', details: { container: 'a', gpu: 0 } }) +
    event(Date.now(), 'gpu.allocate', { user: 'bob', source: 'gpu-allocator', details: { container: 'b', gpu: 1 } }))
  const feed = async (ms) => {
    const end = Date.now() + ms
    while (Date.now() < end) {
      appendFileSync(s.gpu, sample(Date.now(), 0, 1) + sample(Date.now(), 1, 95))
      await sleep(200)
    }
  }
  await feed(1500)
  const a = await scrapeUntil(first.port, (m) => m.get('ds01_gpu_idle_seconds_total{user="alice"}') > 0.5, 'idle seconds for alice')
  assert.ok(a.get('ds01_gpu_allocated_seconds_total{user="alice"}') >= a.get('ds01_gpu_idle_seconds_total{user="alice"}'))
  assert.ok(a.get('ds01_gpu_allocated_seconds_total{user="bob"}') > 0.5)
  assert.equal(a.get('ds01_gpu_idle_seconds_total{user="bob"}') ?? 0, 0, 'bob is busy')
  await first.stop()
  const before = (await (async () => {
    const { readFileSync } = await import('node:fs')
    return JSON.parse(readFileSync(join(s.state, 'exporter-state.json'), 'utf8')).counters
  })())
  const savedAlice = before.ds01_gpu_allocated_seconds_total.alice
  assert.ok(savedAlice >= a.get('ds01_gpu_allocated_seconds_total{user="alice"}'))

  const second = await startLibExporter({ eventsFile: s.events, gpuFile: s.gpu, stateDir: s.state })
  const b0 = await scrape(second.port)
  assert.ok(b0.get('ds01_gpu_allocated_seconds_total{user="alice"}') >= savedAlice, 'not down after the restart')
  assert.equal(b0.get('ds01_gpu_allocation_info{gpu_index="0",gpu="0",user="alice",container="a"}'), 1, 'still held after the restart')
  await feed(1000)
  const b = await scrapeUntil(second.port, (m) => m.get('ds01_gpu_allocated_seconds_total{user="alice"}') > savedAlice + 0.5, 'alice counting on')
  // counting continues where the saved values end: never more than the wall time held
  assert.ok(b.get('ds01_gpu_allocated_seconds_total{user="alice"}') < 60)
  await second.stop()
})
