// Compares the synchronous append of two builds of the addon, e.g. before and
// after a change to native/ (not part of `npm run bench`):
//   git show main:prebuilds/linux-x64/ds01-events.glibc.node > /tmp/ds01-before.node
//   node bench/compare-addons.mjs /tmp/ds01-before.node prebuilds/linux-x64/ds01-events.glibc.node
// Medians of interleaved rounds (the order alternates), ns per append of one line.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const [before, after] = process.argv.slice(2).map((p) => resolve(p))
if (after === undefined) {
  console.error('usage: node bench/compare-addons.mjs BEFORE.node AFTER.node')
  process.exit(2)
}
const load = (path) => {
  const m = { exports: {} }
  process.dlopen(m, path)
  return m.exports
}
const builds = [['before', load(before)], ['after', load(after)]]
const dir = mkdtempSync(join(tmpdir(), 'ds01-bench-'))
const line = JSON.stringify({ timestamp: '2026-01-30T14:30:00.000000Z', event_type: 'gpu.utilization', schema_version: '1', details: { gpu_index: 0, pad: 'x'.repeat(250) } }) + '\n'
const EVENTS = 20000
const ROUNDS = 9
const times = { before: [], after: [] }
let stats
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, binding] of round % 2 ? builds.slice().reverse() : builds) {
    const path = join(dir, `${name}-${round}.jsonl`)
    const w = new binding.Writer(path, 100)
    w.append(line) // open outside the timing
    const started = process.hrtime.bigint()
    for (let n = 0; n < EVENTS; n++) w.append(line)
    times[name].push(Number(process.hrtime.bigint() - started) / EVENTS)
    if (name === 'after') stats = w.stats()
    w.close()
    rmSync(path)
  }
}
rmSync(dir, { recursive: true })
const median = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1]
console.log(`append of a ${line.length}-byte line, ${EVENTS} per round, ${ROUNDS} interleaved rounds (median ns): ` +
  `before ${median(times.before).toFixed(0)}, after ${median(times.after).toFixed(0)}, ratio ${(median(times.after) / median(times.before)).toFixed(3)}`)
console.log('after, last round stats:', JSON.stringify(stats))
