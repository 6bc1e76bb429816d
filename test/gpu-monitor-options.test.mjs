// Options: --interval bounds, unknown options and --help; usage errors exit 2 before anything runs.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { makeSandbox, runAgent, readFakeLog } from './fixtures/gpu-monitor.mjs'

for (const args of [['--interval', '49'], ['--interval', '0'], ['--interval', 'abc'], ['--interval', '1.5'], ['--interval', '-100'],
  ['--interval', '3600001'], ['--interval'], ['--bogus'], ['extra'], ['--file', ''], ['--once=yes']]) {
  test(`usage error: ${JSON.stringify(args)} exits 2`, async (t) => {
    const sandbox = makeSandbox()
    t.after(sandbox.remove)
    const result = await runAgent(sandbox, args)
    assert.equal(result.code, 2, result.stderr)
    assert.match(result.stderr, /Usage: ds01-events gpu-monitor/)
    assert.equal(readFakeLog(sandbox).starts.length, 0, 'nvidia-smi never started')
  })
}

test('--interval 50 is the minimum and is accepted', async (t) => {
  const sandbox = makeSandbox()
  t.after(sandbox.remove)
  const result = await runAgent(sandbox, ['--interval', '50', '--once'])
  assert.equal(result.code, 0, result.stderr)
})

test('--help prints the usage on stdout and exits 0', async (t) => {
  const sandbox = makeSandbox()
  t.after(sandbox.remove)
  for (const flag of ['--help', '-h']) {
    const result = await runAgent(sandbox, [flag])
    assert.equal(result.code, 0)
    assert.match(result.stdout, /--interval MS/)
    assert.match(result.stdout, /--nvidia-smi PATH/)
    assert.equal(result.stderr, '')
  }
})
