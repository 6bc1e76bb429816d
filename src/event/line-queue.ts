// The batched mode's queue: lines encoded to UTF-8 into one growing Buffer as
// they are logged (while the string is hot in cache), so a batch is handed to
// the writer as bytes, with no join and no second encoding of a big string.
const INITIAL_BYTES = 64 * 1024
const KEEP_BYTES = 4 * 1024 * 1024 // a buffer grown past this during a backlog is not kept for reuse
const KEEP_BUFFERS = 8 // several batches may be in flight: keep a few landed buffers for reuse

/** Whole lines, newline included, in the order they were pushed. */
export interface Batch {
  bytes: Buffer
  count: number
}

export class LineQueue {
  count = 0
  private buf: Buffer
  private used = 0
  private readonly spares: Buffer[] = []
  /** The size a batch needed last: new buffers start there, not at 64 KiB, so they need not grow. */
  private nextBytes = INITIAL_BYTES

  constructor() {
    this.buf = Buffer.allocUnsafe(INITIAL_BYTES)
  }

  get byteLength(): number {
    return this.used
  }

  push(line: string): void {
    // A JavaScript string of n units is at most 3n bytes of UTF-8.
    if (this.used + line.length * 3 > this.buf.length) this.grow(line.length * 3)
    this.used += this.buf.write(line, this.used)
    this.count++
  }

  /** Everything queued; the queue starts over in another buffer, this one stays untouched until recycled. */
  take(): Batch {
    const batch = { bytes: this.buf.subarray(0, this.used), count: this.count }
    this.buf = this.spares.pop() ?? Buffer.allocUnsafe(this.nextBytes)
    this.used = 0
    this.count = 0
    return batch
  }

  /** A batch that landed: its buffer can be reused. */
  recycle(batch: Batch): void {
    const whole = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.buffer.byteLength - batch.bytes.byteOffset)
    if (this.spares.length < KEEP_BUFFERS && whole.length <= KEEP_BYTES) this.spares.push(whole)
  }

  /**
   * A batch that failed goes back in front, in order. At most `max` lines are
   * kept (the oldest); returns how many of the newest were dropped.
   */
  prepend(batch: Batch, max: number): number {
    const total = batch.count + this.count
    const merged = Buffer.allocUnsafe(Math.max(INITIAL_BYTES, batch.bytes.length + this.used))
    batch.bytes.copy(merged, 0)
    this.buf.copy(merged, batch.bytes.length, 0, this.used)
    this.buf = merged
    this.used = batch.bytes.length + this.used
    this.count = total
    if (total <= max) return 0
    // Keep the first `max` lines: find the end of line number `max`.
    let end = -1
    for (let i = 0; i < max; i++) end = this.buf.indexOf(0x0a, end + 1)
    this.used = end + 1
    this.count = max
    return total - max
  }

  private grow(need: number): void {
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.used + need))
    if (bigger.length <= KEEP_BYTES) this.nextBytes = Math.max(this.nextBytes, bigger.length)
    this.buf.copy(bigger, 0, 0, this.used)
    this.buf = bigger
  }
}
