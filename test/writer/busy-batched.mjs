// A busy batched writer for kill-loop.test.mjs, killed by the test: it says
// "ready" once its first batch is on disk, then writes until it dies.
//   events: logs large events through the batched mode (createEventLog) in a
//           loop. Building them costs far more than writing them, so a kill
//           rarely lands inside a write(2).
//   lines:  hands the writer's appendAsync (the batched mode's write path) the
//           same prebuilt 4 MB batch of event lines again and again, so the
//           thread pool is nearly always inside a write of ~1,000 pages and a
//           kill usually cuts one.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { createEventLog, openWriter } = require('../../dist/index.js')
const [path, run, mode] = process.argv.slice(2)
const pad = 'p'.repeat(1000)

if (mode === 'events') {
  const log = createEventLog({ path, batch: { maxEvents: 2048 } })
  let seq = 0
  while (seq < 2048) log.log('test.selftest', { user: 'ds01kill', run: Number(run), seq: seq++, pad })
  log.flush()
  process.stdout.write('ready\n')
  for (;;) log.log('test.selftest', { user: 'ds01kill', run: Number(run), seq: seq++, pad })
} else {
  const w = openWriter(path)
  const lines = []
  for (let seq = 0; seq < 3700; seq++) {
    lines.push(JSON.stringify({ timestamp: new Date().toISOString().replace('Z', '000Z'), event_type: 'test.selftest', schema_version: '1', user: 'ds01kill', details: { run: Number(run), seq, pad } }))
  }
  const batch = Buffer.from(lines.join('\n') + '\n')
  if (w.append(batch) !== null) throw new Error('the first batch did not land')
  process.stdout.write('ready\n')
  // Two batches in flight at a time, each one's callback hands over the next:
  // the pool never waits for the main thread.
  const again = () => w.appendAsync(batch, again)
  again()
  again()
}
