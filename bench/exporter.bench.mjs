// The exporter's cost (`ds01-events exporter`, the CLI process, measured from /proc):
//  1. CPU: 1,000 events a second into the event log and 8 GPUs at 20 Hz (160 samples a
//     second) into the GPU log, written in 100 ms bursts, scraped every 15 s; CPU time
//     (user + system, all threads) of the exporter alone over the window after a warm-up,
//     as a share of one core. Goal: <= 1 %.
//  2. Scrape: 1,000+ series of ds01_events_total (200 made-up types x 5 sources, plus the
//     registry's); the median wall time of a GET /metrics over HTTP (200 in a row).
//     Goal: <= 10 ms.
//  3. Memory over a compressed day: a day of timestamps (the GPU log's 691,200 samples of
//     8 GPUs at 1 s, and events), written as fast as it reads them, rotated (renamed,
//     compressed) every quarter; its heap and RSS at each tenth. Goal: flat (the last
//     tenth's heap within 10 MiB of the first's).
// Usage: node bench/exporter.bench.mjs [--quick]   (DS01_EXPORTER_BENCH_SECONDS=N for part 1)
import { spawn, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { gzipSync } from 'node:zlib'

const ROOT = path.join(new URL('.', import.meta.url).pathname, '..')
const CLI = path.join(ROOT, 'bin', 'ds01-events.js')
const quick = process.argv.includes('--quick')
const SECONDS = Number(process.env.DS01_EXPORTER_BENCH_SECONDS ?? (quick ? 8 : 30))
const WARMUP_MS = 3000
const ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
let failed = false

function cpuSeconds (pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond
}

function rssMiB (pid) {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match === null ? NaN : Number(match[1]) / 1024
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] }

let seq = 0
function ts (ms) {
  seq = (seq + 1) % 1000
  return new Date(ms).toISOString().replace('Z', `${String(seq).padStart(3, '0')}Z`)
}
const TYPES = ['container.create', 'container.start', 'gpu.allocate', 'gpu.release', 'monitor.idle_detect', 'maintenance.idle_kill', 'docker.intercept', 'health.check']
function eventLine (ms, i) {
  return `{"timestamp":"${ts(ms)}","event_type":"${TYPES[i % TYPES.length]}","schema_version":"1","user":"user${i % 13}","source":"src${i % 5}","details":{"container":"c${i % 40}","gpu":"${i % 8}"}}\n`
}
function sampleLine (ms, gpu) {
  return `{"timestamp":"${ts(ms)}","event_type":"gpu.utilization","schema_version":"1","source":"gpu-monitor","details":{"gpu_index":${gpu},"gpu_uuid":"GPU-9e3779b1-79b1-3779-9e37-0000c5e6902${gpu}","name":"NVIDIA H100 80GB HBM3","gpu_util_percent":${(gpu * 7 + seq) % 100},"mem_util_percent":3,"mem_used_mb":98,"mem_total_mb":81559,"temperature_c":31,"power_w":81.37}}\n`
}

async function startExporter (dir) {
  const events = path.join(dir, 'events.jsonl')
  const gpu = path.join(dir, 'gpu-utilization.jsonl')
  if (!fs.existsSync(events)) fs.writeFileSync(events, '')
  if (!fs.existsSync(gpu)) fs.writeFileSync(gpu, '')
  const child = spawn(process.execPath, [...(process.env.DS01_EXPORTER_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean), CLI, 'exporter', '--listen', '127.0.0.1:0', '--state-dir', path.join(dir, 'state'), '--file', events, '--gpu-file', gpu], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DS01_EVENTS_FILE: '', DS01_GPU_UTILIZATION_FILE: '' } })
  let stderr = ''
  const port = await new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (s) => {
      stderr += s
      const m = /serving http:\/\/[^ ]*:(\d+)\/metrics/.exec(stderr)
      if (m !== null) resolve(Number(m[1]))
    })
    child.once('exit', () => reject(new Error(`the exporter exited: ${stderr}`)))
  })
  const scrape = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
  const stop = async () => {
    child.kill('SIGTERM')
    await new Promise((resolve) => child.exitCode !== null ? resolve() : child.once('exit', resolve))
  }
  return { child, port, events, gpu, scrape, stop }
}

