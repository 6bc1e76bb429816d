// What becomes of a line that passed the filter: a record (the library, the
// --limit window), a count (--summary), or its bytes copied out as they are
// (--all --json: no string, no parse, memory flat).
import type { Summary } from './output.js'
import { latin1, utf8Text, type LineSink } from './scan.js'

/** --summary straight from the envelope read in place; parsed events otherwise. */
export function summarySink(summary: Summary): LineSink {
  // consecutive lines share their day: reuse its string (its hash is computed once)
  const lastDay = Buffer.alloc(10)
  let lastDayText = ''
  const dayOf = (buf: Buffer, at: number): string => {
    for (let i = 0; i < 10; i++) {
      if (buf[at + i] !== lastDay[i]) {
        buf.copy(lastDay, 0, at, at + 10)
        lastDayText = latin1(buf, at, at + 10)
        break
      }
    }
    return lastDayText
  }
  return (buf, _start, _end, fast, event) => {
    if (fast !== null) {
      const user = fast.user === undefined ? undefined : utf8Text(fast.user)
      const source = fast.source === undefined ? undefined : utf8Text(fast.source)
      summary.add(fast.type, user, source, dayOf(buf, fast.tsStart))
    } else if (event !== null) {
      summary.addEvent(event)
    }
  }
}

/** The matching lines' bytes, newline included; take() after each chunk, before the reader reads on. */
export class RawLines {
  private buf: Buffer | null = null
  private readonly ranges: number[] = []
  private bytes = 0

  readonly sink: LineSink = (buf, start, end) => {
    this.buf = buf
    this.ranges.push(start, end + 1) // end is the line's newline
    this.bytes += end + 1 - start
  }

  take(): Buffer | null {
    if (this.ranges.length === 0 || this.buf === null) return null
    const out = Buffer.allocUnsafe(this.bytes)
    let at = 0
    for (let i = 0; i < this.ranges.length; i += 2) at += this.buf.copy(out, at, this.ranges[i], this.ranges[i + 1])
    this.ranges.length = 0
    this.bytes = 0
    this.buf = null
    return out
  }
}
