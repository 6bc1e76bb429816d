// `gpu status`: one row per GPU seen in either log, its holder (or free), its
// last sample, and whether the samples are stale (the agent is down).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gpuStatus } from '../dist/index.js'
import { runCli, scratch } from './helpers/cli.mjs'
import { HOUR, MIN, eventLine, logText, sampleLine, uuidOf } from './helpers/gpu-logs.mjs'

const T0_FIXED = Date.parse('2026-03-02T10:00:00Z')
const T0 = T0_FIXED

function fixture (T0 = T0_FIXED) {
  const dir = scratch('ds01-gpu-status-')
  const events = join(dir, 'events.jsonl')
  const gpu = join(dir, 'gpu-utilization.jsonl')
  const samples = []
  for (let m = 0; m <= 60; m++) {
    samples.push(sampleLine(T0 + m * MIN, 0, 37, { mem: 4096, temp: 41, power: 250.25 }))
    samples.push(sampleLine(T0 + m * MIN, 1, 0))
    samples.push(sampleLine(T0 + m * MIN, 2, null, { name: 'NVIDIA A100-SXM4-80GB' })) // MIG: [N/A]
  }
  writeFileSync(gpu, logText(samples))
  writeFileSync(events, logText([
    eventLine(T0 - 3 * HOUR, 'gpu.allocate', 'alice', { container: 'alice-nb', gpu: uuidOf(0) }),
    eventLine(T0 - HOUR, 'gpu.allocated', 'bob', { container: 'bob-x', gpu: 1 }),
    eventLine(T0 + 30 * MIN, 'gpu.released', 'bob', { container: 'bob-x', gpu: 1 }),
    eventLine(T0, 'gpu.allocate', 'erin', { container: 'erin-mig', gpu: '2:0' }),
    eventLine(T0 + MIN, 'gpu.allocate', 'frank', { container: 'frank-mig', gpu: '2.1' }),
    eventLine(T0 + 2 * MIN, 'gpu.allocate', 'gus', { container: 'gus-x', gpu: 5 }), // a GPU the agent never sampled
    eventLine(T0 + 3 * MIN, 'gpu.allocate', 'hal', { container: 'hal-x', gpu: 6 }),
    eventLine(T0 + 4 * MIN, 'detection.container_exited', undefined, { name: 'hal-x', container_id: 'abc' })
  ]))
  return { events, gpu }
}

test('gpu status: holders (by UUID, MIG slices), free GPUs, last samples, fresh', async () => {
  const f = fixture()
  const now = new Date(T0 + HOUR + 10_000)
  const report = await gpuStatus({ eventsPath: f.events, gpuPath: f.gpu, now, onWarning: assert.fail })
  assert.equal(report.now, now.toISOString())
  const rows = report.gpus
  assert.deepEqual(rows.map((g) => g.gpu_index), [0, 1, 2, 5])
  assert.deepEqual(rows[0].holder, { user: 'alice', container: 'alice-nb', gpu: uuidOf(0), slice: false, since: new Date(T0 - 3 * HOUR).toISOString() })
  assert.equal(rows[0].gpu_uuid, uuidOf(0))
  assert.equal(rows[0].name, 'NVIDIA H100 80GB HBM3')
  assert.deepEqual(rows[0].sample, { time: new Date(T0 + HOUR).toISOString(), gpu_util_percent: 37, mem_util_percent: 37, mem_used_mb: 4096, mem_total_mb: 81559, temperature_c: 41, power_w: 250.25, age_s: 10 })
  assert.equal(rows[0].stale, false)
  assert.equal(rows[1].holder, null, 'bob released it')
  assert.deepEqual(rows[1].holders, [])
  assert.equal(rows[2].name, 'NVIDIA A100-SXM4-80GB')
  assert.deepEqual(rows[2].holders.map((h) => [h.user, h.gpu, h.slice]), [['erin', '2:0', true], ['frank', '2:1', true]])
  assert.equal(rows[2].sample.gpu_util_percent, null)
  // GPU 5: only in the events log: no sample, stale; hal's container exited: GPU 6 is in neither now
  assert.deepEqual([rows[3].holder.user, rows[3].sample, rows[3].stale], ['gus', null, true])
  assert.equal(report.stale, true)
})

test('gpu status says so when the samples are stale (the agent stopped)', async () => {
  const f = fixture()
  // the last samples are 10 min old: older than 3 intervals (3 min) and 30 s
  const report = await gpuStatus({ eventsPath: f.events, gpuPath: f.gpu, now: new Date(T0 + HOUR + 10 * MIN), onWarning: assert.fail })
  assert.deepEqual(report.gpus.map((g) => g.stale), [true, true, true, true])
  assert.equal(report.gpus[0].sample.age_s, 600)
  // two hours later: no sample in the last hour; the GPUs with a holder are still shown,
  // alice's by the UUID she was allocated (no sample within the hour names its index)
  const later = await gpuStatus({ eventsPath: f.events, gpuPath: f.gpu, now: new Date(T0 + 3 * HOUR), onWarning: assert.fail })
  assert.deepEqual(later.gpus.map((g) => [g.gpu_index, g.gpu_uuid, g.sample, g.stale]), [[2, null, null, true], [5, null, null, true], [null, uuidOf(0), null, true]])
})

test('gpu status from the CLI: --json, and a text line per GPU with a bar, fitted to the width', () => {
  const f = fixture(Date.now() - 3 * HOUR) // the samples end two hours ago
  const env = { DS01_EVENTS_FILE: f.events, DS01_GPU_UTILIZATION_FILE: f.gpu }
  const json = runCli(['gpu', 'status', '--json'], { env })
  assert.equal(json.status, 0, json.stderr)
  const report = JSON.parse(json.stdout)
  assert.equal(report.stale, true, 'the fixture is in the past: stale now')
  assert.deepEqual(report.gpus.map((g) => g.gpu_index), [2, 5, null])
  const text = runCli(['gpu', 'status'], { env })
  assert.equal(text.status, 0, text.stderr)
  const lines = text.stdout.trimEnd().split('\n')
  assert.match(lines[2], /^GPU-9e3779b1-79b1-3779-9e37-000000000000 \[ - +\] +- % +alice \(alice-nb\) since .* {2}no recent sample$/)
  assert.match(text.stdout, /erin \(erin-mig, MIG 2:0\) since .*; frank \(frank-mig, MIG 2:1\)/)
  assert.match(text.stdout, /Samples are stale: the GPU agent seems down/)
  assert.ok(!text.stdout.includes('\u001b'), 'no colour when piped')
  const none = runCli(['gpu', 'status'], { env: { ...env, DS01_EVENTS_FILE: f.gpu } })
  assert.equal(none.status, 0)
})