function sampleValue (text, name) {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text)
  return m === null ? NaN : Number(m[1])
}
function eventsTotal (text) {
  let n = 0
  for (const m of text.matchAll(/^ds01_events_total\{[^}]*\} (\d+)$/gm)) n += Number(m[1])
  return n
}

/** The floor: a bare Node process reading the same two files every 500 ms (no parsing, no HTTP), as a share of a core. */
const FLOOR = `
const fs = require('node:fs')
const [a, b] = process.argv.slice(1)
const at = [fs.statSync(a).size, fs.statSync(b).size]
const buf = Buffer.allocUnsafe(1 << 20)
setInterval(() => {
  [a, b].forEach((p, i) => {
    const fd = fs.openSync(p, 'r')
    for (;;) { const n = fs.readSync(fd, buf, 0, buf.length, at[i]); if (n === 0) break; at[i] += n }
    fs.closeSync(fd)
  })
}, 500)
`

async function cpuPart (dir, floor = false) {
  const x = floor ? await startFloor(dir) : await startExporter(dir)
  let written = 0
  let writing = true
  const writer = (async () => {
    let next = Date.now()
    while (writing) {
      const now = Date.now()
      let ev = ''
      for (let i = 0; i < 100; i++) ev += eventLine(now, written + i)
      let gpu = ''
      for (let r = 0; r < 2; r++) for (let g = 0; g < 8; g++) gpu += sampleLine(now, g)
      fs.appendFileSync(x.events, ev)
      fs.appendFileSync(x.gpu, gpu)
      written += 100 + 16
      next += 100
      await sleep(Math.max(0, next - Date.now()))
    }
  })()
  try {
    await sleep(WARMUP_MS)
    await x.scrape()
    const cpu0 = cpuSeconds(x.child.pid)
    const t0 = process.hrtime.bigint()
    const end = Date.now() + SECONDS * 1000
    while (Date.now() < end) {
      await sleep(Math.min(15_000, end - Date.now()))
      await x.scrape()
    }
    const wall = Number(process.hrtime.bigint() - t0) / 1e9
    const share = (cpuSeconds(x.child.pid) - cpu0) / wall * 100
    writing = false
    await writer
    if (floor) {
      console.log(`cpu floor: ${share.toFixed(2)} % of a core for a bare Node process reading the same files every 500 ms (no parsing)`)
      return
    }
    let total = 0
    for (let i = 0; i < 100 && total !== written; i++) { total = eventsTotal(await x.scrape()); await sleep(100) }
    console.log(`cpu: ${share.toFixed(2)} % of a core over ${wall.toFixed(1)} s at 1,000 events/s + 8 GPUs at 20 Hz (goal <= 1 %); ` +
      `counted ${total} of ${written} lines written (exact: ${total === written}); RSS ${rssMiB(x.child.pid).toFixed(0)} MiB`)
    if (total !== written || share > 1) failed = true
  } finally {
    writing = false
    await writer
    await x.stop()
  }
}

async function startFloor (dir) {
  const events = path.join(dir, 'events.jsonl')
  const gpu = path.join(dir, 'gpu-utilization.jsonl')
  fs.writeFileSync(events, '')
  fs.writeFileSync(gpu, '')
  const child = spawn(process.execPath, ['-e', FLOOR, events, gpu], { stdio: 'ignore' })
  return { child, events, gpu, scrape: async () => '', stop: async () => { child.kill(); await new Promise((resolve) => child.exitCode !== null ? resolve() : child.once('exit', resolve)) } }
}

