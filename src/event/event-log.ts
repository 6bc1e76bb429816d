// createEventLog: an envelope builder in front of one writer, synchronous or
// batched. log() never throws and never blocks on the disk in batched mode.
import { writeFailureWarning } from './advice.js'
import { EnvelopeBuilder } from './envelope.js'
import { LineQueue, type Batch } from './line-queue.js'
import type { BatchOptions, EventLog, EventLogOptions, EventLogStats } from './types.js'
import { RateLimitedWarner, resolveEventsFile, stderrSink, type WarningSink } from '../common/index.js'
import { DEFAULT_LOCK_TIMEOUT_MS, openWriter, type RawWriter, type WriteError, type WriteResult } from '../writer/index.js'

export const DEFAULT_BATCH: Required<BatchOptions> = { maxEvents: 256, maxDelayMs: 200, maxQueue: 10_000 }

type NormalizedOptions = { path: string; batch: Required<BatchOptions> | null; lockTimeoutMs: number; strict: boolean; sink: WarningSink }

function optionError(message: string): never {
  throw new TypeError(`createEventLog: ${message}`)
}

// The longest delay setTimeout keeps (a longer one fires at once).
const MAX_MS = 2 ** 31 - 1

function number(value: unknown, name: string, fallback: number, min: number, integer: boolean, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || Number.isNaN(value)) optionError(`${name} must be a number, not ${typeof value}`)
  if (integer && !Number.isInteger(value)) optionError(`${name} must be an integer, not ${value}`)
  if (value < min || value > max) optionError(`${name} must be from ${min} to ${max}, not ${value}`)
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
      maxDelayMs: number(b.maxDelayMs, 'batch.maxDelayMs', DEFAULT_BATCH.maxDelayMs, 0, false, MAX_MS),
      maxQueue: number(b.maxQueue, 'batch.maxQueue', DEFAULT_BATCH.maxQueue, 1, true)
    }
    if (batch.maxQueue < batch.maxEvents) optionError(`batch.maxQueue (${batch.maxQueue}) must be at least batch.maxEvents (${batch.maxEvents})`)
  }
  return {
    path: resolveEventsFile(o.path as string | undefined),
    batch,
    lockTimeoutMs: number(o.lockTimeoutMs, 'lockTimeoutMs', DEFAULT_LOCK_TIMEOUT_MS, 0, false, MAX_MS),
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
  batch: Batch
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
  private readonly queue = new LineQueue()
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
    return this.queue.count + (this.inFlight === null ? 0 : this.inFlight.batch.count)
  }

  private enqueue(line: string, batch: Required<BatchOptions>): boolean {
    if (this.queuedCount() >= batch.maxQueue) {
      this.dropped++
      this.warner.warn('queue-full', `ds01-events: the queue for ${this.path} is full (${batch.maxQueue} events): the disk is not keeping up or writes fail; events are dropped`)
      return false
    }
    this.queue.push(line)
    if (this.queue.count >= batch.maxEvents) this.startBatch()
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

  /**
   * Hands the whole queue to the thread pool in one append. One batch in
   * flight at a time keeps retries in order; what queued meanwhile goes next,
   * all of it, so a producer faster than one round trip per maxEvents still
   * drains (batches grow instead of the queue).
   */
  private startBatch(): void {
    if (this.inFlight !== null || this.queue.count === 0 || this.closed) return
    this.disarm()
    const inFlight: InFlight = { batch: this.queue.take() }
    this.inFlight = inFlight
    this.writer.appendAsync(inFlight.batch.bytes, (result) => this.settle(inFlight, result))
  }

  private settle(inFlight: InFlight, result: WriteResult): void {
    if (this.inFlight !== inFlight) return // flush() already accounted for it
    this.inFlight = null
    if (result === null) this.landed(inFlight.batch)
    else this.requeue(inFlight.batch, result)
    this.schedule(result === null)
  }

  private landed(batch: Batch): void {
    this.written += batch.count
    this.queue.recycle(batch)
  }

  /**
   * Whatever is queued gets a next write: at once when a full batch waits and
   * writes work, else after maxDelayMs (also the retry pace after a failure).
   * Writers call back later, never inside flush(), so this never nests in it.
   */
  private schedule(writesWork: boolean): void {
    if (this.batch === null || this.queue.count === 0 || this.closed || this.inFlight !== null) return
    if (writesWork && this.queue.count >= this.batch.maxEvents) {
      this.startBatch()
    } else if (this.timer === null) {
      this.arm(this.batch.maxDelayMs)
    }
  }

  /** A failed batch goes back in front, in order; what no longer fits in maxQueue (the newest) is dropped. */
  private requeue(batch: Batch, error: WriteError): void {
    this.dropped += this.queue.prepend(batch, this.batch?.maxQueue ?? Infinity)
    this.warnWrite(error, batch.count, !this.closed)
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
      // The batch in flight lands (or fails) before the queue; its callback,
      // when it comes, finds it settled here and does nothing.
      this.inFlight = null
      const result = this.writer.drain()
      if (result === null) {
        this.landed(pending.batch)
      } else {
        ok = false
        this.requeue(pending.batch, result)
      }
    }
    if (this.queue.count > 0) {
      const batch = this.queue.take()
      const result = this.writer.append(batch.bytes)
      if (result === null) {
        this.landed(batch)
      } else {
        ok = false
        this.requeue(batch, result)
      }
    }
    this.schedule(ok)
    return ok
  }

  close(): void {
    try {
      if (this.closed) return
      this.flush()
      this.disarm()
      this.closed = true
      openBatched.delete(this)
      if (this.queue.count > 0) {
        const lost = this.queue.take().count
        this.dropped += lost
        this.warner.warn('close-dropped', `ds01-events: close(): ${lost} queued event(s) for ${this.path} could not be written and are dropped`)
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
