// `ds01-events query` against jq doing the same selection and grep -c with the
// same literal strings, on a generated log: 1,000,000 events over 30 days
// (about 230 MB), and the same events as rotated generations (.1 plain, .2.gz ...).
// Each round runs every command once, in a rotating order; medians of wall time.
//   npm run bench                      (BENCH_ONLY=query for this one alone)
//   node bench/query.bench.mjs --quick (100,000 events, 1 round: a smoke run)
// Goals (issue 9): filtered query <= 0.1x jq and <= 3x grep -c; --since "1 hour ago"
// bounded by start-up; --summary <= 0.1x jq; memory flat in the file's size.
import { spawnSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, rmSync, statSync, utimesSync, writeSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

const quick = process.argv.includes('--quick')
const EVENTS = quick ? 100_000 : 1_000_000
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (quick ? 1 : 5))
const DAYS = 30
const PIECES = 10 // rotated generations of 3 days each: current, .1, .2.gz ... .9.gz
const root = new URL('..', import.meta.url).pathname
const cli = join(root, 'bin', 'ds01-events.js')
const dir = mkdtempSync(join(tmpdir(), 'ds01-query-bench-'))
const cleanup = () => rmSync(dir, { recursive: true, force: true })
process.on('exit', cleanup)
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130))

for (const tool of ['jq', 'grep', '/usr/bin/time']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
    console.log(`${tool} is not installed (apt-get install jq time): the comparison needs it`)
    process.exit(1)
  }
}

// ---- the generated log ---------------------------------------------------
const USERS = Array.from({ length: 40 }, (_, i) => `user${String(i).padStart(2, '0')}`)
const TYPES = [
  ['container.create', 8], ['container.start', 10], ['container.stop', 10], ['container.remove', 6],
  ['gpu.allocate', 10], ['gpu.release', 9], ['gpu.reject', 2], ['gpu.hold', 1],
  ['health.check', 12], ['monitor.idle_detect', 6], ['monitor.gpu_stale', 2], ['docker.intercept', 14],
  ['auth.sudo_grant', 3], ['detection.container_discovered', 4], ['admin.config_change', 1], ['system.startup', 2]
]
const WEIGHTED = TYPES.flatMap(([t, w]) => Array(w).fill(t))
let seed = 42
const rand = (n) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n }

function detailsFor (type, user) {
  const container = `${user}-${['jupyter', 'train', 'eval', 'dev'][rand(4)]}-${rand(100)}`
  switch (type.split('.')[0]) {
    case 'gpu': return { container, gpu: rand(3) === 0 ? `${rand(8)}:${rand(4)}` : rand(8), priority: rand(100), container_type: 'devcontainer', reason: 'user request' }
    case 'container': return { container, interface: 'docker', image: `ds01/pytorch:2.${rand(5)}-cuda12`, gpu: rand(8), reason: 'user request' }
    case 'health': return { status: 'ok', checks_passed: 12, checks_failed: 0, message: 'all subsystems nominal on this host' }
    case 'monitor': return { container, idle_duration: `${rand(48)}h`, gpu: rand(8) }
    case 'docker': return { command: `docker run --gpus device=${rand(8)} -it --rm ds01/pytorch:latest python train.py`, container_type: 'devcontainer' }
    case 'auth': return { command: '/usr/bin/nvidia-smi -r' }
    case 'detection': return { container_id: Math.abs(seed).toString(16).padStart(12, '0'), name: container, origin: 'docker', has_gpu: true, image: 'ds01/base:latest' }
    default: return { component: 'ds01-allocator', field: 'max_gpus', old_value: 2, new_value: 4 }
  }
}

