// The advice for a GPU sample log that cannot be written names the setting that
// moves that log (DS01_GPU_UTILIZATION_FILE, or the agent's --file), never
// DS01_EVENTS_FILE, which changes nothing there. The events log keeps its own.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { makeSandbox, runAgent } from './fixtures/gpu-monitor.mjs'
import { createEventLog } from '../dist/index.js'

test('the agent: a GPU log that cannot be created is advised with DS01_GPU_UTILIZATION_FILE or --file', async (t) => {
  const sandbox = makeSandbox()
  t.after(sandbox.remove)
  // a regular file where the log's directory should be: ENOTDIR for root too
  const blocker = path.join(path.dirname(sandbox.gpuFile), 'not-a-dir')
  fs.writeFileSync(blocker, '')
  const result = await runAgent(sandbox, ['--once'], { DS01_GPU_UTILIZATION_FILE: path.join(blocker, 'gpu-utilization.jsonl') })
  assert.equal(result.code, 1, result.stderr)
  assert.match(result.stderr, /DS01_GPU_UTILIZATION_FILE=/)
  assert.match(result.stderr, /--file PATH/)
  assert.doesNotMatch(result.stderr, /DS01_EVENTS_FILE/)
})

test('the library: the advice follows the log it is about', (t) => {
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'ds01-advice-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  fs.writeFileSync(path.join(dir, 'file'), '')
  const heard = []
  for (const name of ['gpu-utilization.jsonl', 'events.jsonl']) {
    const log = createEventLog({ path: path.join(dir, 'file', name), onWarning: (m) => heard.push(m) })
    assert.equal(log.log('test.selftest', { result: 'x' }), false)
    log.close()
  }
  assert.equal(heard.length, 2, heard.join('\n'))
  assert.match(heard[0], /DS01_GPU_UTILIZATION_FILE/)
  assert.doesNotMatch(heard[0], /DS01_EVENTS_FILE/)
  assert.match(heard[1], /DS01_EVENTS_FILE=/)
  assert.doesNotMatch(heard[1], /DS01_GPU_UTILIZATION_FILE/)
})
