// A .gz generation decompressed as zcat reads it: every member of a
// multi-member file, everything before a damaged byte (not just what a large
// chunk completed before it), and the damage said, never mistaken for a line.
// Input goes to zlib in small pieces, so an error costs at most one piece's
// output; on an error the file is decompressed again from its start (output
// already given is not given twice) with ever smaller pieces up to the byte
// where it fails. Reads through a FileHandle the caller owns and closes.
import type { promises as fsp } from 'node:fs'
import { createGunzip, type Gunzip } from 'node:zlib'

export interface GzDamage {
  /** compressed byte offset where reading stopped */
  at: number
  size: number
  kind: 'trailing' | 'truncated' | 'corrupt' | 'not-gzip'
  message: string
}

const READ_BYTES = 64 << 10
/** Piece sizes of the first pass and of each retry after an error. */
const PIECES = [16 << 10, 512, 1]

interface PassEnd {
  ok: boolean
  /** start of the piece whose write failed */
  failedAt: number
  error: Error | null
}

function writePiece(z: Gunzip, piece: Buffer): Promise<Error | null> {
  return new Promise((resolve) => {
    const onError = (err: Error): void => resolve(err)
    z.once('error', onError)
    z.write(piece, (err) => {
      z.off('error', onError)
      resolve(err ?? null)
    })
  })
}

function finish(z: Gunzip): Promise<Error | null> {
  return new Promise((resolve) => {
    z.once('error', (err) => resolve(err))
    z.once('end', () => resolve(null))
    z.end()
  })
}

/** One decompression from the start; yields output past `skip` bytes; fast (large pieces) up to `fastUntil`. */
async function * pass(handle: fsp.FileHandle, size: number, piece: number, fastUntil: number, skip: number): AsyncGenerator<Buffer, PassEnd> {
  const z = createGunzip({ chunkSize: 64 << 10 })
  const out: Buffer[] = []
  z.on('data', (b: Buffer) => out.push(b))
  z.on('error', () => { /* answered through writePiece / finish */ })
  let skipLeft = skip
  const take = (): Buffer | null => {
    if (out.length === 0) return null
    let all = out.length === 1 ? out[0] : Buffer.concat(out)
    out.length = 0
    if (skipLeft > 0) {
      const n = Math.min(skipLeft, all.length)
      skipLeft -= n
      all = all.subarray(n)
    }
    return all.length > 0 ? all : null
  }
  try {
    let at = 0
    while (at < size) {
      const n = at < fastUntil ? Math.min(READ_BYTES, fastUntil - at) : Math.min(piece, size - at)
      const buf = Buffer.allocUnsafe(n)
      const { bytesRead } = await handle.read(buf, 0, n, at)
      if (bytesRead === 0) break
      const error = await writePiece(z, buf.subarray(0, bytesRead))
      const got = take()
      if (got !== null) yield got
      if (error !== null) return { ok: false, failedAt: at, error }
      at += bytesRead
    }
    const error = await finish(z)
    const got = take()
    if (got !== null) yield got
    return { ok: error === null, failedAt: at, error }
  } finally {
    z.destroy()
  }
}

function classify(error: Error, at: number, size: number, given: number): GzDamage {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'Z_BUF_ERROR' || /unexpected end/.test(error.message)) {
    return { at, size, kind: 'truncated', message: `ends early after ${size} bytes (cut, or still being written): the rest of it is missing` }
  }
  if (/incorrect header check|unknown compression method|invalid block type/.test(error.message) && given === 0 && at < 16) {
    return { at, size, kind: 'not-gzip', message: 'is not gzip data: nothing in it could be read' }
  }
  if (/incorrect header check/.test(error.message) && given > 0) {
    // fed byte by byte, zlib sees a bad header at its second byte
    const from = Math.max(0, at - 1)
    return { at: from, size, kind: 'trailing', message: `has ${size - from} bytes that are not gzip after its last whole member (from byte ${from}): not read` }
  }
  return { at, size, kind: 'corrupt', message: `is damaged at byte ${at} of ${size} (${error.message}): the ${size - at} bytes from there could not be decompressed` }
}

/**
 * The decompressed content of a .gz of `size` bytes, in chunks, as far as it
 * can be read; onDamage is called once when not all of it could be.
 */
export async function * gunzipChunks(handle: fsp.FileHandle, size: number, onDamage: (damage: GzDamage) => void): AsyncGenerator<Buffer> {
  let given = 0
  let fastUntil = 0
  let last: PassEnd | null = null
  for (const piece of PIECES) {
    const run = pass(handle, size, piece, fastUntil, given)
    try {
      for (;;) {
        const step = await run.next()
        if (step.done === true) {
          last = step.value
          break
        }
        given += step.value.length
        yield step.value
      }
    } finally {
      await run.return({ ok: false, failedAt: 0, error: null }) // stopped early: zlib let go
    }
    if (last.ok || last.error === null) return
    // a truncated file fails only at its end: smaller pieces would find nothing more
    if (/unexpected end/.test(last.error.message)) break
    fastUntil = last.failedAt
  }
  if (last !== null && last.error !== null) onDamage(classify(last.error, last.failedAt, size, given))
}

/** At least the first `bytes` decompressed bytes (fewer when the file holds fewer), damage ignored. */
export async function gunzipHead(handle: fsp.FileHandle, size: number, bytes: number): Promise<Buffer> {
  const parts: Buffer[] = []
  let length = 0
  for await (const part of gunzipChunks(handle, size, () => { /* the head is what could be read */ })) {
    parts.push(part)
    length += part.length
    if (length >= bytes) break
  }
  return Buffer.concat(parts)
}
