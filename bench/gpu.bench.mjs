// `ds01-events gpu usage --since '1 day ago'` on a generated day of 8 GPUs
// sampled every second (691,200 samples in the agent's shape, over
// gpu-utilization.jsonl.2.gz, .1 and the current file), against one jq pass
// over the same files (`jq -c 'select(.details.gpu_util_percent < 5)'`) and the
// floor, a bare line count (`zcat -f ... | wc -l`). Medians of wall time over
// interleaved rounds; max RSS of our run.
//   npm run bench                    (BENCH_ONLY=gpu for this one alone)
//   node bench/gpu.bench.mjs --quick (2 hours of 8 GPUs, 1 round: a smoke run)
// Goals (issue 16): <= 0.25x jq; max RSS <= 200 MB.
import { spawnSync } from 'node:child_process'
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const quick = process.argv.includes('--quick')
const GPUS = 8
const SECONDS = quick ? 2 * 3600 : 86_400
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (quick ? 1 : 3))
const root = new URL('..', import.meta.url).pathname
const cli = join(root, 'bin', 'ds01-events.js')
const keep = process.env.BENCH_GPU_KEEP // a directory to leave the generated logs in (for profiling)
const dir = keep ?? mkdtempSync(join(tmpdir(), 'ds01-gpu-bench-'))
if (keep === undefined) process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
else mkdirSync(dir, { recursive: true })
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130))

for (const tool of ['jq', 'zcat', 'wc', '/usr/bin/time']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
    console.log(`${tool} is not installed (apt-get install jq time gzip): the comparison needs it`)
    process.exit(1)
  }
}

// ---- the generated logs ----------------------------------------------------
let seed = 16
const rand = (n) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return (seed >>> 8) % n }
const ts = (ms) => new Date(ms).toISOString().replace('Z', '000Z')
const end = Math.floor(Date.now() / 1000) * 1000
const start = end - SECONDS * 1000
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina', 'henry']

// allocations: each GPU changes hands every few hours; some are idle (a forgotten notebook)
const events = []
const idleOf = []
for (let g = 0; g < GPUS; g++) {
  let t = start - 3_600_000 - rand(3_600_000)
  const spans = []
  while (t < end) {
    const user = USERS[rand(USERS.length)]
    const container = `${user}-${['jupyter', 'train', 'eval'][rand(3)]}-${rand(100)}`
    const length = 1_800_000 + rand(4 * 3_600_000)
    events.push([t, `{"timestamp":"${ts(t)}","event_type":"${rand(2) ? 'gpu.allocate' : 'gpu.allocated'}","schema_version":"1","user":"${user}","source":"gpu-allocator","details":{"container":"${container}","gpu":"${g}","priority":50}}`])
    const stop = t + length
    if (stop < end) events.push([stop, `{"timestamp":"${ts(stop)}","event_type":"gpu.release","schema_version":"1","user":"${user}","source":"gpu-allocator","details":{"container":"${container}","gpu":"${g}","reason":"done"}}`])
    spans.push([t, stop, rand(3) === 0])
    t = stop + rand(1_800_000)
  }
  idleOf.push(spans)
}
events.sort((a, b) => a[0] - b[0])
writeFileSync(join(dir, 'events.jsonl'), events.map((e) => e[1]).join('\n') + '\n')

const gpuLog = join(dir, 'gpu-utilization.jsonl')
const uuid = (g) => `GPU-9e3779b1-79b1-3779-9e37-${String(g).padStart(12, '0')}`
const generated = Date.now()
const third = Math.ceil(SECONDS / 3)
let total = 0
for (const [piece, name] of [[0, `${gpuLog}.2`], [1, `${gpuLog}.1`], [2, gpuLog]]) {
  const fd = openSync(name, 'w')
  let chunk = []
  for (let s = piece * third; s < Math.min(SECONDS, (piece + 1) * third); s++) {
    const t = start + s * 1000
    for (let g = 0; g < GPUS; g++) {
      const span = idleOf[g].find((x) => x[0] <= t && t < x[1])
      const util = span === undefined || span[2] ? rand(4) : 30 + rand(70)
      const at = t + g * 3 + rand(2) // the agent stamps each GPU's line a few ms apart
      chunk.push(`{"timestamp":"${ts(at)}","event_type":"gpu.utilization","schema_version":"1","source":"gpu-monitor","details":{"gpu_index":${g},"gpu_uuid":"${uuid(g)}","name":"NVIDIA H100 80GB HBM3","gpu_util_percent":${util},"mem_util_percent":${rand(60)},"mem_used_mb":${1000 + rand(70000)},"mem_total_mb":81559,"temperature_c":${30 + rand(40)},"power_w":${(60 + rand(6000) / 10).toFixed(2)}}}\n`)
      total++
    }
    if (chunk.length >= 8000) { writeSync(fd, chunk.join('')); chunk = [] }
  }
  writeSync(fd, chunk.join(''))
  closeSync(fd)
}
const plainBytes = [`${gpuLog}.2`, `${gpuLog}.1`, gpuLog].reduce((n, f) => n + statSync(f).size, 0)
spawnSync('gzip', ['-f', `${gpuLog}.2`])
console.log(`generated ${total.toLocaleString('en')} samples of ${GPUS} GPUs at 1 s (${(plainBytes / 1e6).toFixed(0)} MB as text, over .2.gz, .1 and the current file) and ${events.length} allocation events in ${((Date.now() - generated) / 1000).toFixed(1)} s`)

