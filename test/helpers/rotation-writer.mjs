// A writer for the rotation test, run as a non-root docker member:
//   node rotation-writer.mjs <sync|batched> <package root> <stop file> <report file> <name>
// Logs test.selftest events {writer: name, seq} in bursts until the stop file
// appears, then writes a JSON report of the seqs it was told were logged.
// The JavaScript fallback is this with DS01_EVENTS_NATIVE=0 in the environment.
import { createRequire } from 'node:module'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

const [mode, pkg, stopFile, reportFile, name] = process.argv.slice(2)
const lib = createRequire(import.meta.url)(join(pkg, 'dist', 'index.js'))
// Paced by default (about 2,000 events a second); the stress run sets 0 ms.
const BURST = Number(process.env.ROTATION_WRITER_BURST ?? 20)
const PAUSE_MS = Number(process.env.ROTATION_WRITER_PAUSE_MS ?? 8)

const batched = mode === 'batched' ? lib.createEventLog({ batch: { maxEvents: 64, maxDelayMs: 20 } }) : undefined
const logged = []
let seq = 0
while (!existsSync(stopFile)) {
  for (let i = 0; i < BURST; i++) {
    seq++
    const fields = { source: 'rotation-test', result: 'ok', writer: name, seq }
    const ok = batched !== undefined ? batched.log('test.selftest', fields) : lib.logEvent('test.selftest', fields)
    if (ok) logged.push(seq)
  }
  await sleep(PAUSE_MS)
}
const report = { name, mode, native: lib.nativeFailure() === undefined, attempted: seq, logged }
if (batched !== undefined) {
  report.flushed = batched.flush()
  report.stats = batched.stats()
  batched.close()
}
writeFileSync(reportFile, JSON.stringify(report))
