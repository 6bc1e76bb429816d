// The cost per event of log(), interleaved in one run on one machine:
// synchronous with the native writer, batched, the JavaScript fallback writer
// (a child process with DS01_EVENTS_NATIVE=0), pino with a synchronous
// destination logging the same fields, and a plain fs.writeSync loop of a
// prebuilt line. Then 1,000,000 batched events and the growth of RSS.
// Each variant is timed twice: wall clock, and the CPU time of this process
// (user + system, process.cpuUsage), which other processes' load on a shared
// machine disturbs much less than the wall clock.
// Usage: node --expose-gc bench/log.bench.mjs [--quick] [--sync] [--before ADDON.node]
//   --sync: only the synchronous variants (log() sync, pino, the plain write,
//           the bare append), more rounds, no memory run: issue 19's comparison.
//   --before ADDON.node: adds log() sync and the bare append with that build of
//           the addon (e.g. `git show main:prebuilds/linux-x64/ds01-events.glibc.node`),
//           side by side with the current one; both log() sync variants then
//           run in child processes, alike.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fork } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { GPU_SAMPLE } from '../test/helpers/v1-lines.mjs'

const require = createRequire(import.meta.url)
const quick = process.argv.includes('--quick')
const syncOnly = process.argv.includes('--sync')
const beforeAt = process.argv.indexOf('--before')
const BEFORE = beforeAt > 0 ? path.resolve(process.argv[beforeAt + 1]) : undefined
const EVENTS = quick ? 2_000 : 20_000 // per variant per round
const ROUNDS = quick ? 3 : syncOnly ? 15 : 9
const CHUNK = 1_000 // events between turns of the event loop, for every variant
const BIG = quick ? 50_000 : 1_000_000
const WARM_UP = quick ? 20_000 : 500_000

// The realistic event: a gpu.utilization sample, nine details and a source (the tests' own).
const FIELDS = GPU_SAMPLE

const tick = () => new Promise((resolve) => setImmediate(resolve))

/**
 * Logs n events through logOne in chunks, yielding between chunks; finish()
 * (flush) is timed too. Returns ns per event: wall clock, and CPU time.
 */
async function timed (n, logOne, finish = () => {}) {
  const cpu = process.cpuUsage()
  const start = process.hrtime.bigint()
  for (let done = 0; done < n;) {
    const end = Math.min(n, done + CHUNK)
    for (; done < end; done++) logOne(done)
    await tick()
  }
  finish()
  const wall = Number(process.hrtime.bigint() - start) / n
  const used = process.cpuUsage(cpu)
  return { wall, cpu: ((used.user + used.system) * 1000) / n }
}

/** ns per event of one variant over the counted rounds. */
const figures = (xs, key) => xs.map((x) => x[key])

