// --once: one nvidia-smi run without -lms, one event per GPU, exit 0; no lifecycle events.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { makeSandbox, runAgent, readEvents, readFakeLog, ROOT } from './fixtures/gpu-monitor.mjs'

test('--once logs one sample of every GPU and exits 0', async (t) => {
  const sandbox = makeSandbox()
  t.after(sandbox.remove)
  const result = await runAgent(sandbox, ['--once'], { FAKE_NVIDIA_SMI_GPUS: '8', FAKE_NVIDIA_SMI_NA_GPU: '5' })
  assert.equal(result.code, 0, result.stderr)
  assert.doesNotMatch(result.stderr, /gpu-monitor/, 'a good sample is logged quietly')
  const fake = readFakeLog(sandbox)
  assert.equal(fake.starts.length, 1)
  assert.doesNotMatch(fake.starts[0], /-lms/)
  const events = readEvents(sandbox.gpuFile)
  assert.deepEqual(events.map((e) => e.details.gpu_index), [0, 1, 2, 3, 4, 5, 6, 7])
  assert.ok(events.every((e) => e.event_type === 'gpu.utilization' && e.source === 'gpu-monitor'))
  assert.equal(events[5].details.power_w, null)
  assert.equal(events[4].details.power_w, 149.41)
  assert.equal(fs.existsSync(sandbox.eventsFile), false, 'no system.startup/shutdown for a single sample')
})

test('--once fails (exit 1) when nvidia-smi fails, passing its message on', async (t) => {
  const sandbox = makeSandbox()
  t.after(sandbox.remove)
  const result = await runAgent(sandbox, ['--once'], { FAKE_NVIDIA_SMI_FAIL: '1' })
  assert.equal(result.code, 1)
  assert.match(result.stderr, /couldn't communicate with the NVIDIA driver/)
  assert.match(result.stderr, /nvidia-smi exited with code 9; logged 0 GPU readings/)
  assert.deepEqual(readEvents(sandbox.gpuFile), [])
})

test('ds01-events gpu-monitor --once runs the same agent', { skip: !fs.existsSync(path.join(ROOT, 'dist', 'cli', 'main.js')) && 'the CLI is not built' }, async (t) => {
  const sandbox = makeSandbox()
  t.after(sandbox.remove)
  const { spawnSync } = await import('node:child_process')
  const result = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'ds01-events.js'), 'gpu-monitor', '--once', '--file', sandbox.gpuFile], {
    env: { PATH: `${sandbox.bin}:${process.env.PATH}` },
    encoding: 'utf8'
  })
  assert.equal(result.status, 0, result.stderr)
  assert.equal(readEvents(sandbox.gpuFile).length, 4)
})
