// No nvidia-smi: exit 127 with a message that names it and the --nvidia-smi option; nothing logged.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { makeSandbox, runAgent, readEvents } from './fixtures/gpu-monitor.mjs'

for (const mode of [[], ['--once']]) {
  test(`nvidia-smi not on PATH ${mode.join(' ') || '(agent)'}: exit 127, a message that says what to do`, async (t) => {
    const sandbox = makeSandbox()
    t.after(sandbox.remove)
    const empty = path.join(sandbox.dir, 'empty')
    fs.mkdirSync(empty)
    const result = await runAgent(sandbox, ['--interval', '50', ...mode], { PATH: empty })
    assert.equal(result.code, 127, result.stderr)
    assert.match(result.stderr, /nvidia-smi/)
    assert.match(result.stderr, /not found/)
    assert.match(result.stderr, /--nvidia-smi PATH/)
    assert.deepEqual(readEvents(sandbox.gpuFile), [])
    assert.deepEqual(readEvents(sandbox.eventsFile), [], 'no system.startup for an agent that never ran')
  })
}

test('--nvidia-smi names the binary: a missing path exits 127, a non-executable one 126', async (t) => {
  const sandbox = makeSandbox()
  t.after(sandbox.remove)
  const missing = await runAgent(sandbox, ['--nvidia-smi', '/nonexistent/nvidia-smi'])
  assert.equal(missing.code, 127, missing.stderr)
  assert.match(missing.stderr, /'\/nonexistent\/nvidia-smi' not found/)

  const plain = path.join(sandbox.dir, 'not-executable')
  fs.writeFileSync(plain, '#!/bin/sh\n', { mode: 0o644 })
  const notExecutable = await runAgent(sandbox, ['--nvidia-smi', plain])
  assert.equal(notExecutable.code, 126, notExecutable.stderr)
  assert.match(notExecutable.stderr, /not executable/)
})

test('--nvidia-smi with a path runs that one', async (t) => {
  const sandbox = makeSandbox()
  t.after(sandbox.remove)
  const result = await runAgent(sandbox, ['--once', '--nvidia-smi', path.join(sandbox.bin, 'nvidia-smi')], { PATH: '/nonexistent' })
  assert.equal(result.code, 0, result.stderr)
  assert.equal(readEvents(sandbox.gpuFile).length, 4)
})