const now = Date.now()
const start = now - DAYS * 86_400_000
const step = (now - start) / EVENTS
const current = join(dir, 'events.jsonl')
const generated = Date.now()
const lines = new Array(EVENTS)
for (let i = 0; i < EVENTS; i++) {
  // concurrent writers: a few ms of disorder
  const t = start + i * step - rand(5)
  const type = WEIGHTED[rand(WEIGHTED.length)]
  const user = USERS[rand(USERS.length)]
  const ts = new Date(t).toISOString().replace('Z', `${String(rand(1000)).padStart(3, '0')}Z`)
  lines[i] = `{"timestamp":"${ts}","event_type":"${type}","schema_version":"1","user":"${user}","source":"ds01-${type.split('.')[0]}","details":${JSON.stringify(detailsFor(type, user))}}\n`
}
const fd = openSync(current, 'w')
for (let i = 0; i < EVENTS; i += 10_000) writeSync(fd, lines.slice(i, i + 10_000).join(''))
closeSync(fd)
const rotatedDir = join(dir, 'rotated')
spawnSync('mkdir', [rotatedDir])
const per = Math.ceil(EVENTS / PIECES)
for (let p = 0; p < PIECES; p++) {
  const gen = PIECES - 1 - p // oldest piece gets the highest number
  const text = lines.slice(p * per, (p + 1) * per).join('')
  const base = join(rotatedDir, 'events.jsonl')
  const file = gen === 0 ? base : gen === 1 ? `${base}.1` : `${base}.${gen}.gz`
  writeFileSync(file, gen < 2 ? text : gzipSync(text))
  // as logrotate leaves them: a rotated file keeps the mtime of its last write (compress too)
  const last = new Date(start + (Math.min((p + 1) * per, EVENTS) - 1) * step)
  if (gen > 0) utimesSync(file, last, last)
}
lines.length = 0
const size = statSync(current).size
console.log(`generated ${EVENTS.toLocaleString('en')} events over ${DAYS} days: ${(size / 1e6).toFixed(0)} MB in ${((Date.now() - generated) / 1000).toFixed(1)} s (+ the same as ${PIECES} rotated generations, 8 gzipped)`)

// ---- the queries -----------------------------------------------------------
const since5d = new Date(now - 5 * 86_400_000).toISOString().replace('Z', '000Z')
const since1h = new Date(now - 3_600_000).toISOString().replace('Z', '000Z')
const U = 'user07'
const q = (args) => `node ${cli} ${args}`
const rotatedFiles = `$(ls -r ${rotatedDir}/events.jsonl.*.gz) ${rotatedDir}/events.jsonl.1 ${rotatedDir}/events.jsonl`
const CASES = [
  {
    title: `filtered: --type gpu --user ${U} --since (5 days back) --all --json`,
    ours: q(`--file ${current} --type gpu --user ${U} --since ${since5d} --all --json`),
    jq: `jq -c 'select((.event_type|startswith("gpu")) and .user == "${U}" and .timestamp >= "${since5d}")' ${current}`,
    grep: `grep -F '"user":"${U}"' ${current} | grep -c -F '"event_type":"gpu'`
  },
  {
    title: '--since "1 hour ago" --all --json',
    ours: q(`--file ${current} --since '1 hour ago' --all --json`),
    jq: `jq -c 'select(.timestamp >= "${since1h}")' ${current}`,
    startup: q('--version')
  },
  {
    title: '--summary --json over every event',
    ours: q(`--file ${current} --summary --json`),
    jq: `jq -c -n 'reduce inputs as $e ({}; .t[$e.event_type] += 1 | .u[$e.user // "(none)"] += 1 | .s[$e.source // "(none)"] += 1 | .d[$e.timestamp[0:10]] += 1)' ${current}`
  },
  {
    title: `rotated + .gz: --type gpu --user ${U} --since (5 days back) --all --json`,
    ours: q(`--file ${rotatedDir}/events.jsonl --type gpu --user ${U} --since ${since5d} --all --json`),
    jq: `zcat -f ${rotatedFiles} | jq -c 'select((.event_type|startswith("gpu")) and .user == "${U}" and .timestamp >= "${since5d}")'`
  },
  {
    title: 'rotated + .gz: --summary --json over every event',
    ours: q(`--file ${rotatedDir}/events.jsonl --summary --json`),
    jq: `zcat -f ${rotatedFiles} | jq -c -n 'reduce inputs as $e ({}; .t[$e.event_type] += 1 | .u[$e.user // "(none)"] += 1 | .s[$e.source // "(none)"] += 1 | .d[$e.timestamp[0:10]] += 1)'`
  }
]

/** Wall ms and max RSS (KiB) of a shell command, output to /dev/null. */
function run (command) {
  const t0 = process.hrtime.bigint()
  const r = spawnSync('/usr/bin/time', ['-f', '%M', 'bash', '-o', 'pipefail', '-c', `${command} > /dev/null`], { encoding: 'utf8' })
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  if (r.status !== 0 && !(command.startsWith('grep') && r.status === 1)) throw new Error(`failed (${r.status}): ${command}\n${r.stderr}`)
  const rss = Number(r.stderr.trim().split('\n').pop())
  return { ms, rss }
}

