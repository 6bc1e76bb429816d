// The batched mode against a caller that never yields: N log() calls in one
// synchronous loop, then flush(), timed together; the lines on disk are
// counted and a variant's figure is reported only when every event of every
// round landed. Beside it, interleaved in the same run: pino with a
// synchronous destination, pino with its asynchronous one (flushSync() at the
// end, timed), and the floor of any JavaScript logger: JSON.stringify of the
// same fields (no timestamp, no envelope) into a Buffer, no I/O.
// Usage: node bench/batch.bench.mjs [--quick]   (or: BENCH_ONLY=batch npm run bench)
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { once } from 'node:events'
import { createRequire } from 'node:module'
import { GPU_SAMPLE } from '../test/helpers/v1-lines.mjs'

const require = createRequire(import.meta.url)
const { createEventLog } = require('../dist/index.js')
const pino = require('pino')

const quick = process.argv.includes('--quick')
const EVENTS = quick ? 20_000 : 100_000 // per variant per round, in one synchronous loop
const ROUNDS = quick ? 3 : 9

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ds01-bench-batch-'))
let fileNo = 0
const freshFile = (name) => path.join(dir, `${name}-${fileNo++}.jsonl`)

function countLines (file) {
  const bytes = fs.readFileSync(file)
  let n = 0
  for (let at = bytes.indexOf(10); at !== -1; at = bytes.indexOf(10, at + 1)) n++
  fs.rmSync(file)
  return n
}

/** One round: returns { ns (per event, loop + final flush), landed (lines on disk) }. */
const variants = {
  'ds01-events batched (native)': () => {
    const file = freshFile('ours')
    const log = createEventLog({ path: file, batch: true })
    if (!log.native) throw new Error('the native writer did not load')
    const start = process.hrtime.bigint()
    for (let i = 0; i < EVENTS; i++) log.log('gpu.utilization', GPU_SAMPLE)
    log.flush()
    const ns = Number(process.hrtime.bigint() - start) / EVENTS
    log.close()
    return { ns, landed: countLines(file) }
  },
  'pino, sync destination': () => {
    const file = freshFile('pino-sync')
    const dest = pino.destination({ dest: file, sync: true })
    const logger = pino(dest)
    const start = process.hrtime.bigint()
    for (let i = 0; i < EVENTS; i++) logger.info(GPU_SAMPLE)
    const ns = Number(process.hrtime.bigint() - start) / EVENTS
    dest.end()
    return { ns, landed: countLines(file) }
  },
  'pino, async destination': async () => {
    const file = freshFile('pino-async')
    const dest = pino.destination({ dest: file, sync: false })
    const logger = pino(dest)
    await once(dest, 'ready') // it opens its file asynchronously (not timed)
    const start = process.hrtime.bigint()
    for (let i = 0; i < EVENTS; i++) logger.info(GPU_SAMPLE)
    dest.flushSync()
    const ns = Number(process.hrtime.bigint() - start) / EVENTS
    dest.destroy()
    return { ns, landed: countLines(file) }
  },
  'floor: JSON.stringify into a Buffer': () => {
    const buf = Buffer.allocUnsafe(EVENTS * 512)
    let used = 0
    const start = process.hrtime.bigint()
    for (let i = 0; i < EVENTS; i++) {
      const line = JSON.stringify(GPU_SAMPLE)
      used += buf.write(line, used)
      buf[used++] = 10
    }
    const ns = Number(process.hrtime.bigint() - start) / EVENTS
    let landed = 0
    for (let at = buf.indexOf(10); at !== -1 && at < used; at = buf.indexOf(10, at + 1)) landed++
    return { ns, landed }
  }
}

function median (xs) {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

const names = Object.keys(variants)
const samples = Object.fromEntries(names.map((k) => [k, []]))
const lost = Object.fromEntries(names.map((k) => [k, 0]))
for (const name of names) await variants[name]() // warm-up round, not counted
for (let round = 0; round < ROUNDS; round++) {
  // Rotate the order each round so no variant always runs first.
  const ordered = names.slice(round % names.length).concat(names.slice(0, round % names.length))
  for (const name of ordered) {
    const { ns, landed } = await variants[name]()
    samples[name].push(ns)
    lost[name] += EVENTS - landed
  }
}
fs.rmSync(dir, { recursive: true, force: true })

const pinoSync = median(samples['pino, sync destination'])
console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), ${os.platform()} ${os.release()}`)
console.log(`${EVENTS.toLocaleString('en-US')} gpu.utilization events per variant per round in ONE synchronous loop (no yield), ` +
  `then the final flush, timed together; ${ROUNDS} rounds interleaved, medians\n`)
console.log('| variant | ns/event (median) | min..max | lost (all rounds) | vs pino sync |')
console.log('| --- | ---: | ---: | ---: | ---: |')
let failed = false
for (const name of names) {
  const xs = samples[name]
  const m = median(xs)
  // A figure counts only when every event landed.
  const figure = lost[name] === 0 ? m.toFixed(0) : 'n/a (events lost)'
  const ratio = lost[name] === 0 ? `${(m / pinoSync).toFixed(2)}x` : 'n/a'
  console.log(`| ${name} | ${figure} | ${Math.min(...xs).toFixed(0)}..${Math.max(...xs).toFixed(0)} | ${lost[name]} | ${ratio} |`)
  if (name.startsWith('ds01-events') && lost[name] !== 0) failed = true
}
if (failed) {
  console.log('\nds01-events lost events: no figure')
  process.exit(1)
}
