// Lines of a stream with bounded memory: a line longer than maxBytes is not
// held; its bytes are counted and dropped up to the next newline, and it is
// reported as overlong so the caller can skip it and go on with the next.
import type { Readable } from 'node:stream'

export interface Overlong {
  /** Bytes the line had, its line break not counted. */
  overlong: number
}

const NEWLINE = 0x0a
const CR = 0x0d

/** Each line as text (without '\n' or '\r\n'), or {overlong} for one past maxBytes. */
export async function* boundedLines(input: Readable, maxBytes: number): AsyncGenerator<string | Overlong> {
  let parts: Buffer[] = []
  let held = 0 // bytes in parts
  let dropped = -1 // >= 0: inside an overlong line, this many bytes so far
  const finish = (): string | Overlong => {
    if (dropped >= 0) {
      const line = { overlong: dropped }
      dropped = -1
      return line
    }
    let bytes = parts.length === 1 ? parts[0] : Buffer.concat(parts, held)
    parts = []
    held = 0
    if (bytes.length > 0 && bytes[bytes.length - 1] === CR) bytes = bytes.subarray(0, bytes.length - 1)
    return bytes.length > maxBytes ? { overlong: bytes.length } : bytes.toString('utf8')
  }
  const take = (piece: Buffer): void => {
    if (piece.length === 0) return
    if (dropped >= 0) {
      dropped += piece.length
      return
    }
    // maxBytes + 1: room for the '\r' of a CRLF line of exactly maxBytes
    if (held + piece.length > maxBytes + 1) {
      dropped = held + piece.length
      parts = []
      held = 0
      return
    }
    parts.push(piece)
    held += piece.length
  }
  for await (const chunk of input) {
    const buffer: Buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk
    let start = 0
    for (let at = buffer.indexOf(NEWLINE); at !== -1; at = buffer.indexOf(NEWLINE, start)) {
      take(buffer.subarray(start, at))
      yield finish()
      start = at + 1
    }
    // a copy: a subarray would keep the whole chunk alive
    if (start < buffer.length) take(start === 0 ? buffer : Buffer.from(buffer.subarray(start)))
  }
  if (held > 0 || dropped >= 0) yield finish()
}
