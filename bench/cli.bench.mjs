// Start-up cost of one bash event: `ds01-events log` against a bare `node -e 0`,
// interleaved in one run (so machine load hits both alike), medians of wall time.
//   node bench/cli.bench.mjs            (BENCH_RUNS=N for more runs; default 60)
// Goal: log <= 1.25x bare node.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const runs = Number(process.env.BENCH_RUNS ?? 60)
const dir = mkdtempSync(join(tmpdir(), 'ds01-cli-bench-'))
const file = join(dir, 'events.jsonl')
const env = { ...process.env, DS01_EVENTS_FILE: file }
const cli = join(root, 'bin', 'ds01-events.js')
const wrapper = join(root, 'shell', 'ds01_events.sh')

const CASES = [
  ['node -e 0', process.execPath, ['-e', '0']],
  ['ds01-events --version', process.execPath, [cli, '--version']],
  ['ds01-events log', process.execPath, [cli, 'log', 'gpu.allocate', 'user=alice', 'source=bench', 'container=alice-jupyter', 'gpu=0:1', 'priority=50']],
  // synchronous: the CLI's start-up through the wrapper (queued events: bench/bash.bench.mjs)
  ['bash log_event (SYNC=1)', 'bash', ['-c', `DS01_EVENTS_SYNC=1; source ${wrapper}; log_event gpu.allocate alice bench container=alice-jupyter gpu=0:1 priority=50`]],
  ['bash -c true', 'bash', ['-c', 'true']]
]

function once (command, args) {
  const start = process.hrtime.bigint()
  const r = spawnSync(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] })
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${r.stderr}`)
  return ms
}

const times = CASES.map(() => [])
for (let i = 0; i < 3; i++) for (const [, command, args] of CASES) once(command, args) // warm the page cache
for (let i = 0; i < runs; i++) {
  // rotate the order each round so no case always follows another
  for (let k = 0; k < CASES.length; k++) {
    const c = (i + k) % CASES.length
    times[c].push(once(CASES[c][1], CASES[c][2]))
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]
const bare = median(times[0])
console.log(`CLI start-up, ${runs} interleaved runs each, node ${process.version}, wall time (ms)`)
console.log('case                        median     p10     p90   vs node -e 0')
CASES.forEach(([name], i) => {
  const m = median(times[i])
  console.log(`${name.padEnd(26)} ${m.toFixed(1).padStart(7)} ${quantile(times[i], 0.1).toFixed(1).padStart(7)} ${quantile(times[i], 0.9).toFixed(1).padStart(7)}   ${(m / bare).toFixed(2)}x`)
})
const ratio = median(times[2]) / bare
console.log(`\nds01-events log / node -e 0 = ${ratio.toFixed(2)}x (goal <= 1.25x): ${ratio <= 1.25 ? 'met' : 'NOT met'}`)
const logged = readFileSync(file, 'utf8').trim().split('\n').length
console.log(`events written: ${logged} (expected ${(runs + 3) * 2})`)
rmSync(dir, { recursive: true, force: true })
