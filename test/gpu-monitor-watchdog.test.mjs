// The watchdog: nvidia-smi exits but a child of it keeps its stdout open, so
// 'close' never comes. No sample for --stall-ms is a warning, the process
// group is killed (the child too), and nvidia-smi is started again.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { makeSandbox, startAgent, readEvents, readFakeLog, waitFor } from './fixtures/gpu-monitor.mjs'

function alive (pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

test('nvidia-smi gone while a child holds its stdout: a warning, the group killed, nvidia-smi started again', async (t) => {
  const sandbox = makeSandbox()
  const orphans = () => readFakeLog(sandbox).notes.filter((n) => n.startsWith('orphan ')).map((n) => Number(n.split(' ')[1]))
  t.after(() => {
    for (const pid of orphans()) if (alive(pid)) process.kill(pid, 'SIGKILL')
    sandbox.remove()
  })
  const run = startAgent(sandbox, ['--interval', '50', '--stall-ms', '1000'], { FAKE_NVIDIA_SMI_ORPHAN_AFTER: '3' })
  await waitFor(() => readFakeLog(sandbox).starts.length >= 2 && readFakeLog(sandbox).samples >= 6, 'nvidia-smi to be started again, and sample')
  const [first] = orphans()
  await waitFor(() => !alive(first), 'the child holding stdout to be killed with its group', 5000)
  run.child.kill('SIGTERM')
  assert.equal((await run.exited).code, 0, run.stderr)

  assert.match(run.stderr, /no sample from nvidia-smi \(pid \d+, exited, its output still held open\) for [\d.]+ s; killing its process group and starting it again/)
  assert.match(run.stderr, /nvidia-smi exited with code 0 after [\d.]+ s; starting it again in \d+ ms/)
  const fake = readFakeLog(sandbox)
  const events = readEvents(sandbox.gpuFile)
  assert.ok(events.length >= 2 * 3 * 4, `the samples of both runs logged (${events.length})`)
  const shutdown = readEvents(sandbox.eventsFile).find((e) => e.event_type === 'system.shutdown')
  assert.ok(shutdown.details.stalls >= 1, JSON.stringify(shutdown.details))
  assert.equal(shutdown.details.restarts, fake.starts.length - 1)
})

test('--stall-ms below two intervals is a usage error', async (t) => {
  const sandbox = makeSandbox()
  t.after(sandbox.remove)
  const run = startAgent(sandbox, ['--interval', '1000', '--stall-ms', '1500'])
  assert.equal((await run.exited).code, 2)
  assert.match(run.stderr, /--stall-ms must be a whole number of milliseconds from two intervals \(2000\)/)
})

test('nvidia-smi alive but silent (a wedged driver): a warning, killed, started again', async (t) => {
  const sandbox = makeSandbox()
  t.after(sandbox.remove)
  const run = startAgent(sandbox, ['--interval', '50', '--stall-ms', '1000'], { FAKE_NVIDIA_SMI_HANG_AFTER: '3' })
  await waitFor(() => readFakeLog(sandbox).starts.length >= 2 && readFakeLog(sandbox).samples >= 6, 'nvidia-smi to be started again, and sample')
  run.child.kill('SIGTERM')
  assert.equal((await run.exited).code, 0, run.stderr)
  assert.match(run.stderr, /no sample from nvidia-smi \(pid \d+\) for [\d.]+ s; killing its process group and starting it again/)
  assert.match(run.stderr, /nvidia-smi was killed by SIGKILL after [\d.]+ s; starting it again in \d+ ms/)
  assert.ok(readFakeLog(sandbox).notes.filter((n) => n === 'hang').length >= 1)
  assert.ok(readEvents(sandbox.gpuFile).length >= 2 * 3 * 4, 'the samples before each hang are logged')
})
