// Readings nvidia-smi reports as [N/A], [Not Supported], [Unknown Error] are logged as null.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { makeSandbox, startAgent, readEvents, readFakeLog, waitFor, READING_KEYS } from './fixtures/gpu-monitor.mjs'

test('a GPU with unavailable readings logs them as null, the rest as numbers', async (t) => {
  const sandbox = makeSandbox()
  t.after(sandbox.remove)
  // GPU 2 prints: "2, GPU-..., NVIDIA H100 80GB HBM3, [N/A], [N/A], 2098, 81559, [Unknown Error], [Not Supported]"
  const run = startAgent(sandbox, ['--interval', '50'], { FAKE_NVIDIA_SMI_NA_GPU: '2' })
  await waitFor(() => readFakeLog(sandbox).samples >= 2, 'two samples')
  run.child.kill('SIGTERM')
  assert.equal((await run.exited).code, 0, run.stderr)

  const events = readEvents(sandbox.gpuFile)
  assert.ok(events.length >= 8)
  for (const { details } of events) {
    if (details.gpu_index === 2) {
      assert.equal(details.gpu_util_percent, null)
      assert.equal(details.mem_util_percent, null)
      assert.equal(details.temperature_c, null)
      assert.equal(details.power_w, null)
      assert.equal(typeof details.mem_used_mb, 'number')
      assert.equal(details.mem_total_mb, 81559)
      assert.ok(Object.hasOwn(details, 'power_w'), 'null is written, not left out')
    } else {
      for (const key of READING_KEYS) assert.equal(typeof details[key], 'number', key)
    }
  }
  assert.equal(events.filter((e) => e.details.gpu_index === 2).length, events.length / 4)
})
