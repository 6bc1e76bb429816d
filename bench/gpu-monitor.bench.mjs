// The GPU agent's own cost: `ds01-events gpu-monitor --interval 50` against the fake
// nvidia-smi with 8 GPUs (160 gpu.utilization events a second, batched), for 30 s after a
// 2 s warm-up. CPU time (user + system, all threads: the libuv pool's writes included) of
// the agent process alone, from /proc/<pid>/stat, as a share of one core. The fake
// nvidia-smi is a separate process; its CPU is not counted. Goal: under 2 %.
// For scale, the same measurement of a bare Node process that reads the same stream and
// discards it: the floor any Node reader of nvidia-smi pays on this machine (20 wake-ups a second).
// Usage: node bench/gpu-monitor.bench.mjs [--quick]   (DS01_GPU_BENCH_SECONDS=N to choose)
import { spawn, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { createRequire } from 'node:module'
import { makeSandbox, readEvents, ROOT, sandboxEnv } from '../test/fixtures/gpu-monitor.mjs'

const require = createRequire(import.meta.url)
const quick = process.argv.includes('--quick')
const SECONDS = Number(process.env.DS01_GPU_BENCH_SECONDS ?? (quick ? 5 : 30))
const WARMUP_MS = 2000
const GPUS = 8
const INTERVAL_MS = 50
const GOAL_PERCENT = 2

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100

/** CPU seconds (utime + stime) of one process, all its threads, not its children. */
function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ') // after "pid (comm) "
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond // fields 14 and 15 of proc(5)
}

function rssMiB(pid) {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match === null ? NaN : Number(match[1]) / 1024
}

/** Runs `command` with the fake on PATH; CPU share of that process alone, in the window after warm-up. */
async function measure(sandbox, args, env = {}) {
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: sandboxEnv(sandbox, { FAKE_NVIDIA_SMI_GPUS: String(GPUS), ...env })
  })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (text) => { stderr += text })
  const exited = new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })))
  try {
    const startedAt = process.hrtime.bigint()
    await sleep(WARMUP_MS)
    const cpu0 = cpuSeconds(child.pid)
    const wall0 = process.hrtime.bigint()
    const events0 = readEvents(sandbox.gpuFile).length
    await sleep(SECONDS * 1000)
    const cpu1 = cpuSeconds(child.pid)
    const wall1 = process.hrtime.bigint()
    const rss = rssMiB(child.pid)
    child.kill('SIGTERM')
    const { code, signal } = await exited
    if (code !== 0 && signal !== 'SIGTERM') throw new Error(`${args.join(' ')} exited with ${code ?? signal}: ${stderr}`)
    const wallSeconds = Number(wall1 - wall0) / 1e9
    return {
      wallSeconds,
      cpuSeconds: cpu1 - cpu0,
      share: (100 * (cpu1 - cpu0)) / wallSeconds,
      lifeSeconds: Number(wall1 - startedAt) / 1e9,
      lifeShare: (100 * cpu1) / (Number(wall1 - startedAt) / 1e9),
      eventsInWindow: readEvents(sandbox.gpuFile).length - events0,
      eventsAfterStop: readEvents(sandbox.gpuFile).length,
      rss
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
}

// The floor: reads nvidia-smi's stream and throws it away.
const FLOOR = `
const { spawn } = require('node:child_process')
const { nvidiaSmiArgs } = require(${JSON.stringify(path.join(ROOT, 'dist', 'gpu-monitor', 'parse.js'))})
const child = spawn('nvidia-smi', nvidiaSmiArgs(${INTERVAL_MS}), { stdio: ['ignore', 'pipe', 'inherit'] })
child.stdout.on('data', () => {})
process.on('SIGTERM', () => { child.kill(); process.exit(0) })
`

const { nativeFailure } = require(path.join(ROOT, 'dist', 'index.js'))
const agentSandbox = makeSandbox()
const floorSandbox = makeSandbox()
try {
  const agent = await measure(agentSandbox, [path.join(ROOT, 'bin', 'ds01-events.js'), 'gpu-monitor', '--interval', String(INTERVAL_MS)])
  const floor = await measure(floorSandbox, ['-e', FLOOR])
  const rate = agent.eventsInWindow / agent.wallSeconds
  console.log(`ds01-events gpu-monitor --interval ${INTERVAL_MS}, fake nvidia-smi with ${GPUS} GPUs, ${process.version}, ` +
    `${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(2)}, ` +
    `writer: ${nativeFailure() === undefined ? 'native' : `JavaScript (${nativeFailure()})`}`)
  console.log('')
  console.log('| measured | value |')
  console.log('| --- | --- |')
  console.log(`| window (after ${WARMUP_MS / 1000} s warm-up) | ${agent.wallSeconds.toFixed(1)} s |`)
  console.log(`| events logged in the window | ${agent.eventsInWindow} (${rate.toFixed(0)}/s; ${(1000 / INTERVAL_MS) * GPUS}/s expected) |`)
  console.log(`| agent CPU (user+sys) in the window | ${agent.cpuSeconds.toFixed(2)} s |`)
  console.log(`| **agent CPU, share of one core** | **${agent.share.toFixed(2)} %** (goal < ${GOAL_PERCENT} %) |`)
  console.log(`| same, whole life incl. start-up | ${agent.lifeShare.toFixed(2)} % over ${agent.lifeSeconds.toFixed(1)} s |`)
  console.log(`| CPU per event | ${((1e6 * agent.cpuSeconds) / Math.max(1, agent.eventsInWindow)).toFixed(1)} µs |`)
  console.log(`| agent RSS at the end | ${agent.rss.toFixed(1)} MiB |`)
  console.log(`| events in the file after SIGTERM | ${agent.eventsAfterStop} |`)
  console.log(`| floor: bare Node reading the same stream, share of one core | ${floor.share.toFixed(2)} % |`)
  if (agent.share >= GOAL_PERCENT) console.log(`\nover the goal of ${GOAL_PERCENT} % of one core`)
} finally {
  agentSandbox.remove()
  floorSandbox.remove()
}
