// SIGTERM and SIGINT: nvidia-smi stopped, every sample it printed logged, system.shutdown, exit 0, promptly.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { makeSandbox, startAgent, readEvents, readFakeLog, waitFor } from './fixtures/gpu-monitor.mjs'

for (const signal of ['SIGTERM', 'SIGINT']) {
  test(`${signal} flushes every sample read and exits 0 promptly`, async (t) => {
    const sandbox = makeSandbox()
    t.after(sandbox.remove)
    // 8 GPUs every 50 ms, stopped mid-stream: the batched queue holds up to a second of samples.
    const run = startAgent(sandbox, ['--interval', '50'], { FAKE_NVIDIA_SMI_GPUS: '8' })
    await waitFor(() => readFakeLog(sandbox).samples >= 5, 'five samples')
    const sentAt = Date.now()
    run.child.kill(signal)
    const { code } = await run.exited
    const stopMs = Date.now() - sentAt
    t.diagnostic(`exit ${stopMs} ms after ${signal}`)
    assert.equal(code, 0, run.stderr)
    assert.ok(stopMs < 3000, `bounded stop (took ${stopMs} ms)`)

    const fake = readFakeLog(sandbox)
    assert.equal(fake.ends.at(-1).how, 'term', 'nvidia-smi was stopped by the agent')
    const events = readEvents(sandbox.gpuFile)
    assert.equal(events.length, fake.linesPrinted, 'no sample lost that nvidia-smi printed')
    assert.equal(events.length % 8, 0)
    const lifecycle = readEvents(sandbox.eventsFile)
    assert.deepEqual(lifecycle.map((e) => e.event_type), ['system.startup', 'system.shutdown'])
    assert.equal(lifecycle[1].details.signal, signal)
  })
}

test('SIGTERM at the default 1 s interval does not wait for the next sample', async (t) => {
  const sandbox = makeSandbox()
  t.after(sandbox.remove)
  const run = startAgent(sandbox, [])
  await waitFor(() => readFakeLog(sandbox).samples >= 1, 'the first sample')
  const sentAt = Date.now()
  run.child.kill('SIGTERM')
  assert.equal((await run.exited).code, 0, run.stderr)
  const stopMs = Date.now() - sentAt
  t.diagnostic(`exit ${stopMs} ms after SIGTERM`)
  assert.ok(stopMs < 3000, `bounded stop (took ${stopMs} ms)`)
  assert.equal(readEvents(sandbox.gpuFile).length, 4)
})

test('an nvidia-smi that ignores SIGTERM is killed, and the agent still exits 0 promptly', async (t) => {
  const sandbox = makeSandbox()
  t.after(sandbox.remove)
  const run = startAgent(sandbox, ['--interval', '1000'], { FAKE_NVIDIA_SMI_IGNORE_TERM: '1' })
  await waitFor(() => readFakeLog(sandbox).samples >= 1, 'the first sample')
  const sentAt = Date.now()
  run.child.kill('SIGTERM')
  assert.equal((await run.exited).code, 0, run.stderr)
  const stopMs = Date.now() - sentAt
  t.diagnostic(`exit ${stopMs} ms after SIGTERM (nvidia-smi needed SIGKILL)`)
  assert.ok(stopMs < 3000, `bounded stop (took ${stopMs} ms)`)
  const fake = readFakeLog(sandbox)
  assert.deepEqual(fake.ends, [], 'nvidia-smi did not end on its own')
  assert.equal(readEvents(sandbox.gpuFile).length, fake.samples * 4, 'what it printed before the kill is logged')
})
