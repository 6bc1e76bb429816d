// createEventLog: an envelope builder in front of one writer, synchronous or
// batched. log() never throws; in batched mode it waits for the disk only when
// the queue is full, and then at most QUEUE_FULL_WAIT_MS per stall.
import { writeFailureWarning } from './advice.js'
import { EnvelopeBuilder } from './envelope.js'
import { LineQueue, type Batch } from './line-queue.js'
import type { BatchOptions, EventLog, EventLogOptions, EventLogStats } from './types.js'
import { RateLimitedWarner, resolveEventsFile, stderrSink, type WarningSink } from '../common/index.js'
import { DEFAULT_LOCK_TIMEOUT_MS, openWriter, type RawWriter, type WriteError, type WriteResult } from '../writer/index.js'

export const DEFAULT_BATCH: Required<BatchOptions> = { maxEvents: 256, maxDelayMs: 200, maxQueue: 10_000 }

/**
 * The longest log() waits for the writer when the queue is full (a caller
 * faster than the disk) before it drops. After such a wait runs out, log()
 * does not wait again until the writer makes progress: a stalled disk costs
 * the event loop this much once per stall, not once per event.
 */
export const QUEUE_FULL_WAIT_MS = 250

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

/** A batch handed to the writer; `result` once its callback has come. */
interface InFlight {
  batch: Batch
  job: number // the writer's number for it
  result: WriteResult | undefined
  settled: boolean // counted (landed, requeued or dropped): a late callback changes nothing
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
  /** Batches handed to the writer, oldest first; any number, written in order. */
  private inFlight: InFlight[] = []
  private inFlightEvents = 0
  /** A write failed: nothing new is handed over until the failed batches are requeued and retried. */
  private failing = false
  /** A wait for the writer ran out: no more waiting until it makes progress. */
  private stalled = false
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
    return this.queue.count + this.inFlightEvents
  }

  private enqueue(line: string, batch: Required<BatchOptions>): boolean {
    if (this.queuedCount() >= batch.maxQueue && !this.makeRoom(batch.maxQueue)) {
      this.dropped++
      this.warner.warn('queue-full', `ds01-events: the queue for ${this.path} is full (${batch.maxQueue} events): writes fail or the disk did not catch up within ${QUEUE_FULL_WAIT_MS} ms; events are dropped`)
      return false
    }
    this.queue.push(line)
    if (this.failing) return true // the retry timer takes it from here
    if (this.queue.count >= batch.maxEvents) this.handOver()
    else if (this.timer === null) this.arm(batch.maxDelayMs)
    return true
  }

  /**
   * The queue is full while the caller keeps the event loop busy (callbacks
   * cannot run): wait for the writer to finish what it holds, at most
   * QUEUE_FULL_WAIT_MS, then count what landed. A disk that works always
   * makes room; only failing or stalled writes end in a drop.
   */
  private makeRoom(maxQueue: number): boolean {
    if (this.failing || this.stalled || this.inFlight.length === 0) return false
    if (!this.writer.waitIdle(QUEUE_FULL_WAIT_MS)) {
      this.stalled = true
      return false
    }
    this.settleWritten()
    return this.queuedCount() < maxQueue
  }

  /**
   * Once the writer holds nothing unwritten (after waitIdle() true, or in
   * flush()): drain() says whether a failure went unheard, lastLanded() which
   * batches landed, so every batch in flight is settled now: the landed ones
   * counted, the failed ones back in front of the queue, in order. Their
   * callbacks, later, find them settled. true when all of them landed.
   */
  private settleWritten(): boolean {
    let failure = this.writer.drain()
    const landedThrough = this.writer.lastLanded()
    for (const entry of this.inFlight) {
      if (entry.result === undefined && entry.job !== 0 && entry.job <= landedThrough) entry.result = null
      else if (entry.result != null) failure ??= entry.result
    }
    for (const entry of this.inFlight) {
      if (entry.result === undefined) entry.result = failure ?? { code: 'EUNKNOWN', errno: 0, message: 'the writer did not say why a batch was not written' }
    }
    while (this.inFlight.length > 0 && this.inFlight[0].result === null) this.landed(this.shiftInFlight())
    if (this.inFlight.length === 0) return true
    this.requeueInFlight()
    return false
  }

  private arm(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = null
      // A failure's batches are still coming back: their requeue arms the retry.
      if (this.failing && this.inFlight.length > 0) return
      this.failing = false
      this.handOver()
    }, delayMs)
    this.timer.unref()
  }

  private disarm(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
  }

  /**
   * Hands the whole queue to the writer at once, however many batches are
   * already in flight: the writer writes them in order on its own threads,
   * so full batches reach the disk even while the caller never yields.
   */
  private handOver(): void {
    if (this.queue.count === 0 || this.closed) return
    this.disarm()
    const entry: InFlight = { batch: this.queue.take(), job: 0, result: undefined, settled: false }
    this.inFlight.push(entry)
    this.inFlightEvents += entry.batch.count
    entry.job = this.writer.appendAsync(entry.batch.bytes, (result) => {
      try {
        this.onWritten(entry, result)
      } catch (err) {
        // Not reachable by design; a callback must never throw into the host's event loop.
        this.warner.warn('internal', `ds01-events: internal error after a batch write: ${String(err)}`)
      }
    })
  }

  private onWritten(entry: InFlight, result: WriteResult): void {
    entry.result = result
    this.stalled = false // the writer made progress
    if (entry.settled) return // settleWritten() counted it already
    if (result !== null) this.failing = true
    // Callbacks may come in any order: settle from the oldest batch on.
    while (this.inFlight.length > 0 && this.inFlight[0].result === null) this.landed(this.shiftInFlight())
    if (this.inFlight.length === 0) {
      if (!this.failing) this.schedule()
      return
    }
    // A failure: every batch handed over before the writer heard of it fails
    // too, untried. Once all have answered, they go back in front, in order.
    if (this.failing && this.inFlight.every((each) => each.result !== undefined)) this.requeueInFlight()
  }

  private shiftInFlight(): InFlight {
    const entry = this.inFlight.shift() as InFlight
    this.inFlightEvents -= entry.batch.count
    return entry
  }

  private landed(entry: InFlight): void {
    entry.settled = true
    this.written += entry.batch.count
    this.queue.recycle(entry.batch)
  }

  /** What is queued gets a next write: at once when a full batch waits, else after maxDelayMs. */
  private schedule(): void {
    if (this.batch === null || this.queue.count === 0 || this.closed) return
    if (this.queue.count >= this.batch.maxEvents) this.handOver()
    else if (this.timer === null) this.arm(this.batch.maxDelayMs)
  }

  /** Every batch in flight has answered and one failed: the failed ones go back in front, then a retry after maxDelayMs. */
  private requeueInFlight(): void {
    const failed: Batch[] = []
    let error: WriteError | null = null
    while (this.inFlight.length > 0) {
      const entry = this.shiftInFlight()
      if (entry.result === null) {
        this.landed(entry) // not expected after a failure (the writer halts), but it did land
        continue
      }
      entry.settled = true
      error ??= entry.result ?? null
      failed.push(entry.batch)
    }
    if (error === null) return
    const bytes = failed.length === 1 ? failed[0].bytes : Buffer.concat(failed.map((b) => b.bytes))
    this.requeue({ bytes, count: failed.reduce((n, b) => n + b.count, 0) }, error)
  }

  /** A failed batch goes back in front, in order; what no longer fits in maxQueue (the newest) is dropped. */
  private requeue(batch: Batch, error: WriteError): void {
    this.failing = true
    if (this.closed) {
      this.dropped += batch.count
      this.warnWrite(error, batch.count, false)
      return
    }
    this.dropped += this.queue.prepend(batch, this.batch?.maxQueue ?? Infinity)
    this.warnWrite(error, batch.count, true)
    if (this.batch !== null && this.timer === null) this.arm(this.batch.maxDelayMs)
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
    // Everything handed over lands (or fails) before the queue is written.
    // Batches handed over land (or fail and go back in front) before the queue is written.
    if (this.inFlight.length > 0) this.settleWritten()
    this.disarm()
    this.failing = false
    this.stalled = false
    if (this.queue.count === 0) return true
    const batch = this.queue.take()
    const result = this.writer.append(batch.bytes)
    if (result === null) {
      this.landed({ batch, job: 0, result, settled: false })
      return true
    }
    this.requeue(batch, result)
    return false
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
