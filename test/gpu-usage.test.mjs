// `gpu usage` over a window of one hour, each scenario of issue 16 on its own
// GPU, with the answers worked out by hand in the comments: samples every
// minute, a sample standing for the minute after it (at most two).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gpuUsage } from '../dist/index.js'
import { runCli, scratch } from './helpers/cli.mjs'
import { HOUR, MIN, eventLine, logText, sampleLine, ts, uuidOf } from './helpers/gpu-logs.mjs'

const T0 = Date.parse('2026-03-02T10:00:00Z') // the window is [T0, T0 + 1 h)
const SINCE = new Date(T0).toISOString()
const UNTIL = new Date(T0 + HOUR).toISOString()

/** Utilization of each GPU at minute m of the window (m from -20 to 60). */
const UTIL = {
  0: () => 0, // alice: idle the whole window
  1: (m) => (m < 30 ? 2 : 90), // bob: idle, then busy
  2: () => 50, // carol: released inside the window
  3: () => 3, // dave: allocated inside the window
  4: () => null, // a MIG GPU: nvidia-smi says [N/A]
  5: () => 70, // nobody's
  6: () => 10, // gina: container removed without a release
  7: () => 0 // henry: a gap in the samples
}

function fixture () {
  const dir = scratch('ds01-gpu-usage-')
  const events = join(dir, 'events.jsonl')
  const gpu = join(dir, 'gpu-utilization.jsonl')
  const samples = []
  for (let m = -20; m <= 60; m++) {
    for (const [index, util] of Object.entries(UTIL)) {
      if (Number(index) === 7 && m > 10 && m < 20) continue // henry's GPU: no sample for 10 minutes
      if (Number(index) === 0 && m === 5) {
        // a sample cut short (a crash while writing), then a line that is not JSON
        samples.push(sampleLine(T0 + m * MIN, 0, 0).slice(0, 120))
        samples.push(`{"timestamp":"${ts(T0 + m * MIN)}" not json`)
        continue
      }
      // GPU 6 in another key order: the parsed path, not the in-place one
      samples.push(sampleLine(T0 + m * MIN, Number(index), util(m), { order: Number(index) === 6 ? 'other' : 'agent' }))
    }
  }
  const lines = [
    eventLine(T0 - 2 * HOUR, 'gpu.allocate', 'alice', { container: 'alice-idle', gpu: 0 }),
    eventLine(T0 - HOUR, 'gpu.allocate', 'bob', { container: 'bob-train', gpu: '1' }),
    eventLine(T0 - HOUR, 'gpu.allocate', 'carol', { container: 'carol-nb', gpu: uuidOf(2) }), // by UUID
    eventLine(T0 + 15 * MIN, 'gpu.released', 'carol', { container: 'carol-nb', gpu: '2' }), // the field's spelling, by index
    eventLine(T0 + 45 * MIN, 'gpu.allocated', 'dave', { container: 'dave-job', gpu: 3 }),
    eventLine(T0 - HOUR, 'gpu.allocate', 'erin', { container: 'erin-mig', gpu: '4:0' }),
    eventLine(T0 + 30 * MIN, 'gpu.allocate', 'frank', { container: 'frank-mig', gpu: '4.1' }),
    eventLine(T0 - HOUR, 'gpu.allocate', 'gina', { container: 'gina-nb', gpu: '6' }),
    eventLine(T0 + 30 * MIN, 'container.remove', 'gina', { container: 'gina-nb' }),
    eventLine(T0 - HOUR, 'gpu.allocate', 'henry', { container: 'henry-x', gpu: 7 }),
    eventLine(T0 - 3 * HOUR, 'gpu.allocate', 'old', { container: 'old-job', gpu: 5 }),
    eventLine(T0 - 2 * HOUR, 'gpu.release', 'old', { container: 'old-job' }), // before the window: counts nothing
    eventLine(T0 + 5 * MIN, 'container.create', 'ivan', { container: 'ivan-x', gpu: 5 }) // not an allocation
  ]
  writeFileSync(events, logText(lines))
  writeFileSync(gpu, logText(samples))
  return { events, gpu }
}

// By hand (hours; a sample at minute m stands for [m, m + 1)):
const EXPECTED = [
  // alice: held before the window to after it, util 0: 1 h idle
  { user: 'alice', allocated_hours: 1, busy_hours: 0, idle_hours: 1, unknown_hours: 0, mean_util_percent: 0 },
  // henry: util 0, no sample in minutes 11..19; the sample of minute 10 stands for two
  // intervals (10..12), 12..20 is unknown: 52 min idle = 0.866667 h, 8 min = 0.133333 h
  { user: 'henry', allocated_hours: 1, busy_hours: 0, idle_hours: 0.866667, unknown_hours: 0.133333, mean_util_percent: 0 },
  // bob: 30 min at 2 %, 30 min at 90 %: mean (2 + 90) / 2 = 46
  { user: 'bob', allocated_hours: 1, busy_hours: 0.5, idle_hours: 0.5, unknown_hours: 0, mean_util_percent: 46 },
  // dave: allocated at minute 45 (spelled gpu.allocated), util 3: 15 min idle
  { user: 'dave', allocated_hours: 0.25, busy_hours: 0, idle_hours: 0.25, unknown_hours: 0, mean_util_percent: 3 },
  // erin: the MIG slice 4:0 all hour: allocated, utilization unknown
  { user: 'erin', allocated_hours: 1, busy_hours: 0, idle_hours: 0, unknown_hours: 1, mean_util_percent: null },
  // frank: the slice 4.1 (= 4:1) from minute 30
  { user: 'frank', allocated_hours: 0.5, busy_hours: 0, idle_hours: 0, unknown_hours: 0.5, mean_util_percent: null },
  // gina: container removed at minute 30 with no release; util 10: busy
  { user: 'gina', allocated_hours: 0.5, busy_hours: 0.5, idle_hours: 0, unknown_hours: 0, mean_util_percent: 10 },
  // carol: allocated by UUID, released (gpu.released, by index) at minute 15; util 50
  { user: 'carol', allocated_hours: 0.25, busy_hours: 0.25, idle_hours: 0, unknown_hours: 0, mean_util_percent: 50 }
]