function outputOf (command) {
  return spawnSync('bash', ['-o', 'pipefail', '-c', command], { encoding: 'utf8', maxBuffer: 1 << 30 }).stdout
}

// the same selection: ours and jq print the same lines (the relative WHEN moves on: compared as ISO)
for (const c of CASES.slice(0, 2)) {
  const ours = outputOf(c.ours.replace(`'1 hour ago'`, since1h))
  const theirs = outputOf(c.jq)
  if (ours !== theirs) throw new Error(`${c.title}: the query and jq disagree (${ours.split('\n').length} vs ${theirs.split('\n').length} lines)`)
}
const summaryOurs = JSON.parse(outputOf(CASES[2].ours))
console.log(`checked: the query prints what jq prints; the summary counts ${summaryOurs.total.toLocaleString('en')} events`)

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const commands = CASES.flatMap((c, i) => ['ours', 'jq', 'grep', 'startup'].filter((k) => c[k] !== undefined).map((k) => ({ key: `${i}.${k}`, command: c[k] })))
const samples = new Map(commands.map((c) => [c.key, []]))
for (let round = 0; round < ROUNDS; round++) {
  for (let k = 0; k < commands.length; k++) {
    const c = commands[(round + k) % commands.length]
    samples.get(c.key).push(run(c.command))
  }
}
const ms = (key) => median(samples.get(key).map((s) => s.ms))
const rss = (key) => Math.max(...samples.get(key).map((s) => s.rss)) / 1024

console.log(`\n${ROUNDS} interleaved round(s), node ${process.version}, ${jqVersion()}, medians of wall time (ms); RSS = max resident MiB`)
const goals = []
CASES.forEach((c, i) => {
  const ours = ms(`${i}.ours`)
  const jq = ms(`${i}.jq`)
  console.log(`\n${c.title}`)
  console.log(`  ds01-events  ${ours.toFixed(0).padStart(7)} ms  RSS ${rss(`${i}.ours`).toFixed(0)} MiB`)
  console.log(`  jq           ${jq.toFixed(0).padStart(7)} ms  -> query/jq = ${(ours / jq).toFixed(3)}x`)
  if (c.grep !== undefined) {
    const grep = ms(`${i}.grep`)
    console.log(`  grep -c      ${grep.toFixed(0).padStart(7)} ms  -> query/grep = ${(ours / grep).toFixed(2)}x`)
    if (i === 0) goals.push(['filtered <= 3x grep -c', ours / grep <= 3])
  }
  if (c.startup !== undefined) {
    const st = ms(`${i}.startup`)
    console.log(`  start-up (ds01-events --version) ${st.toFixed(0)} ms -> query/start-up = ${(ours / st).toFixed(2)}x`)
    goals.push(['--since "1 hour ago" <= 2x start-up', ours / st <= 2])
  }
  if (i === 0) goals.push(['filtered <= 0.1x jq', ours / jq <= 0.1])
  if (i === 2) goals.push(['--summary <= 0.1x jq', ours / jq <= 0.1])
})

// memory flat in the file's size: the summary of the whole file against a tenth of it
const tenth = join(dir, 'tenth.jsonl')
spawnSync('bash', ['-c', `head -n ${EVENTS / 10} ${current} > ${tenth}`])
const small = run(q(`--file ${tenth} --summary --json`)).rss / 1024
const smallAll = run(q(`--file ${tenth} --all --json`)).rss / 1024
const bigAll = run(q(`--file ${current} --all --json`)).rss / 1024
console.log(`\nmemory (max RSS): --summary ${small.toFixed(0)} MiB on ${(size / 10e6).toFixed(0)} MB, ${rss('2.ours').toFixed(0)} MiB on ${(size / 1e6).toFixed(0)} MB; --all --json ${smallAll.toFixed(0)} MiB vs ${bigAll.toFixed(0)} MiB`)
goals.push(['memory flat (10x the file, < 1.5x the RSS)', rss('2.ours') < 1.5 * small && bigAll < 1.5 * smallAll])

console.log(quick ? '\ngoals (--quick: a small file, where start-up dominates; the goals are set for the full size):' : '\ngoals:')
for (const [goal, met] of goals) console.log(`  ${goal}: ${met ? 'met' : 'NOT met'}`)

function jqVersion () {
  return spawnSync('jq', ['--version'], { encoding: 'utf8' }).stdout.trim()
}
