// The long-lived agent: one `nvidia-smi -lms` streaming samples, started again
// with backoff whenever it exits, and stopped cleanly so nothing it printed is lost.
import { Backoff, type BackoffOptions } from './backoff.js'
import { nvidiaSmiArgs } from './parse.js'
import {
  PREFIX,
  SampleLogger,
  describeExit,
  describeSpawnError,
  signalGroup,
  startSampler,
  type EventSink,
  type ExitStatus,
  type SampleCounts,
  type Sampler,
  type Warn
} from './sampler.js'

export interface AgentOptions {
  /** nvidia-smi to run: a name looked up on PATH, or a path. */
  nvidiaSmi: string
  intervalMs: number
  sink: EventSink
  /** Rate-limited: unparseable lines, nvidia-smi's stderr. */
  warn: Warn
  /** Not rate-limited: restarts, already spaced out by the backoff. */
  say: (message: string) => void
  backoff?: Partial<BackoffOptions>
  /** How long stop() waits for nvidia-smi to exit after SIGTERM, and again after SIGKILL (default 250 ms). */
  stopGraceMs?: number
  /** No sample for this long: nvidia-smi's process group is killed and it is started again (default defaultStallMs). */
  stallMs?: number
}

/** Ten intervals, and at least 10 s: a first sample can take seconds on a host without persistence mode. */
export function defaultStallMs(intervalMs: number): number {
  return Math.max(10 * intervalMs, 10_000)
}

export interface AgentStats extends SampleCounts {
  /** Times nvidia-smi was started again after it exited. */
  restarts: number
  /** Times the watchdog found no sample for stallMs and killed nvidia-smi. */
  stalls: number
}

const DEFAULT_STOP_GRACE_MS = 250

function within<T>(promise: Promise<T>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms)
    promise.then(() => {
      clearTimeout(timer)
      resolve(true)
    }, () => {
      clearTimeout(timer)
      resolve(true)
    })
  })
}

export class GpuMonitorAgent {
  private readonly samples: SampleLogger
  private readonly backoff: Backoff
  private readonly args: string[]
  private current: Sampler | null = null
  private startedAt = 0
  private restartTimer: NodeJS.Timeout | null = null
  private restarts = 0
  private stalls = 0
  private stopping = false
  private readonly stallMs: number
  private watchdog: NodeJS.Timeout | null = null
  /** Samplers the watchdog already killed: their 'close' brings the restart. */
  private readonly stalled = new WeakSet<Sampler>()

  constructor(private readonly options: AgentOptions) {
    this.samples = new SampleLogger(options.sink, options.warn)
    this.backoff = new Backoff(options.backoff)
    this.args = nvidiaSmiArgs(options.intervalMs)
    this.stallMs = options.stallMs ?? defaultStallMs(options.intervalMs)
  }

  /** Starts nvidia-smi; rejects with the spawn error when it cannot run at all (not installed). */
  async start(): Promise<void> {
    await this.launch()
    this.watchdog = setInterval(() => this.checkStall(), Math.max(50, Math.floor(this.stallMs / 4)))
    this.watchdog.unref()
  }

  /**
   * nvidia-smi that prints nothing for stallMs is stuck, or gone while a child
   * of it holds its stdout open (then 'close' never comes and nothing would
   * restart it): say so, kill its process group, and let it be started again.
   */
  private checkStall(): void {
    const sampler = this.current
    if (sampler === null || this.stopping || this.stalled.has(sampler)) return
    const quietMs = Date.now() - Math.max(this.samples.lastSampleAt, this.startedAt)
    if (quietMs <= this.stallMs) return
    this.stalled.add(sampler)
    this.stalls++
    const gone = sampler.child.exitCode !== null || sampler.child.signalCode !== null
    this.options.say(`${PREFIX}no sample from nvidia-smi (pid ${sampler.child.pid}${gone ? ', exited, its output still held open' : ''}) ` +
      `for ${(quietMs / 1000).toFixed(1)} s; killing its process group and starting it again`)
    signalGroup(sampler.child, 'SIGKILL')
    // Whatever still holds the pipes (a process that left the group) must not keep 'close' from coming.
    sampler.child.stdout?.destroy()
    sampler.child.stderr?.destroy()
  }

  /** Stops nvidia-smi and waits (bounded) until everything it printed has been read and logged. */
  async stop(): Promise<void> {
    this.stopping = true
    if (this.restartTimer !== null) clearTimeout(this.restartTimer)
    this.restartTimer = null
    if (this.watchdog !== null) clearInterval(this.watchdog)
    this.watchdog = null
    const sampler = this.current
    if (sampler === null) return
    const grace = this.options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS
    signalGroup(sampler.child, 'SIGTERM')
    if (await within(sampler.closed, grace)) return
    signalGroup(sampler.child, 'SIGKILL')
    if (await within(sampler.closed, grace)) return
    // Stuck in the kernel (a wedged driver): leave it behind rather than hang the exit.
    this.options.say(`${PREFIX}nvidia-smi (pid ${sampler.child.pid}) did not exit after SIGKILL; leaving it`)
    sampler.child.stdout?.destroy()
    sampler.child.stderr?.destroy()
    sampler.child.unref()
  }

  stats(): AgentStats {
    return { ...this.samples.counts, restarts: this.restarts, stalls: this.stalls }
  }

  private async launch(): Promise<void> {
    const sampler = startSampler(this.options.nvidiaSmi, this.args, this.samples, this.options.warn)
    // Current at once, so a stop() that comes while it is still starting stops it too.
    this.current = sampler
    this.startedAt = Date.now()
    let spawned = false
    void sampler.closed.then((status) => {
      if (this.current === sampler) this.current = null
      if (spawned) this.closed(status)
    })
    await sampler.started
    spawned = true
  }

  private closed(status: ExitStatus): void {
    if (this.stopping) return
    const ranForMs = Date.now() - this.startedAt
    this.scheduleRestart(this.backoff.next(ranForMs), `nvidia-smi ${describeExit(status)} after ${(ranForMs / 1000).toFixed(1)} s`)
  }

  private scheduleRestart(delayMs: number, why: string): void {
    this.options.say(`${PREFIX}${why}; starting it again in ${delayMs} ms`)
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null
      if (this.stopping) return
      this.restarts++
      // Gone after it ran before (a driver upgrade replacing it): keep trying, with backoff.
      this.launch().catch((err: unknown) => {
        if (!this.stopping) this.scheduleRestart(this.backoff.next(0), describeSpawnError(this.options.nvidiaSmi, err))
      })
    }, delayMs)
  }
}
