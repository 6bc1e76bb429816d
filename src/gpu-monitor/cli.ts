// `ds01-events gpu-monitor`: options, the two logs, signals, exit codes.
import { createEventLog, logEvent } from '../event/index.js'
import { RateLimitedWarner, parseCommandArgs, resolveEventsFile, resolveGpuUtilizationFile, stderrSink } from '../common/index.js'
import { GpuMonitorAgent, defaultStallMs } from './agent.js'
import { nvidiaSmiArgs } from './parse.js'
import {
  PREFIX,
  SOURCE,
  SampleLogger,
  describeExit,
  describeSpawnError,
  spawnExitCode,
  startSampler,
  type Warn
} from './sampler.js'

export const MIN_INTERVAL_MS = 50
export const MAX_INTERVAL_MS = 3_600_000
export const DEFAULT_INTERVAL_MS = 1000
/** --once gives up on an nvidia-smi that has not answered by then (a wedged driver). */
const ONCE_TIMEOUT_MS = 30_000
/**
 * Bytes one GPU adds to the GPU log per sample: measured from the agent's own
 * output for 8 H100s (912 lines, 350.1 bytes each on average; the figure grows
 * a little with longer product names). test/gpu-monitor-cost.test.mjs checks it.
 */
export const BYTES_PER_GPU_SAMPLE = 350

