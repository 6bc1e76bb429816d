// A .gz generation through the scanner: its content (as zcat reads it, see
// gunzip.ts) from a content offset, line by line, yielding after each chunk.
import type { promises as fsp } from 'node:fs'
import { PAST_UNTIL } from './scan.js'
import { chunkDone, chunkStart, type ScanEnd, type ScanState } from './file-source.js'
import { gunzipChunks, type GzDamage } from './gunzip.js'

/** The bound on a line, as for plain files: a longer "line" is damage, dropped and counted. */
const LINE_BOUND = 4 << 20
const EMPTY = Buffer.alloc(0)

export async function * scanGz(handle: fsp.FileHandle, from: number, state: ScanState, end: ScanEnd, onDamage: (damage: GzDamage) => void): AsyncGenerator<void> {
  const size = (await handle.stat()).size
  let carry: Buffer = EMPTY
  let received = 0 // content bytes decompressed so far
  let dropping = false
  for await (const part of gunzipChunks(handle, size, onDamage)) {
    if (state.stopped()) return
    let partStart = received
    received += part.length
    if (received <= from) continue
    let piece = part
    if (partStart < from) {
      piece = part.subarray(from - partStart)
      partStart = from
    }
    let buf = carry.length === 0 ? piece : Buffer.concat([carry, piece])
    let base = partStart - carry.length // content offset of buf[0]
    if (dropping) {
      const nl = buf.indexOf(0x0a)
      if (nl < 0) { carry = EMPTY; continue }
      dropping = false
      buf = buf.subarray(nl + 1)
      base += nl + 1
    }
    const lastNl = buf.lastIndexOf(0x0a)
    if (lastNl < 0) {
      // no newline yet: keep it, up to the bound on a line
      if (buf.length >= LINE_BOUND) {
        state.skips.unreadable++
        dropping = true
        carry = EMPTY
      } else {
        carry = buf
      }
      continue
    }
    chunkStart(state, base)
    const r = state.scanner.scan(buf, 0, lastNl)
    chunkDone(state, base, lastNl, r === PAST_UNTIL)
    if (r === PAST_UNTIL) {
      end.pastUntil = true
      yield
      return
    }
    end.position = base + lastNl + 1
    carry = buf.subarray(lastNl + 1)
    yield
  }
  if (carry.length > 0 && !dropping) state.skips.torn++
}
