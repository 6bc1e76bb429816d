// Whole lines out of a child's pipe. Unlike readline, a last line without its
// newline (nvidia-smi killed mid-write) is reported as incomplete, never passed
// on as if it were whole: "70.1" cut from "700.12" must not become a reading.
// Bytes are decoded per complete line, so a chunk boundary inside a UTF-8
// character is harmless and no StringDecoder runs per chunk.
import type { Readable } from 'node:stream'

/** Longest line kept while waiting for its newline; a sample line is about 100 bytes. */
const MAX_PENDING = 64 * 1024
const NEWLINE = 0x0a

export interface LineHandlers {
  line(text: string): void
  /** Text dropped without a newline: at the end of the stream, or longer than 64 KiB. */
  incomplete(text: string): void
}

export function readLines(stream: Readable, handlers: LineHandlers): void {
  let pending: Buffer | null = null
  let skipping = false // inside an overlong line already reported: drop up to its newline
  stream.on('data', (chunk: Buffer) => {
    const bytes = pending === null ? chunk : Buffer.concat([pending, chunk])
    pending = null
    let start = 0
    if (skipping) {
      const end = bytes.indexOf(NEWLINE)
      if (end === -1) return
      skipping = false
      start = end + 1
    }
    let newline: number
    while ((newline = bytes.indexOf(NEWLINE, start)) !== -1) {
      handlers.line(bytes.toString('utf8', start, newline))
      start = newline + 1
    }
    if (start === bytes.length) return
    if (bytes.length - start > MAX_PENDING) {
      handlers.incomplete(bytes.toString('utf8', start))
      skipping = true
      return
    }
    // A copy, so the rest of a line does not keep the whole chunk alive.
    pending = Buffer.from(bytes.subarray(start))
  })
  stream.on('end', () => {
    if (pending !== null) handlers.incomplete(pending.toString('utf8'))
    pending = null
  })
  // A pipe error ends the stream as far as we are concerned; the child's exit is handled elsewhere.
  stream.on('error', () => {})
}