test('gpu usage: every scenario of the window, worked out by hand, sorted by idle hours', async () => {
  const f = fixture()
  const warnings = []
  const report = await gpuUsage({ eventsPath: f.events, gpuPath: f.gpu, since: SINCE, until: UNTIL, onWarning: (w) => warnings.push(w) })
  assert.ok(report, warnings.join('\n'))
  assert.equal(report.since, SINCE)
  assert.equal(report.until, UNTIL)
  assert.deepEqual(report.rows, EXPECTED)
  // the damaged sample line and the line that is not JSON are counted, and change nothing:
  // the sample before stands for two intervals
  assert.deepEqual(report.skipped, { events: 0, samples: 2 })
  assert.equal(warnings.length, 1)
  assert.match(warnings[0], /gpu-utilization\.jsonl: skipped 2 lines: 2 not a JSON event/)
})

test('gpu usage --json from the CLI gives the same rows; the text table is sorted by idle hours', () => {
  const f = fixture()
  const env = { DS01_EVENTS_FILE: f.events, DS01_GPU_UTILIZATION_FILE: f.gpu }
  const r = runCli(['gpu', 'usage', '--since', SINCE, '--until', UNTIL, '--json'], { env })
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(JSON.parse(r.stdout).rows, EXPECTED)
  assert.match(r.stderr, /skipped 2 lines/)
  const text = runCli(['gpu', 'usage', '--since', SINCE, '--until', UNTIL], { env })
  assert.equal(text.status, 0, text.stderr)
  const users = text.stdout.split('\n').map((l) => l.split(/\s+/)[0]).filter((u) => EXPECTED.some((e) => e.user === u))
  assert.deepEqual(users, EXPECTED.map((e) => e.user))
  assert.ok(!text.stdout.includes('\u001b'), 'no colour when piped')
})

test('gpu usage --by container and --by gpu group the same seconds', async () => {
  const f = fixture()
  const byContainer = await gpuUsage({ eventsPath: f.events, gpuPath: f.gpu, since: SINCE, until: UNTIL, by: 'container', onWarning: () => {} })
  assert.deepEqual(byContainer.rows.map((r) => [r.user, r.container, r.allocated_hours]), [
    ['alice', 'alice-idle', 1], ['henry', 'henry-x', 1], ['bob', 'bob-train', 1], ['dave', 'dave-job', 0.25],
    ['erin', 'erin-mig', 1], ['frank', 'frank-mig', 0.5], ['gina', 'gina-nb', 0.5], ['carol', 'carol-nb', 0.25]
  ])
  const byGpu = await gpuUsage({ eventsPath: f.events, gpuPath: f.gpu, since: SINCE, until: UNTIL, by: 'gpu', onWarning: () => {} })
  const rows = Object.fromEntries(byGpu.rows.map((r) => [r.gpu, [r.gpu_index, r.allocated_hours, r.idle_hours]]))
  assert.deepEqual(rows, {
    0: [0, 1, 1], 7: [7, 1, 0.866667], 1: [1, 1, 0.5], 3: [3, 0.25, 0.25],
    '4:0': [4, 1, 0], '4:1': [4, 0.5, 0], 6: [6, 0.5, 0], 2: [2, 0.25, 0] // carol's UUID joined GPU 2
  })
})

test('a window that ends before the release and starts after the allocation: the part inside counts', async () => {
  const f = fixture()
  // minutes 10..20: carol holds GPU 2 until 15 (5 min busy); dave not yet; henry 10..12 idle, 12..20 unknown
  const report = await gpuUsage({ eventsPath: f.events, gpuPath: f.gpu, since: new Date(T0 + 10 * MIN), until: new Date(T0 + 20 * MIN), onWarning: () => {} })
  const byUser = Object.fromEntries(report.rows.map((r) => [r.user, r]))
  assert.equal(byUser.carol.allocated_hours, 0.083333)
  assert.equal(byUser.carol.busy_hours, 0.083333)
  assert.equal(byUser.dave, undefined)
  assert.equal(byUser.henry.idle_hours, 0.033333)
  assert.equal(byUser.henry.unknown_hours, 0.133333)
})
