// A line that is not a sample is counted and skipped, with a warning that does not repeat.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { makeSandbox, startAgent, readEvents, readFakeLog, waitFor } from './fixtures/gpu-monitor.mjs'

test('garbage lines are skipped, counted in system.shutdown, and warned about once a minute', async (t) => {
  const sandbox = makeSandbox()
  t.after(sandbox.remove)
  const run = startAgent(sandbox, ['--interval', '50'], { FAKE_NVIDIA_SMI_GARBAGE_EVERY: '1' })
  await waitFor(() => readFakeLog(sandbox).samples >= 4, 'four samples, each followed by a garbage line')
  run.child.kill('SIGTERM')
  assert.equal((await run.exited).code, 0, run.stderr)

  const fake = readFakeLog(sandbox)
  assert.ok(fake.garbagePrinted >= 4)
  const events = readEvents(sandbox.gpuFile)
  assert.equal(events.length, fake.linesPrinted, 'every sample line logged, nothing else')
  assert.ok(events.every((e) => e.event_type === 'gpu.utilization' && Number.isInteger(e.details.gpu_index)))

  const warnings = run.stderr.split('\n').filter((l) => l.includes('not a sample'))
  assert.equal(warnings.length, 1, run.stderr)
  assert.match(warnings[0], /Unable to determine the device handle/)
  const shutdown = readEvents(sandbox.eventsFile).find((e) => e.event_type === 'system.shutdown')
  assert.equal(shutdown.details.unparseable_lines, fake.garbagePrinted)
})
