// createEventLog: an envelope builder in front of one writer, synchronous or
// batched. log() never throws and never blocks on the disk in batched mode.
import { writeFailureWarning } from './advice.js'
import { EnvelopeBuilder } from './envelope.js'
import { resolveEventsFile } from './paths.js'
import type { BatchOptions, EventLog, EventLogOptions, EventLogStats } from './types.js'
import { RateLimitedWarner, stderrSink, type WarningSink } from './warnings.js'
import { DEFAULT_LOCK_TIMEOUT_MS, openWriter, type RawWriter, type WriteError, type WriteResult } from './writer.js'

export const DEFAULT_BATCH: Required<BatchOptions> = { maxEvents: 256, maxDelayMs: 200, maxQueue: 10_000 }

type NormalizedOptions = { path: string; batch: Required<BatchOptions> | null; lockTimeoutMs: number; strict: boolean; sink: WarningSink }

function optionError(message: string): never {
  throw new TypeError(`createEventLog: ${message}`)
}

function number(value: unknown, name: string, fallback: number, min: number, integer: boolean): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || Number.isNaN(value)) optionError(`${name} must be a number, not ${typeof value}`)
  if (integer && !Number.isInteger(value)) optionError(`${name} must be an integer, not ${value}`)
  if (value < min || value === Infinity) optionError(`${name} must be finite and at least ${min}, not ${value}`)
  return value
}

/** Options that are wrong as code throw here; nothing about the file is looked at. */
export function normalizeOptions(options: unknown): NormalizedOptions {
  if (options === undefined || options === null) options = {}
  if (typeof options !== 'object' || Array.isArray(options)) optionError('options must be an object')
  const o = options as Record<string, unknown>
  if (o.path !== undefined && (typeof o.path !== 'string' || o.path === '')) optionError('path must be a non-empty string')
  if (o.strict !== undefined && typeof o.strict !== 'boolean') optionError('strict must be a boolean')
  if (o.onWarning !== undefined && typeof o.onWarning !== 'function') optionError('onWarning must be a function')
  let batch: Required<BatchOptions> | null = null
  if (o.batch === true) batch = { ...DEFAULT_BATCH }
  else if (o.batch !== undefined && o.batch !== false) {
    if (typeof o.batch !== 'object' || o.batch === null || Array.isArray(o.batch)) optionError('batch must be a boolean or { maxEvents, maxDelayMs, maxQueue }')
    const b = o.batch as Record<string, unknown>
    batch = {
      maxEvents: number(b.maxEvents, 'batch.maxEvents', DEFAULT_BATCH.maxEvents, 1, true),
      maxDelayMs: number(b.maxDelayMs, 'batch.maxDelayMs', DEFAULT_BATCH.maxDelayMs, 0, false),
      maxQueue: number(b.maxQueue, 'batch.maxQueue', DEFAULT_BATCH.maxQueue, 1, true)
    }
    if (batch.maxQueue < batch.maxEvents) optionError(`batch.maxQueue (${batch.maxQueue}) must be at least batch.maxEvents (${batch.maxEvents})`)
  }
  return {
    path: resolveEventsFile(o.path as string | undefined),
    batch,
    lockTimeoutMs: number(o.lockTimeoutMs, 'lockTimeoutMs', DEFAULT_LOCK_TIMEOUT_MS, 0, false),
    strict: o.strict === true,
    sink: (o.onWarning as WarningSink | undefined) ?? stderrSink
  }
}

// One 'exit' listener for every batched log of the process: what is still
// queued at a normal exit goes out synchronously.
const openBatched = new Set<EventLogImpl>()
let exitHooked = false
function watchExit(log: EventLogImpl): void {
  openBatched.add(log)
  if (exitHooked) return
  exitHooked = true
  process.on('exit', () => {
    for (const each of openBatched) each.flush()
  })
}

interface InFlight {
  lines: string[]
  /** writer.stats().appends when it was handed over: flush() tells from it whether it landed. */
  appendsBefore: number
}

class EventLogImpl implements EventLog {
  readonly path: string
  private readonly writer: RawWriter
  private readonly builder: EnvelopeBuilder
  private readonly warner: RateLimitedWarner
  private readonly batch: Required<BatchOptions> | null
  private closed = false
  private written = 0
  private refused = 0
  private truncated = 0
  private dropped = 0
  private queue: string[] = []
  private inFlight: InFlight | null = null
  private timer: NodeJS.Timeout | null = null

  constructor(options: NormalizedOptions) {
    this.path = options.path
    this.batch = options.batch
    this.warner = new RateLimitedWarner(options.sink)
    this.builder = new EnvelopeBuilder(options.strict, this.warner)
    this.writer = openWriter(options.path, { lockTimeoutMs: options.lockTimeoutMs })
    if (this.batch !== null) watchExit(this)
  }

  get native(): boolean {
    return this.writer.native
  }

  log(eventType: unknown, fields?: unknown): boolean {
    try {
      if (this.closed) {
        this.warner.warn('closed', `ds01-events: log() after close() on ${this.path}: the event was dropped`)
        this.dropped++
        return false
      }
      const line = this.builder.build(eventType, fields)
      if (line === null) {
        this.refused++
        return false
      }
      if (this.builder.truncated) this.truncated++
      return this.batch === null ? this.writeNow(line) : this.enqueue(line, this.batch)
    } catch (err) {
      // Not reachable by design (build() catches); the promise not to throw holds anyway.
      this.refused++
      this.warner.warn('internal', `ds01-events: internal error, event dropped: ${String(err)}`)
      return false
    }
  }