async function scrapePart (dir) {
  const x = await startExporter(dir)
  try {
    let text = ''
    for (let t = 0; t < 200; t++) for (let s = 0; s < 5; s++) text += `{"timestamp":"${ts(Date.now())}","event_type":"made.up${t}","schema_version":"1","source":"s${s}"}\n`
    fs.appendFileSync(x.events, text)
    let series = 0
    for (let i = 0; i < 200; i++) {
      const body = await x.scrape()
      series = (body.match(/^ds01_events_total\{/gm) ?? []).length
      if (eventsTotal(body) === 1000) break
      await sleep(100)
    }
    for (let i = 0; i < 20; i++) await x.scrape() // warm
    const times = []
    for (let i = 0; i < 200; i++) {
      const t0 = process.hrtime.bigint()
      await x.scrape()
      times.push(Number(process.hrtime.bigint() - t0) / 1e6)
    }
    const sorted = [...times].sort((a, b) => a - b)
    console.log(`scrape: ${series} series of ds01_events_total; median ${median(times).toFixed(2)} ms, p95 ${sorted[Math.floor(sorted.length * 0.95)].toFixed(2)} ms over 200 (goal: median <= 10 ms)`)
    if (median(times) > 10 || series < 1000) failed = true
  } finally {
    await x.stop()
  }
}

async function memoryPart (dir) {
  const x = await startExporter(dir)
  const dayMs = 86_400_000
  const samples = quick ? 86_400 * 8 / 4 : 86_400 * 8 // 8 GPUs, 1 s (quick: a quarter)
  const eventsPerSample = 0.15
  const start = Date.UTC(2026, 10, 1)
  const chunk = 8 * 600 // ten minutes of samples per write
  const checkpoints = []
  let written = 0
  let rotations = 0
  try {
    for (let done = 0; done < samples; done += chunk) {
      let gpu = ''
      let ev = ''
      for (let i = 0; i < chunk; i++) {
        const ms = start + ((done + i) / samples) * dayMs
        gpu += sampleLine(ms, i % 8)
        if (Math.random() < eventsPerSample) { ev += eventLine(ms, done + i); written++ }
      }
      fs.appendFileSync(x.gpu, gpu)
      fs.appendFileSync(x.events, ev)
      written += chunk
      const quarter = Math.floor((done + chunk) / (samples / 4))
      if (quarter > rotations && quarter < 4) {
        rotations = quarter
        for (const log of [x.events, x.gpu]) {
          // logrotate with delaycompress: .1 -> .2.gz, the current file -> .1, a new one
          if (fs.existsSync(`${log}.1`)) {
            fs.writeFileSync(`${log}.2.gz`, gzipSync(fs.readFileSync(`${log}.1`)))
            fs.rmSync(`${log}.1`)
          }
          fs.renameSync(log, `${log}.1`)
          fs.writeFileSync(log, '')
        }
      }
      // let it catch up before the next ten minutes
      for (let i = 0; i < 400; i++) {
        const text = await x.scrape()
        if (eventsTotal(text) >= written) {
          if (Math.floor((done + chunk) / (samples / 10)) > checkpoints.length) checkpoints.push({ heap: sampleValue(text, 'nodejs_heap_size_used_bytes') / 2 ** 20, rss: rssMiB(x.child.pid) })
          break
        }
        await sleep(25)
      }
    }
    const text = await x.scrape()
    const exact = eventsTotal(text) === written
    const first = checkpoints[0]
    const last = checkpoints.at(-1)
    console.log(`memory over a compressed day (${samples.toLocaleString('en')} samples, ${written.toLocaleString('en')} lines, ${rotations} rotations): heap MiB at each tenth ${checkpoints.map((c) => c.heap.toFixed(1)).join(' ')}; RSS MiB ${checkpoints.map((c) => c.rss.toFixed(0)).join(' ')}; counted exactly: ${exact} (goal: last heap within 10 MiB of the first)`)
    if (!exact || last.heap - first.heap > 10) failed = true
  } finally {
    await x.stop()
  }
}

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'ds01-exporter-bench-'))
try {
  const only = process.env.DS01_EXPORTER_BENCH_PARTS?.split(',') // e.g. cpu,scrape
  for (const [name, part] of [['cpu', cpuPart], ['floor', (d) => cpuPart(d, true)], ['scrape', scrapePart], ['memory', memoryPart]]) {
    if (only !== undefined && !only.includes(name)) continue
    const dir = path.join(base, name)
    fs.mkdirSync(dir)
    await part(dir)
  }
} finally {
  fs.rmSync(base, { recursive: true, force: true })
}
process.exit(failed ? 1 : 0)
