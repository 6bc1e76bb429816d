// Whole lines out of a child's pipe. Unlike readline, a last line without its
// newline (nvidia-smi killed mid-write) is reported as incomplete, never passed
// on as if it were whole: "70.1" cut from "700.12" must not become a reading.
import type { Readable } from 'node:stream'

/** Longest line kept while waiting for its newline; a sample line is about 100 bytes. */
const MAX_PENDING = 64 * 1024

export interface LineHandlers {
  line(text: string): void
  /** Text dropped without a newline: at the end of the stream, or longer than 64 KiB. */
  incomplete(text: string): void
}

export function readLines(stream: Readable, handlers: LineHandlers): void {
  let pending = ''
  stream.setEncoding('utf8')
  stream.on('data', (chunk: string) => {
    pending += chunk
    let start = 0
    let newline: number
    while ((newline = pending.indexOf('\n', start)) !== -1) {
      handlers.line(pending.slice(start, newline))
      start = newline + 1
    }
    pending = start === 0 ? pending : pending.slice(start)
    if (pending.length > MAX_PENDING) {
      handlers.incomplete(pending)
      pending = ''
    }
  })
  stream.on('end', () => {
    if (pending !== '') handlers.incomplete(pending)
    pending = ''
  })
  // A pipe error ends the stream as far as we are concerned; the child's exit is handled elsewhere.
  stream.on('error', () => {})
}
