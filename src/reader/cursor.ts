// Positions in a log's history, and cursors: where a read ended, as text a
// later read resumes from, exactly once across rotations. A position names a
// file by its device and inode and by a fingerprint of its first bytes
// (decompressed), and an offset in its (decompressed) content just after a
// line. The inode alone is not enough: logrotate compresses `.2` into a new
// file `.2.gz` (a new inode); the fingerprint finds it there.
import { createHash } from 'node:crypto'
import type { promises as fsp } from 'node:fs'
import { gunzipHead } from './gunzip.js'
import type { EventRecord } from './record.js'
import type { LineSink } from './scan.js'

/** Bytes of a file's start its fingerprint covers (fewer while the file is shorter). */
export const FINGERPRINT_BYTES = 4096

export interface FileIdentity {
  dev: number
  ino: number
  /** bytes of the file's start the fingerprint covers */
  fpLen: number
  /** sha256 (hex, first 32 digits) of those bytes */
  fp: string
}

export interface Position {
  file: FileIdentity
  /** just after the last line read, in the file's decompressed content */
  offset: number
}

export function fingerprint(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 32)
}

const CURSOR = /^ds01:v1;d=(\d+);i=(\d+);l=(\d+);h=([0-9a-f]{32});o=(\d+)$/

/** A position as cursor text (one line, no spaces: safe in a file and as an argument). */
export function encodeCursor(p: Position): string {
  return `ds01:v1;d=${p.file.dev};i=${p.file.ino};l=${p.file.fpLen};h=${p.file.fp};o=${p.offset}`
}

/** The position of cursor text, or null when it is not one. */
export function decodeCursor(text: string): Position | null {
  const m = CURSOR.exec(text.trim())
  if (m === null) return null
  const [dev, ino, fpLen, offset] = [m[1], m[2], m[3], m[5]].map(Number)
  if (![dev, ino, fpLen, offset].every(Number.isSafeInteger) || fpLen > FINGERPRINT_BYTES || fpLen === 0) return null
  return { file: { dev, ino, fpLen, fp: m[4] }, offset }
}

/** The first `bytes` bytes of a plain file, or of a .gz's content. */
export async function headBytes(handle: fsp.FileHandle, gz: boolean, bytes: number): Promise<Buffer> {
  const size = (await handle.stat()).size
  if (gz) return (await gunzipHead(handle, size, bytes)).subarray(0, bytes)
  const buf = Buffer.alloc(Math.min(bytes, size))
  const { bytesRead } = await handle.read(buf, 0, buf.length, 0)
  return buf.subarray(0, bytesRead)
}

/** A file's identity now (its fingerprint covers what it holds, up to FINGERPRINT_BYTES). */
export async function identify(handle: fsp.FileHandle, gz: boolean, dev: number, ino: number): Promise<FileIdentity> {
  const head = await headBytes(handle, gz, FINGERPRINT_BYTES)
  return { dev, ino, fpLen: head.length, fp: fingerprint(head) }
}

/** Whether a file holds the content a position's file started with. */
export async function sameContent(handle: fsp.FileHandle, gz: boolean, file: FileIdentity): Promise<boolean> {
  const head = await headBytes(handle, gz, file.fpLen)
  return head.length === file.fpLen && fingerprint(head) === file.fp
}

/**
 * Where reading is: the file being read and the content offset of the buffer
 * being scanned, so a sink can tell where each line ends; and `done`, the end
 * of the last line scanned, where a later read resumes.
 */
export class Progress {
  file: FileIdentity | null = null
  base = 0
  done: Position | null

  constructor (start: Position | null = null) {
    this.done = start
  }

  /** The position just after a line ending (its newline) at buffer offset `newline`. */
  after(newline: number): Position | null {
    return this.file === null ? null : { file: this.file, offset: this.base + newline + 1 }
  }
}

/** A record sink whose records carry their cursor (where their line ends). */
export function cursorRecordSink(inner: LineSink, out: EventRecord[], progress: Progress): LineSink {
  return (buf, start, end, fast, event) => {
    inner(buf, start, end, fast, event)
    const at = progress.after(end)
    if (at !== null && out.length > 0) out[out.length - 1].cursor = encodeCursor(at)
  }
}
