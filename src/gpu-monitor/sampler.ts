// One nvidia-smi process and what it prints: sample lines become gpu.utilization
// events, anything else is counted and warned about (rate-limited by the caller).
import { spawn, type ChildProcess } from 'node:child_process'
import { readLines } from './lines.js'
import { parseGpuLine } from './parse.js'

/** What the samples are logged into: the library's event log (batched) fits. */
export interface EventSink {
  log(eventType: string, fields: Record<string, unknown>): boolean
}

/** (key, message): one key per kind of trouble, so the caller can rate-limit each. */
export type Warn = (key: string, message: string) => void

export const SOURCE = 'gpu-monitor'
export const PREFIX = 'ds01-events gpu-monitor: '
const QUOTED_MAX = 200

export interface SampleCounts {
  /** gpu.utilization events the log accepted. */
  logged: number
  /** Events the log refused (it warns itself, saying why). */
  refused: number
  /** Lines that were not a sample: error text, garbage, a line cut short. */
  unparseable: number
}

function quote(text: string): string {
  return JSON.stringify(text.length > QUOTED_MAX ? text.slice(0, QUOTED_MAX) + '...' : text)
}

/** Turns nvidia-smi's stdout lines into events. One per agent, across restarts. */
export class SampleLogger {
  readonly counts: SampleCounts = { logged: 0, refused: 0, unparseable: 0 }
  /** Date.now() of the last sample line read (0: none yet): what the agent's watchdog looks at. */
  lastSampleAt = 0

  constructor(private readonly sink: EventSink, private readonly warn: Warn) {}

  line(text: string): void {
    const details = parseGpuLine(text)
    if (details === null) {
      if (text.trim() === '') return // a blank line is no sample, and no trouble either
      this.counts.unparseable++
      this.warn('unparseable', `${PREFIX}skipped a line from nvidia-smi that is not a sample: ${quote(text)}`)
      return
    }
    this.lastSampleAt = Date.now()
    // The parser's fresh object takes the source too: no copy per event.
    const fields: Record<string, unknown> = details as unknown as Record<string, unknown>
    fields.source = SOURCE
    if (this.sink.log('gpu.utilization', fields)) this.counts.logged++
    else this.counts.refused++
  }

  incomplete(text: string): void {
    this.counts.unparseable++
    this.warn('incomplete', `${PREFIX}skipped an incomplete line from nvidia-smi (no newline): ${quote(text)}`)
  }
}

export interface ExitStatus {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface Sampler {
  child: ChildProcess
  /** Resolves once the process runs; rejects with the spawn error (ENOENT: not installed). */
  started: Promise<void>
  /** Resolves when the process has exited and its output has been read to the end. */
  closed: Promise<ExitStatus>
}

export function startSampler(command: string, args: string[], samples: SampleLogger, warn: Warn): Sampler {
  // Its own process group (detached): whatever it starts can be stopped with it (signalGroup).
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let spawned = false
  const started = new Promise<void>((resolve, reject) => {
    child.once('spawn', () => {
      spawned = true
      resolve()
    })
    child.once('error', (err) => {
      if (!spawned) reject(err)
    })
  })
  // A failed spawn is reported through `started`; without a listener it would be an unhandled rejection.
  started.catch(() => {})
  const closed = new Promise<ExitStatus>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }))
  })
  if (child.stdout !== null) readLines(child.stdout, samples)
  if (child.stderr !== null) {
    readLines(child.stderr, {
      line: (text) => {
        if (text.trim() !== '') warn('stderr', `${PREFIX}nvidia-smi says: ${quote(text)}`)
      },
      incomplete: (text) => warn('stderr', `${PREFIX}nvidia-smi says: ${quote(text)}`)
    })
  }
  return { child, started, closed }
}

/** Signals nvidia-smi's whole process group: a child of it that holds its stdout goes too. */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal)
  } catch {
    child.kill(signal) // the group is gone already: the process itself, if still there
  }
}

/** How nvidia-smi ended, in words for a warning. */
export function describeExit(status: ExitStatus): string {
  return status.signal !== null ? `was killed by ${status.signal}` : `exited with code ${status.code}`
}

/** Message for a spawn that failed; ENOENT means nvidia-smi is not installed (or not on PATH). */
export function describeSpawnError(command: string, err: unknown): string {
  const e = err as NodeJS.ErrnoException
  if (e?.code === 'ENOENT') {
    return `${PREFIX}cannot run nvidia-smi: '${command}' not found. Install the NVIDIA driver utilities, ` +
      'or give the path of nvidia-smi with --nvidia-smi PATH.'
  }
  if (e?.code === 'EACCES') {
    return `${PREFIX}cannot run nvidia-smi: '${command}' is not executable by this user (EACCES); check its mode, ` +
      'or give another path with --nvidia-smi PATH.'
  }
  return `${PREFIX}cannot run nvidia-smi '${command}': ${e instanceof Error ? e.message : String(err)}`
}

/** Exit code for a failed spawn, as a shell would give: 127 not found, 126 not executable. */
export function spawnExitCode(err: unknown): number {
  const code = (err as NodeJS.ErrnoException)?.code
  if (code === 'ENOENT') return 127
  if (code === 'EACCES') return 126
  return 1
}
