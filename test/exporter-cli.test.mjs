// `ds01-events exporter` on the command line: a port in use is exit 1 with a
// message, usage errors are exit 2, SIGTERM is exit 0 with the state saved;
// the default address is loopback on a port no neighbour uses.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { runCli, scratch } from './helpers/cli.mjs'
import { startExporter } from './helpers/prometheus.mjs'
import { exporterLib } from './helpers/exporter.mjs'

test('the default address is loopback, on a port neither node_exporter (9100), the DS01 exporter (9101) nor dcgm-exporter (9400) uses', () => {
  assert.equal(exporterLib.DEFAULT_LISTEN.host, '127.0.0.1')
  assert.ok(![9100, 9101, 9400, 9090, 9093, 9464].includes(exporterLib.DEFAULT_LISTEN.port))
  assert.equal(exporterLib.DEFAULT_STATE_DIR, '/var/lib/ds01-events')
  const help = runCli(['exporter', '--help'])
  assert.equal(help.status, 0)
  assert.match(help.stdout, /default 127\.0\.0\.1:19101/)
})

test('a port already in use: exit 1 with a message that says what to do', async () => {
  const dir = scratch('ds01-exporter-cli-')
  const blocker = createServer()
  await new Promise((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  try {
    const { port } = blocker.address()
    writeFileSync(join(dir, 'events.jsonl'), '{"timestamp":"2026-01-01T00:00:00.000000Z","event_type":"test.cli","schema_version":"1"}\n')
    const x = await startExporter(['--listen', `127.0.0.1:${port}`, '--state-dir', join(dir, 'state'), '--file', join(dir, 'events.jsonl'), '--no-gpu'])
    assert.equal(x.port, null)
    assert.deepEqual(await x.exited, { code: 1, signal: null })
    assert.match(x.out.stderr, new RegExp(`127\\.0\\.0\\.1:${port} is already in use .*--listen ADDR:PORT`))
    assert.equal(existsSync(join(dir, 'state')), false, 'a start that failed saves no state')
  } finally {
    blocker.close()
  }
})

test('usage errors: exit 2, with the usage and a hint', () => {
  for (const [args, pattern] of [
    [['--listen', 'localhost'], /--listen "localhost": not ADDR:PORT/],
    [['--listen', '127.0.0.1:70000'], /not ADDR:PORT/],
    [['--port', '9000'], /unknown option '--port' \(did you mean --listen ADDR:PORT\?\)/],
    [['--listn', 'x'], /did you mean '--listen'/],
    [['--state-dir', ''], /--state-dir needs a value/],
    [['--no-gpu', '--gpu-file', 'x'], /contradict/],
    [['--poll-ms', '5'], /--poll-ms 5/],
    [['extra'], /unexpected argument 'extra'/]
  ]) {
    const r = runCli(['exporter', ...args])
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`)
    assert.match(r.stderr, pattern)
    assert.match(r.stderr, /Usage:\n {2}ds01-events exporter/)
  }
})

test('SIGTERM: exit 0, the state saved; :PORT alone means loopback', async () => {
  const dir = scratch('ds01-exporter-cli-')
  const log = join(dir, 'events.jsonl')
  writeFileSync(log, '')
  const x = await startExporter(['--listen', ':0', '--state-dir', join(dir, 'state'), '--file', log, '--no-gpu'])
  assert.ok(x.port > 0, x.out.stderr)
  assert.match(x.out.stderr, /serving http:\/\/127\.0\.0\.1:\d+\/metrics \(first_start\)/)
  const text = await (await fetch(`http://127.0.0.1:${x.port}/metrics`)).text()
  assert.match(text, /^# TYPE ds01_events_total counter$/m)
  assert.equal((await fetch(`http://127.0.0.1:${x.port}/nothing`)).status, 404)
  x.child.kill('SIGTERM')
  assert.deepEqual(await x.exited, { code: 0, signal: null })
  assert.ok(existsSync(join(dir, 'state', exporterLib.STATE_FILE)))
})
