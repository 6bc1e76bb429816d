// nvidia-smi exiting mid-stream is started again (after 0.5 s, then 1 s...), and no sample is lost.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { makeSandbox, startAgent, readEvents, readFakeLog, waitFor } from './fixtures/gpu-monitor.mjs'

test('nvidia-smi is restarted with backoff after it exits', async (t) => {
  const sandbox = makeSandbox()
  t.after(sandbox.remove)
  const run = startAgent(sandbox, ['--interval', '50'], { FAKE_NVIDIA_SMI_EXIT_AFTER: '2', FAKE_NVIDIA_SMI_EXIT_CODE: '3' })
  await waitFor(() => readFakeLog(sandbox).ends.length >= 2, 'nvidia-smi to exit twice')
  run.child.kill('SIGTERM')
  assert.equal((await run.exited).code, 0, run.stderr)

  const fake = readFakeLog(sandbox)
  assert.ok(fake.starts.length >= 2, 'started again after it exited')
  assert.ok(fake.ends.slice(0, 2).every((e) => e.how === 'exit' && e.lines === 8), JSON.stringify(fake.ends))
  const events = readEvents(sandbox.gpuFile)
  assert.equal(events.length, fake.linesPrinted, 'every line of every run logged')
  // Each run starts its samples over: the sequence of first-GPU readings repeats.
  const gpu0 = events.filter((e) => e.details.gpu_index === 0).map((e) => e.details.gpu_util_percent)
  assert.deepEqual(gpu0.slice(0, 4), [gpu0[0], gpu0[1], gpu0[0], gpu0[1]])

  assert.match(run.stderr, /nvidia-smi exited with code 3 after [\d.]+ s; starting it again in 500 ms/)
  assert.match(run.stderr, /starting it again in 1000 ms/, 'the second wait is doubled')
  const shutdown = readEvents(sandbox.eventsFile).find((e) => e.event_type === 'system.shutdown')
  assert.equal(shutdown.details.restarts, fake.starts.length - 1)
})

test('an nvidia-smi that cannot reach the driver is retried, its message passed on', async (t) => {
  const sandbox = makeSandbox()
  t.after(sandbox.remove)
  const run = startAgent(sandbox, ['--interval', '50'], { FAKE_NVIDIA_SMI_FAIL: '1' })
  await waitFor(() => /starting it again in 1000 ms/.test(run.stderr), 'a second restart')
  run.child.kill('SIGTERM')
  assert.equal((await run.exited).code, 0, run.stderr)
  assert.match(run.stderr, /NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver/)
  assert.match(run.stderr, /nvidia-smi exited with code 9/)
  assert.deepEqual(readEvents(sandbox.gpuFile), [])
})