/** What the settings cost on disk per GPU per day, in words, for the start-up line. */
export function dailyCost(intervalMs: number): string {
  const perGpuPerDay = (BYTES_PER_GPU_SAMPLE * 86_400_000) / intervalMs
  const mb = (bytes: number): string => (bytes >= 10e9 ? `${(bytes / 1e9).toFixed(0)} GB` : bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.round(bytes / 1e6)} MB`)
  return `about ${BYTES_PER_GPU_SAMPLE} bytes per GPU per sample: ${mb(perGpuPerDay)} per GPU per day, ${mb(8 * perGpuPerDay)} a day for 8 GPUs`
}

/** Samples queue in memory at most this long before one append writes them (lost on SIGKILL). */
const BATCH = { maxEvents: 1024, maxDelayMs: 1000, maxQueue: 100_000 }

export const USAGE = `Usage: ds01-events gpu-monitor [--interval MS] [--file PATH] [--once] [--nvidia-smi PATH] [--stall-ms MS]

Samples every GPU with one long-lived nvidia-smi and logs one gpu.utilization event
per GPU per sample to the GPU utilization log, until SIGTERM or SIGINT.

Options:
  --interval MS       sampling interval in milliseconds (default ${DEFAULT_INTERVAL_MS}, at least ${MIN_INTERVAL_MS})
  --file PATH         the GPU utilization log (default: $DS01_GPU_UTILIZATION_FILE,
                      else /var/log/ds01/gpu-utilization.jsonl)
  --once              log one sample of every GPU, then exit
  --nvidia-smi PATH   the nvidia-smi to run (default: nvidia-smi on PATH)
  --stall-ms MS       no sample for this long: warn, kill nvidia-smi's process group and
                      start it again (default: 10 intervals, at least 10000)
  -h, --help          show this help

system.startup and system.shutdown go to the main event log ($DS01_EVENTS_FILE,
else /var/log/ds01/events.jsonl); --once logs neither.
Exit status: 0 stopped by SIGTERM/SIGINT, or --once logged a sample; 1 --once failed;
2 usage error; 126 nvidia-smi not executable; 127 nvidia-smi not found.
`

interface Options {
  intervalMs: number
  stallMs: number
  file: string
  once: boolean
  nvidiaSmi: string
}

function say(message: string): void {
  stderrSink(message)
}

/** The options, or the exit code to return at once (help, usage error). */
function parseOptions(args: string[]): Options | number {
  const parsed = parseCommandArgs(args, {
    interval: { type: 'string' },
    file: { type: 'string' },
    once: { type: 'boolean' },
    'nvidia-smi': { type: 'string' },
    'stall-ms': { type: 'string' },
    help: { type: 'boolean', short: 'h' }
  })
  if (!parsed.ok) {
    say(`${PREFIX}${parsed.problem}\n\n${USAGE}`)
    return 2
  }
  const values = parsed.values
  if (parsed.help) {
    process.stdout.write(USAGE)
    return 0
  }
  let intervalMs = DEFAULT_INTERVAL_MS
  if (values.interval !== undefined) {
    intervalMs = /^\d+$/.test(values.interval) ? Number(values.interval) : NaN
    if (!(intervalMs >= MIN_INTERVAL_MS && intervalMs <= MAX_INTERVAL_MS)) {
      say(`${PREFIX}--interval must be a whole number of milliseconds from ${MIN_INTERVAL_MS} to ${MAX_INTERVAL_MS}, ` +
        `not ${JSON.stringify(values.interval)}\n\n${USAGE}`)
      return 2
    }
  }
  let stallMs = defaultStallMs(intervalMs)
  if (values['stall-ms'] !== undefined) {
    stallMs = /^\d+$/.test(values['stall-ms']) ? Number(values['stall-ms']) : NaN
    if (!(stallMs >= 2 * intervalMs && stallMs <= MAX_INTERVAL_MS)) {
      say(`${PREFIX}--stall-ms must be a whole number of milliseconds from two intervals (${2 * intervalMs}) to ${MAX_INTERVAL_MS}, ` +
        `not ${JSON.stringify(values['stall-ms'])}\n\n${USAGE}`)
      return 2
    }
  }
  if (values.file === '' || values['nvidia-smi'] === '') {
    say(`${PREFIX}--file and --nvidia-smi need a non-empty value\n\n${USAGE}`)
    return 2
  }
  return {
    intervalMs,
    stallMs,
    file: resolveGpuUtilizationFile(values.file),
    once: values.once === true,
    nvidiaSmi: values['nvidia-smi'] ?? 'nvidia-smi'
  }
}

/** Resolves with the first SIGTERM or SIGINT; later ones are absorbed until dispose(), as shutdown is already under way. */
function awaitSignal(): { signal: Promise<NodeJS.Signals>; dispose(): void } {
  let onSignal: (name: NodeJS.Signals) => void = () => {}
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = (name) => resolve(name)
  })
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
  return {
    signal,
    dispose() {
      process.removeListener('SIGTERM', onSignal)
      process.removeListener('SIGINT', onSignal)
    }
  }
}

async function runOnce(options: Options, warn: Warn): Promise<number> {
  const gpuLog = createEventLog({ path: options.file })
  const samples = new SampleLogger(gpuLog, warn)
  const sampler = startSampler(options.nvidiaSmi, nvidiaSmiArgs(null), samples, warn)
  try {
    await sampler.started
  } catch (err) {
    gpuLog.close()
    say(describeSpawnError(options.nvidiaSmi, err))
    return spawnExitCode(err)
  }
  const timer = setTimeout(() => sampler.child.kill('SIGKILL'), ONCE_TIMEOUT_MS)
  const status = await sampler.closed
  clearTimeout(timer)
  gpuLog.close()
  if (status.code !== 0) {
    say(`${PREFIX}nvidia-smi ${describeExit(status)}; logged ${samples.counts.logged} GPU readings to ${options.file}`)
    return 1
  }
  if (samples.counts.logged === 0) {
    say(`${PREFIX}no GPU reading was logged to ${options.file} (see the messages above)`)
    return 1
  }
  return 0
}

async function runAgent(options: Options, warn: Warn): Promise<number> {
  const signals = awaitSignal()
  const gpuLog = createEventLog({ path: options.file, batch: BATCH })
  const agent = new GpuMonitorAgent({ nvidiaSmi: options.nvidiaSmi, intervalMs: options.intervalMs, stallMs: options.stallMs, sink: gpuLog, warn, say })
  try {
    await agent.start()
  } catch (err) {
    signals.dispose()
    gpuLog.close()
    say(describeSpawnError(options.nvidiaSmi, err))
    return spawnExitCode(err)
  }
  const lifecycle = { source: SOURCE, component: SOURCE }
  logEvent('system.startup', { ...lifecycle, interval_ms: options.intervalMs, file: options.file, pid: process.pid })
  say(`${PREFIX}sampling every ${options.intervalMs} ms into ${options.file}; lifecycle events into ${resolveEventsFile()}`)
  say(`${PREFIX}disk: ${dailyCost(options.intervalMs)} (docs/deployment.md, "Disk budget")`)

  const signal = await signals.signal
  await agent.stop()
  gpuLog.close() // flushes: the counts below are final
  const { written, dropped } = gpuLog.stats()
  const { refused, unparseable, restarts, stalls } = agent.stats()
  logEvent('system.shutdown', {
    ...lifecycle,
    signal,
    events_logged: written,
    events_refused: refused,
    events_dropped: dropped,
    unparseable_lines: unparseable,
    restarts,
    stalls
  })
  signals.dispose()
  return 0
}

/** `ds01-events gpu-monitor ...`: resolves with the exit code once the agent has stopped. */
export async function runGpuMonitor(args: string[]): Promise<number> {
  const options = parseOptions(args)
  if (typeof options === 'number') return options
  const warner = new RateLimitedWarner(stderrSink, 60_000)
  const warn: Warn = (key, message) => warner.warn(key, message)
  return options.once ? runOnce(options, warn) : runAgent(options, warn)
}