function median (xs) {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

// The child: the same loop with the writer its environment selects (the
// JavaScript writer, or another build of the addon), one round per message.
if (process.argv[2] === '--child-js') {
  const { createEventLog } = require('../dist/index.js')
  const log = createEventLog({ path: process.argv[3] })
  process.on('message', async (n) => {
    const ns = await timed(n, () => log.log('gpu.utilization', FIELDS))
    if (log.stats().written === 0) throw new Error('the child wrote nothing')
    process.send(ns)
  })
  process.send('ready')
} else if (process.argv[2] === '--child-memory') {
  await memory(process.argv[3])
} else {
  await main()
}

/**
 * 1,000,000 batched events after a warm-up; RSS must not grow with the count.
 * The warm-up is long enough for V8 to size its young generation for this
 * allocation rate (heapTotal grows from ~10 to ~40 MiB over the first few
 * hundred thousand events, then stays): that is the heap settling, not growth.
 */
async function memory (target) {
  const { createEventLog } = require('../dist/index.js')
  const big = createEventLog({ path: target, batch: true })
  const gc = globalThis.gc ?? (() => {})
  await timed(WARM_UP, () => big.log('gpu.utilization', FIELDS), () => big.flush())
  gc()
  const heapBefore = process.memoryUsage().heapTotal
  const before = process.memoryUsage().rss
  const written = big.stats().written
  let peak = before
  const { wall: ns } = await timed(BIG, (i) => {
    big.log('gpu.utilization', FIELDS)
    if (i % CHUNK === 0) peak = Math.max(peak, process.memoryUsage.rss())
  }, () => big.flush())
  gc()
  const after = process.memoryUsage().rss
  const heapAfter = process.memoryUsage().heapTotal
  const s = big.stats()
  const mib = (bytes) => (bytes / 2 ** 20).toFixed(1)
  console.log(`\n${BIG.toLocaleString('en-US')} batched events after a ${WARM_UP.toLocaleString('en-US')}-event warm-up (fresh process): ${ns.toFixed(0)} ns/event, ` +
    `written ${(s.written - written).toLocaleString('en-US')}, dropped ${s.dropped} (queue full)\n` +
    `RSS after warm-up ${mib(before)} MiB, peak during the run ${mib(peak)} MiB (+${mib(peak - before)}), after it ${mib(after)} MiB (${after >= before ? '+' : ''}${mib(after - before)}); ` +
    `V8 heapTotal ${mib(heapBefore)} -> ${mib(heapAfter)} MiB`)
  big.close()
}

async function main () {
  const { createEventLog, openWriter } = require('../dist/index.js')
  const { nativeInfo } = require('../dist/writer/index.js')
  const pino = require('pino')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ds01-bench-'))
  const file = (name) => path.join(dir, name)

  const sync = createEventLog({ path: file('sync.jsonl') })
  const batched = createEventLog({ path: file('batched.jsonl'), batch: true })
  const logger = pino(pino.destination({ dest: file('pino.log'), sync: true }))
  const fd = fs.openSync(file('plain.jsonl'), 'a')
  const raw = openWriter(file('raw.jsonl')) // the floor under sync log(): statx + flock + write + unlock
  const line = fs.readFileSync(file('sync.jsonl'), { flag: 'a+' }).length === 0 && (sync.log('gpu.utilization', FIELDS), fs.readFileSync(file('sync.jsonl'), 'utf8'))
  if (!sync.native) console.log('note: the native writer did not load here; "sync native" runs the JavaScript writer')

  const children = []
  /** A child logging with the given environment; returns its round runner. */
  async function childVariant (name, env) {
    const child = fork(fileURLToPath(import.meta.url), ['--child-js', file(`${name}.jsonl`)], { env: { ...process.env, ...env } })
    children.push(child)
    await new Promise((resolve) => child.once('message', resolve))
    return () => new Promise((resolve) => { child.once('message', resolve); child.send(EVENTS) })
  }
  const addonNow = nativeInfo()?.path

  const variants = {}
  if (BEFORE === undefined) variants['log() sync, native'] = () => timed(EVENTS, () => sync.log('gpu.utilization', FIELDS))
  else {
    variants['log() sync, native (child)'] = await childVariant('now', { DS01_EVENTS_ADDON: addonNow })
    variants['log() sync, native before (child)'] = await childVariant('before', { DS01_EVENTS_ADDON: BEFORE })
  }
  if (!syncOnly) {
    variants['log() batched'] = () => timed(EVENTS, () => batched.log('gpu.utilization', FIELDS), () => batched.flush())
    variants['log() sync, JS writer'] = await childVariant('js', { DS01_EVENTS_NATIVE: '0' })
  }
  variants['pino sync destination'] = () => timed(EVENTS, () => logger.info(FIELDS))
  variants['fs.writeSync loop'] = () => timed(EVENTS, () => fs.writeSync(fd, line))
  variants['native writer.append, prebuilt line'] = () => timed(EVENTS, () => raw.append(line))
  if (BEFORE !== undefined) {
    const m = { exports: {} }
    process.dlopen(m, BEFORE)
    const rawBefore = new m.exports.Writer(file('raw-before.jsonl'), 100)
    variants['native writer.append before, prebuilt line'] = () => timed(EVENTS, () => rawBefore.append(line))
  }
  const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, []]))
  for (const run of Object.values(variants)) await run() // warm-up round, not counted
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order each round so no variant always runs first.
    const names = Object.keys(variants)
    const ordered = names.slice(round % names.length).concat(names.slice(0, round % names.length))
    for (const name of ordered) samples[name].push(await variants[name]())
  }
  for (const child of children) child.kill()

  const pinoWall = median(figures(samples['pino sync destination'], 'wall'))
  const pinoCpu = median(figures(samples['pino sync destination'], 'cpu'))
  console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), ${os.platform()} ${os.release()}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`)
  console.log(`${EVENTS} gpu.utilization events per variant per round, ${ROUNDS} rounds interleaved, medians; event-loop turn every ${CHUNK} events`)
  console.log(`line sizes: ours ${Buffer.byteLength(line)} bytes, pino ${fs.readFileSync(file('pino.log'), 'utf8').split('\n')[0].length + 1} bytes\n`)
  console.log('| variant | wall ns/event (median) | min..max | vs pino | CPU ns/event (median) | min..max | vs pino |')
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |')
  for (const [name, xs] of Object.entries(samples)) {
    const wall = figures(xs, 'wall')
    const cpu = figures(xs, 'cpu')
    const [mw, mc] = [median(wall), median(cpu)]
    console.log(`| ${name} | ${mw.toFixed(0)} | ${Math.min(...wall).toFixed(0)}..${Math.max(...wall).toFixed(0)} | ${(mw / pinoWall).toFixed(2)}x | ` +
      `${mc.toFixed(0)} | ${Math.min(...cpu).toFixed(0)}..${Math.max(...cpu).toFixed(0)} | ${(mc / pinoCpu).toFixed(2)}x |`)
  }

  if (addonNow !== undefined) console.log(`\naddon: ${path.relative(process.cwd(), addonNow)}${BEFORE === undefined ? '' : `; before: ${BEFORE}`}`)
  if (!syncOnly) {
    // Memory, in a fresh process so earlier rounds do not inflate the baseline.
    const mem = fork(fileURLToPath(import.meta.url), ['--child-memory', file('big.jsonl'), ...(quick ? ['--quick'] : [])], { execArgv: ['--expose-gc'] })
    await new Promise((resolve) => mem.once('exit', resolve))
  }
  sync.close()
  batched.close()
  fs.rmSync(dir, { recursive: true, force: true })
}
