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
import { CURSOR_FILES, encodeCursor, FINGERPRINT_BYTES, type FileIdentity, type Position } from './cursor-text.js'

export { CURSOR_FILES, FINGERPRINT_BYTES, decodeCursor, encodeCursor, type FileIdentity, type Position } from './cursor-text.js'

export function fingerprint(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 32)
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
 *
 * `done` names one file. A follower reads two at once for a while after a
 * rotation (the renamed file in its grace, and the new one), so a late line
 * in the renamed file can come after lines of the new one: positions() names
 * every file still being read, oldest first, and a read resumed after all of
 * them (DriveOptions.after) reads each from its own offset.
 */
export class Progress {
  file: FileIdentity | null = null
  base = 0
  done: Position | null
  /** rotated files read to their end and closed */
  finished = 0
  /** the files read from, oldest first; open while they are being read */
  private readonly trail: Array<{ position: Position, open: boolean }> = []
  private at: { position: Position, open: boolean } | null = null

  constructor (start: Position | null = null) {
    this.done = start
  }

  /** The position just after a line ending (its newline) at buffer offset `newline`. */
  after(newline: number): Position | null {
    return this.file === null ? null : { file: this.file, offset: this.base + newline + 1 }
  }

  /**
   * The cursor just after a line ending at buffer offset `newline`: this file at that line's end,
   * and every other file still being read (a rotated file in its grace) where it stands, oldest first.
   */
  cursorAfter(newline: number): string | null {
    const at = this.after(newline)
    if (at === null) return null
    if (this.trail.length <= 1) return encodeCursor(at) // one file being read (nearly always): no list to build
    const all = this.positions().map((p) => p.file.dev === at.file.dev && p.file.ino === at.file.ino ? at : p).filter((p) => p.file.fpLen > 0)
    if (!all.includes(at)) all.push(at)
    return encodeCursor(all.slice(-CURSOR_FILES))
  }

  /** Reading `id` from `offset` (again, or the first time). */
  reading(id: FileIdentity, offset: number): void {
    this.file = id
    let entry = this.trail.find((t) => t.position.file.dev === id.dev && t.position.file.ino === id.ino) ?? null
    if (entry === null) {
      entry = { position: { file: id, offset }, open: true }
      this.trail.push(entry)
      this.prune()
    } else {
      // its fingerprint grows with the file, up to its bound; a truncated file starts over
      entry.position = { file: id, offset }
      entry.open = true
    }
    this.at = entry
  }

  /** The lines of the file being read up to `offset` went to the sink. */
  advanced(offset: number): void {
    if (this.file === null) return
    this.done = { file: this.file, offset }
    if (this.at !== null) this.at.position = this.done
  }

  /** A file read to its end and closed; `rotated`: a generation (counted in `finished`), not the current file at the end of a read. */
  closed(dev: number, ino: number, rotated: boolean): void {
    const entry = this.trail.find((t) => t.position.file.dev === dev && t.position.file.ino === ino)
    if (entry !== undefined) entry.open = false
    if (rotated) this.finished++
    this.prune()
  }

  /** Files read to their end before every file still being read are passed (the newest entry stays: "after this"). */
  private prune(): void {
    while (this.trail.length > 1 && !this.trail[0].open) this.trail.shift()
  }

  /**
   * Where reading is, oldest first: every file still being read (or the last one read), each with
   * the end of its last line read; at most CURSOR_FILES, the newest (what a cursor or a state holds).
   */
  positions(): Position[] {
    return this.trail.slice(-CURSOR_FILES).map((t) => ({ file: { ...t.position.file }, offset: t.position.offset }))
  }
}

/**
 * A record sink whose records carry their cursor: where their line ends, and where every
 * other file still being read stands (a rotated file in its grace), so that resuming after
 * a record neither repeats nor skips the other file's lines.
 */
export function cursorRecordSink(inner: LineSink, out: EventRecord[], progress: Progress): LineSink {
  return (buf, start, end, fast, event) => {
    inner(buf, start, end, fast, event)
    if (out.length === 0) return
    const cursor = progress.cursorAfter(end)
    if (cursor !== null) out[out.length - 1].cursor = cursor
  }
}