// ---- the commands ------------------------------------------------------------
const files = `${gpuLog}.2.gz ${gpuLog}.1 ${gpuLog}`
const env = `DS01_EVENTS_FILE=${join(dir, 'events.jsonl')} DS01_GPU_UTILIZATION_FILE=${gpuLog}`
const since = quick ? "'2 hours ago'" : "'1 day ago'"
const COMMANDS = {
  ours: `${env} node ${cli} gpu usage --since ${since} --json`,
  jq: `zcat -f ${files} | jq -c 'select(.details.gpu_util_percent < 5)'`,
  floor: `zcat -f ${files} | wc -l`,
  startup: `node ${cli} --version`
}

/** Wall ms and max RSS (KiB) of a shell command, output to /dev/null. */
function run (command) {
  const t0 = process.hrtime.bigint()
  const r = spawnSync('/usr/bin/time', ['-f', '%M', 'bash', '-o', 'pipefail', '-c', `${command} > /dev/null`], { encoding: 'utf8' })
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  if (r.status !== 0) throw new Error(`failed (${r.status}): ${command}\n${r.stderr}`)
  return { ms, rss: Number(r.stderr.trim().split('\n').pop()) }
}

// what it answers: every GPU-second of the window allocated, all of it sampled
const answer = JSON.parse(spawnSync('bash', ['-c', COMMANDS.ours], { encoding: 'utf8', maxBuffer: 1 << 26 }).stdout)
const sum = (k) => answer.rows.reduce((n, r) => n + r[k], 0)
console.log(`answer: ${answer.rows.length} users, ${sum('allocated_hours').toFixed(1)} GPU-hours allocated: ${sum('busy_hours').toFixed(1)} busy, ${sum('idle_hours').toFixed(1)} idle, ${sum('unknown_hours').toFixed(2)} unknown`)
const lines = Number(spawnSync('bash', ['-c', COMMANDS.floor], { encoding: 'utf8' }).stdout.trim())
if (lines !== total) throw new Error(`the files hold ${lines} lines, not ${total}`)

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const keys = Object.keys(COMMANDS)
const samples = Object.fromEntries(keys.map((k) => [k, []]))
for (let round = 0; round < ROUNDS; round++) {
  for (let i = 0; i < keys.length; i++) {
    const k = keys[(round + i) % keys.length]
    samples[k].push(run(COMMANDS[k]))
  }
}
const ms = (k) => median(samples[k].map((s) => s.ms))
const rss = (k) => Math.max(...samples[k].map((s) => s.rss)) / 1024
const jqVersion = spawnSync('jq', ['--version'], { encoding: 'utf8' }).stdout.trim()
console.log(`\n${ROUNDS} interleaved round(s), node ${process.version}, ${jqVersion}, medians of wall time; RSS = max resident MiB`)
console.log(`  gpu usage --since ${since}  ${ms('ours').toFixed(0).padStart(6)} ms  RSS ${rss('ours').toFixed(0)} MiB`)
console.log(`  jq, one pass              ${ms('jq').toFixed(0).padStart(6)} ms  -> usage/jq = ${(ms('ours') / ms('jq')).toFixed(3)}x`)
console.log(`  floor: zcat -f | wc -l    ${ms('floor').toFixed(0).padStart(6)} ms  -> usage/floor = ${(ms('ours') / ms('floor')).toFixed(2)}x`)
console.log(`  start-up (--version)      ${ms('startup').toFixed(0).padStart(6)} ms`)
console.log(quick ? '\ngoals (--quick: a small day, where start-up dominates; the goals are set for the full size):' : '\ngoals:')
console.log(`  usage <= 0.25x jq: ${ms('ours') / ms('jq') <= 0.25 ? 'met' : 'NOT met'}`)
console.log(`  max RSS <= 200 MB: ${rss('ours') * 1024 * 1024 <= 200e6 ? 'met' : 'NOT met'}`)
