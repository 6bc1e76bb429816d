// What a bash script pays for its events: shell/ds01_events.sh (queued, the
// default; and DS01_EVENTS_SYNC=1) against the older Python wrapper
// (bench/py_log_event.py, a faithful minimal stand-in: python3 once per event),
// side by side, interleaved (machine load hits all alike), medians of the
// script's wall time from spawn to exit. Between runs the queued wrapper's
// helper is waited for (not counted), and every run's file is checked: all
// events there, in call order. "landed" is how long after the script's exit
// the last event was on disk.
//   node bench/bash.bench.mjs [--quick]     (BENCH_RUNS=N: rounds of the one-event case)
// Goals: one event <= 0.5x the Python wrapper; a 200-event loop <= 0.05x.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const quick = process.argv.includes('--quick')
const oneRuns = Number(process.env.BENCH_RUNS ?? (quick ? 5 : 30))
const loopRuns = quick ? 1 : 5
const LOOP = 200
const dir = mkdtempSync(join(tmpdir(), 'ds01-bash-bench-'))
const runtime = join(dir, 'runtime')
mkdirSync(runtime, { mode: 0o700 })
const wrapper = join(root, 'shell', 'ds01_events.sh')
const python = join(root, 'bench', 'py_log_event.py')

const PREAMBLE = {
  python: `log_event() { python3 ${JSON.stringify(python)} "$@" </dev/null >&2 || true; }`,
  queued: `source ${JSON.stringify(wrapper)}`,
  sync: `DS01_EVENTS_SYNC=1; source ${JSON.stringify(wrapper)}`,
  none: 'log_event() { :; }'
}

function script (kind, events) {
  const path = join(dir, `${kind}-${events}.sh`)
  const body = events === 1
    ? 'log_event gpu.allocate alice bench container=alice-jupyter gpu=0:1 priority=50'
    : `for ((i = 1; i <= ${events}; i++)); do log_event gpu.utilization "" bench i=$i gpu=0 utilization=93; done`
  writeFileSync(path, `#!/usr/bin/env bash\nset -euo pipefail\n${PREAMBLE[kind]}\n${body}\n`)
  return path
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
const spools = join(runtime, `ds01-events-${process.geteuid()}`)

function once (kind, events, round) {
  const file = join(dir, `${kind}-${events}-${round}.jsonl`)
  const env = { ...process.env, DS01_EVENTS_FILE: file, XDG_RUNTIME_DIR: runtime }
  for (const key of Object.keys(env)) if (key.startsWith('DS01_') && key !== 'DS01_EVENTS_FILE') delete env[key]
  const start = process.hrtime.bigint()
  const r = spawnSync('bash', [script(kind, events)], { env, stdio: ['ignore', 'ignore', 'ignore'] })
  const end = process.hrtime.bigint()
  if (r.status !== 0) throw new Error(`${kind} ${events}: exit ${r.status ?? r.signal}`)
  const ms = Number(end - start) / 1e6
  if (kind === 'none') return { ms }
  // every event on disk, in order (the queued helper: wait for it, at most 10 s)
  const deadline = Date.now() + 10_000
  let lines = []
  for (;;) {
    lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []
    if ((lines.length >= events && !existsSync(spools)) || Date.now() > deadline) break
    sleep(2)
  }
  const landed = Number(process.hrtime.bigint() - end) / 1e6
  if (lines.length !== events) throw new Error(`${kind} ${events}: ${lines.length} of ${events} events landed`)
  if (events > 1 && !lines.every((line, i) => JSON.parse(line).details.i === i + 1)) throw new Error(`${kind} ${events}: out of order`)
  rmSync(file)
  return { ms, landed }
}

function measure (kinds, events, runs) {
  const times = Object.fromEntries(kinds.map((k) => [k, []]))
  const landed = Object.fromEntries(kinds.map((k) => [k, []]))
  for (const kind of kinds) once(kind, events, 'warm')
  for (let i = 0; i < runs; i++) {
    for (let k = 0; k < kinds.length; k++) {
      const kind = kinds[(i + k) % kinds.length] // rotate the order each round
      const r = once(kind, events, i)
      times[kind].push(r.ms)
      if (r.landed !== undefined) landed[kind].push(r.landed)
    }
  }
  return { times, landed }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

function report (title, { times, landed }, events) {
  console.log(`\n${title}: script wall time, median of ${times.python.length} interleaved runs (ms)`)
  console.log('wrapper                          median   landed after exit   vs python')
  const base = median(times.python)
  const names = { python: 'python3 per event (older)', queued: 'ds01_events.sh (queued)', sync: 'ds01_events.sh SYNC=1', none: 'bash, no logging' }
  for (const kind of Object.keys(times)) {
    const m = median(times[kind])
    const l = landed[kind].length > 0 ? median(landed[kind]).toFixed(1) : '-'
    console.log(`${names[kind].padEnd(30)} ${m.toFixed(1).padStart(8)} ${l.padStart(19)}   ${(m / base).toFixed(3)}x`)
  }
  console.log(`(${events} event${events === 1 ? '' : 's'} per script; every run's events checked on disk${events > 1 ? ', in order' : ''})`)
  return median(times.queued) / base
}

console.log(`bash wrapper, node ${process.version}, bash ${spawnSync('bash', ['-c', 'echo $BASH_VERSION'], { encoding: 'utf8' }).stdout.trim()}${quick ? ' (quick)' : ''}`)
const one = report('one event', measure(['python', 'queued', 'sync', 'none'], 1, oneRuns), 1)
const loop = report(`a loop of ${LOOP} events`, measure(quick ? ['python', 'queued'] : ['python', 'queued', 'none'], LOOP, loopRuns), LOOP)
console.log(`\none event: queued / python = ${one.toFixed(3)}x (goal <= 0.5x): ${one <= 0.5 ? 'met' : 'NOT met'}`)
console.log(`${LOOP} events: queued / python = ${loop.toFixed(3)}x (goal <= 0.05x): ${loop <= 0.05 ? 'met' : 'NOT met'}`)
rmSync(dir, { recursive: true, force: true })
