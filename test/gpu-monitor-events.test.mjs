// One gpu.utilization event per GPU per sample, in the v1 envelope, with every field typed;
// system.startup / system.shutdown in the main event log.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { makeSandbox, startAgent, readEvents, readFakeLog, waitFor, READING_KEYS } from './fixtures/gpu-monitor.mjs'

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/

test('samples of 4 GPUs become gpu.utilization events with every field', async (t) => {
  const sandbox = makeSandbox()
  t.after(sandbox.remove)
  const run = startAgent(sandbox, ['--interval', '50'])
  await waitFor(() => readFakeLog(sandbox).samples >= 3, 'three samples from the fake nvidia-smi')
  run.child.kill('SIGTERM')
  const { code } = await run.exited
  assert.equal(code, 0, run.stderr)

  const fake = readFakeLog(sandbox)
  assert.equal(fake.starts.length, 1, 'one long-lived nvidia-smi, not one per sample')
  assert.match(fake.starts[0], / -lms 50$/)
  const events = readEvents(sandbox.gpuFile)
  assert.ok(events.length >= 12, `at least 3 samples x 4 GPUs, got ${events.length}`)
  assert.equal(events.length % 4, 0, 'whole samples only')

  for (const [i, event] of events.entries()) {
    assert.deepEqual(Object.keys(event), ['timestamp', 'event_type', 'schema_version', 'source', 'details'])
    assert.match(event.timestamp, TIMESTAMP)
    assert.equal(event.event_type, 'gpu.utilization')
    assert.equal(event.schema_version, '1')
    assert.equal(event.source, 'gpu-monitor')
    const d = event.details
    assert.deepEqual(Object.keys(d).sort(), ['gpu_index', 'gpu_uuid', 'name', ...READING_KEYS].sort())
    assert.equal(d.gpu_index, i % 4, 'GPUs in order within each sample')
    assert.match(d.gpu_uuid, /^GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    assert.equal(d.name, 'NVIDIA H100 80GB HBM3')
    for (const key of READING_KEYS) assert.equal(typeof d[key], 'number', `${key} of event ${i}`)
    assert.equal(d.mem_total_mb, 81559)
  }
  // The fake's first sample, GPU 1: "1, GPU-3c6ef362-..., NVIDIA H100 80GB HBM3, 20, 8, 1098, 81559, 32, 98.38"
  assert.deepEqual(events[1].details, {
    gpu_index: 1,
    gpu_uuid: 'GPU-3c6ef362-f362-6ef3-3c6e-000167bf1af7',
    name: 'NVIDIA H100 80GB HBM3',
    gpu_util_percent: 20,
    mem_util_percent: 8,
    mem_used_mb: 1098,
    mem_total_mb: 81559,
    temperature_c: 32,
    power_w: 98.38
  })

  const lifecycle = readEvents(sandbox.eventsFile)
  assert.deepEqual(lifecycle.map((e) => e.event_type), ['system.startup', 'system.shutdown'])
  for (const event of lifecycle) {
    assert.equal(event.source, 'gpu-monitor')
    assert.equal(event.details.component, 'gpu-monitor')
  }
  assert.equal(lifecycle[0].details.interval_ms, 50)
  assert.equal(lifecycle[0].details.file, sandbox.gpuFile)
  assert.equal(lifecycle[1].details.signal, 'SIGTERM')
  assert.equal(lifecycle[1].details.events_logged, events.length)
})

test('--file overrides DS01_GPU_UTILIZATION_FILE', async (t) => {
  const sandbox = makeSandbox()
  t.after(sandbox.remove)
  const other = `${sandbox.dir}/other.jsonl`
  const run = startAgent(sandbox, ['--interval', '50', '--file', other])
  await waitFor(() => readFakeLog(sandbox).samples >= 1, 'a sample')
  run.child.kill('SIGTERM')
  assert.equal((await run.exited).code, 0, run.stderr)
  assert.ok(readEvents(other).length >= 4)
  assert.deepEqual(readEvents(sandbox.gpuFile), [])
})