  private writeNow(line: string): boolean {
    const result = this.writer.append(line)
    if (result === null) {
      this.written++
      return true
    }
    this.dropped++
    this.warnWrite(result, 1, false)
    return false
  }

  private warnWrite(error: WriteError, lost: number, retrying: boolean): void {
    const message = writeFailureWarning(error, this.path, lost)
    this.warner.warn(`write:${error.code}`, retrying ? `${message} (kept queued; retrying)` : message)
  }

  private queuedCount(): number {
    return this.queue.length + (this.inFlight === null ? 0 : this.inFlight.lines.length)
  }

  private enqueue(line: string, batch: Required<BatchOptions>): boolean {
    if (this.queuedCount() >= batch.maxQueue) {
      this.dropped++
      this.warner.warn('queue-full', `ds01-events: the queue for ${this.path} is full (${batch.maxQueue} events): the disk is not keeping up or writes fail; events are dropped`)
      return false
    }
    this.queue.push(line)
    if (this.queue.length >= batch.maxEvents) this.startBatch()
    else if (this.timer === null) this.arm(batch.maxDelayMs)
    return true
  }

  private arm(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = null
      this.startBatch()
    }, delayMs)
    this.timer.unref()
  }

  private disarm(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
  }

  /** Hands up to maxEvents lines to the thread pool in one append; one batch in flight at a time keeps retries in order. */
  private startBatch(): void {
    if (this.inFlight !== null || this.queue.length === 0 || this.closed) return
    this.disarm()
    const max = this.batch?.maxEvents ?? Infinity
    let lines = this.queue
    if (lines.length <= max) this.queue = []
    else lines = this.queue.splice(0, max)
    const batch: InFlight = { lines, appendsBefore: this.writer.stats().appends }
    this.inFlight = batch
    this.writer.appendAsync(lines.join(''), (result) => this.settle(batch, result))
  }

  private settle(batch: InFlight, result: WriteResult): void {
    if (this.inFlight !== batch) return // flush() already accounted for it
    this.inFlight = null
    if (result === null) this.written += batch.lines.length
    else this.requeue(batch.lines, result)
    this.schedule(result === null)
  }

  /**
   * Whatever is queued gets a next write: at once when a full batch waits and
   * writes work, else after maxDelayMs (also the retry pace after a failure).
   * Never synchronously: this runs inside flush() when the JS writer drains.
   */
  private schedule(writesWork: boolean): void {
    if (this.batch === null || this.queue.length === 0 || this.closed || this.inFlight !== null) return
    if (writesWork && this.queue.length >= this.batch.maxEvents) {
      this.disarm()
      this.arm(0)
    } else if (this.timer === null) {
      this.arm(this.batch.maxDelayMs)
    }
  }

  /** A failed batch goes back in front, in order; what no longer fits in maxQueue (the newest) is dropped. */
  private requeue(lines: string[], error: WriteError): void {
    const max = this.batch?.maxQueue ?? Infinity
    const queue = lines.concat(this.queue)
    const overflow = Math.max(0, queue.length - max)
    if (overflow > 0) queue.length = max
    this.queue = queue
    this.dropped += overflow
    this.warnWrite(error, lines.length, !this.closed)
  }

  flush(): boolean {
    try {
      return this.flushNow()
    } catch (err) {
      this.warner.warn('internal', `ds01-events: internal error in flush(): ${String(err)}`)
      return false
    }
  }

  private flushNow(): boolean {
    if (this.batch === null) return true
    this.disarm()
    let ok = true
    const pending = this.inFlight
    if (pending !== null) {
      // An empty append makes the writer write the async batch it holds, then
      // refuses the empty data: the in-flight batch lands before the queue.
      this.writer.append('')
      if (this.inFlight === pending) ok = this.settleInFlight(pending)
    }
    if (this.queue.length > 0) {
      const lines = this.queue
      this.queue = []
      const result = this.writer.append(lines.join(''))
      if (result === null) {
        this.written += lines.length
      } else {
        ok = false
        this.requeue(lines, result)
      }
    }
    this.schedule(ok)
    return ok
  }

  /**
   * The in-flight batch was written (or failed) by the empty append, but its
   * callback has not run: the writer's append count says which. The
   * JavaScript writer may have it on the thread pool, already in the kernel's
   * hands: its callback will count it.
   */
  private settleInFlight(pending: InFlight): boolean {
    if (!this.writer.native) return true
    this.inFlight = null
    if (this.writer.stats().appends > pending.appendsBefore) {
      this.written += pending.lines.length
      return true
    }
    this.requeue(pending.lines, { code: 'EIO', errno: 0, message: 'the batch in flight did not land' })
    return false
  }

  close(): void {
    try {
      if (this.closed) return
      this.flush()
      this.disarm()
      this.closed = true
      openBatched.delete(this)
      if (this.queue.length > 0) {
        this.dropped += this.queue.length
        this.queue = []
      }
      this.writer.close()
    } catch (err) {
      this.warner.warn('internal', `ds01-events: internal error in close(): ${String(err)}`)
    }
  }

  stats(): EventLogStats {
    let lockTimeouts = 0
    let reopens = 0
    try {
      const w = this.writer.stats()
      lockTimeouts = w.lockTimeouts
      reopens = w.reopens
    } catch {
      // a closed or broken writer has no counts to give
    }
    return { written: this.written, refused: this.refused, truncated: this.truncated, dropped: this.dropped, lockTimeouts, reopens, queued: this.queuedCount() }
  }
}

/** Throws only for options that are wrong as code; an unwritable path warns at the first write. */
export function createEventLog(options?: EventLogOptions): EventLog {
  return new EventLogImpl(normalizeOptions(options))
}
