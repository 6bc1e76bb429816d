// The file source: a log and its rotated generations (`.1`, `.2.gz`, ..., and
// the dateext names, see generations.ts), oldest first, as one stream of
// lines. Files wholly outside --since/--until are not opened past their first
// line; --since seeks by bisection in a plain file; --follow then tails the
// current file across rotations, like `tail -F`.
import { constants, promises as fsp, statSync } from 'node:fs'
import { dirname } from 'node:path'
import { gunzipHead } from './gunzip.js'
import { listOrderedGenerations, type Generation } from './generations.js'
import type { Progress } from './cursor.js'
import type { QueryFilter } from './filter.js'
import { LineScanner, PAST_UNTIL, v1TimestampAt } from './scan.js'
import { parseEventLine, type SkipCounts } from './record.js'
import { generationsToRead, generationTimes, seekSinceRobust, UNKNOWN_TIMES, type GenerationTimes } from './time-bounds.js'

/** Concurrent writers (batched ones hold events up to a flush) write timestamps slightly out of order. */
export const DISORDER_SLACK_MS = 5 * 60_000
/** Read size; also the bound on a line: a longer "line" is damage, dropped and counted, never buffered whole. */
const CHUNK_BYTES = 4 << 20
const PROBE_BYTES = 64 << 10

export type { Generation } from './generations.js'

export type OpenResult = { ok: true; generations: Generation[]; problems: string[] } | { ok: false; problem: string; code: string }

function explain(path: string, err: NodeJS.ErrnoException): { problem: string; code: string } {
  const code = err.code ?? 'EIO'
  if (code === 'ENOENT') {
    return { code, problem: `no such file: ${path}\nCheck the path (--file PATH, or DS01_EVENTS_FILE); on a new host, 'sudo ds01-events setup' creates the log.` }
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return { code, problem: `permission denied: ${path}\nThe event log is readable by root and members of the docker group: run it with sudo, or ask an admin to add you to docker (then log in again).` }
  }
  if (code === 'EISDIR') return { code, problem: `${path} is a directory, not a log file (--file PATH names the file)` }
  if (code === 'ENOTREG') return { code, problem: `${path} is not a regular file (a log is a plain file; see 'sudo ds01-events setup')` }
  return { code, problem: `cannot read ${path}: ${err.message}` }
}

/** Opens a file to read without ever blocking (a FIFO planted at a log's name would) and only when it is a regular file. */
export async function openRegular(path: string): Promise<fsp.FileHandle> {
  const handle = await fsp.open(path, constants.O_RDONLY | constants.O_NONBLOCK)
  const st = await handle.stat()
  if (!st.isFile()) {
    await handle.close()
    throw Object.assign(new Error(`${path} is not a regular file`), { code: st.isDirectory() ? 'EISDIR' : 'ENOTREG' })
  }
  return handle
}

/** Checks that the log can be read before anything is printed. */
function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

export async function openGenerations(path: string, follow: boolean): Promise<OpenResult> {
  const { generations: all, problems } = await listOrderedGenerations(path, (p, gz) => firstTimeOf({ path: p, gz, index: -1 }))
  const current = all[all.length - 1]
  try {
    await (await openRegular(current.path)).close()
    return { ok: true, generations: all, problems }
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    // rotated away and not yet re-created: the generations are still there
    if (e.code === 'ENOENT' && all.length > 1) return { ok: true, generations: follow ? all : all.slice(0, -1), problems }
    // not there yet: follow waits for it, as tail -F does (the directory must exist)
    if (e.code === 'ENOENT' && follow && isDirectory(dirname(current.path))) return { ok: true, generations: all, problems }
    return { ok: false, ...explain(current.path, e) }
  }
}

/** The first bytes of a generation (decompressed), for its first timestamp. */
async function headOf(gen: Generation): Promise<Buffer> {
  if (!gen.gz) {
    const handle = await openRegular(gen.path)
    try {
      const buf = Buffer.allocUnsafe(PROBE_BYTES)
      const { bytesRead } = await handle.read(buf, 0, PROBE_BYTES, 0)
      return buf.subarray(0, bytesRead)
    } finally {
      await handle.close()
    }
  }
  // closed here, never left to the garbage collector
  const handle = await openRegular(gen.path)
  try {
    return await gunzipHead(handle, (await handle.stat()).size, PROBE_BYTES)
  } finally {
    await handle.close()
  }
}

/** Probes at once: handles stay bounded however many generations there are. */
const PROBES_AT_ONCE = 8

async function boundedMap<T, R>(items: readonly T[], f: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      out[i] = await f(items[i])
    }
  }
  await Promise.all(Array.from({ length: Math.min(PROBES_AT_ONCE, items.length) }, worker))
  return out
}

/** The time of the first readable line of buf (ms), or NaN. */
function firstTime(buf: Buffer, from = 0): { time: number; lineStart: number } {
  let at = from
  while (at < buf.length) {
    const nl = buf.indexOf(0x0a, at)
    if (nl < 0) break
    const time = lineTime(buf, at, nl)
    if (!Number.isNaN(time)) return { time, lineStart: at }
    at = nl + 1
  }
  return { time: NaN, lineStart: -1 }
}

function lineTime(buf: Buffer, start: number, end: number): number {
  const ts = v1TimestampAt(buf, start, end)
  if (ts >= 0) return Date.parse(buf.toString('latin1', ts, ts + 27))
  return parseEventLine(buf.toString('utf8', start, end))?.time ?? NaN
}

/** The time of a generation's first readable line (ms), or NaN. */
export async function firstTimeOf(gen: Generation): Promise<number> {
  try {
    return firstTime(await headOf(gen)).time
  } catch {
    return NaN
  }
}

/** A generation's head times and mtime (unknown when it cannot be read). */
async function timesOf(gen: Generation): Promise<GenerationTimes> {
  try {
    const [head, st] = await Promise.all([headOf(gen), fsp.stat(gen.path)])
    return generationTimes(head, st.mtimeMs)
  } catch {
    return UNKNOWN_TIMES
  }
}

/**
 * The generations worth reading for the filter's time range, by bounds one
 * odd line cannot move (time-bounds.ts): several head lines' times and the mtime.
 */
export async function generationsInRange(gens: Generation[], filter: QueryFilter): Promise<Generation[]> {
  if (filter.since === undefined && filter.until === undefined) return gens
  const times = await boundedMap(gens, (g) => timesOf(g))
  const read = generationsToRead(times, filter.since?.getTime(), filter.until?.getTime(), DISORDER_SLACK_MS)
  return gens.filter((_, i) => read[i])
}

/** Where to start reading a plain file for --since (a bisection that checks time grows: time-bounds.ts). */
export async function seekSince(handle: fsp.FileHandle, size: number, since: number): Promise<number> {
  return seekSinceRobust(handle, size, since, DISORDER_SLACK_MS)
}

export interface ScanState {
  scanner: LineScanner
  skips: SkipCounts
  /** set to stop early (the consumer went away) */
  stopped: () => boolean
  /** where reading is, for cursors (see cursor.ts); updated per chunk */
  progress?: Progress
  /** the buffer offset of the newline of the last line the sink got (-1: none since reset) */
  sunk?: { last: number }
}

/** Before a chunk is scanned: where its buffer starts in the content. */
export function chunkStart(state: ScanState, base: number): void {
  if (state.progress !== undefined) state.progress.base = base
  if (state.sunk !== undefined) state.sunk.last = -1
}

/** After a chunk is scanned up to its newline at buffer offset lastNl: where a resumed read starts. */
export function chunkDone(state: ScanState, base: number, lastNl: number, pastUntil: boolean): void {
  const p = state.progress
  if (p === undefined || p.file === null) return
  const upTo = pastUntil ? (state.sunk?.last ?? -1) : lastNl
  if (upTo >= 0) p.advanced(base + upTo + 1)
}

/** The end of the last complete line before `size` (0 when none): where reading "from the end" starts, so a line being written is read whole. */
export async function lastLineEnd(handle: fsp.FileHandle, size: number): Promise<number> {
  const buf = Buffer.allocUnsafe(PROBE_BYTES)
  let end = size
  while (end > 0) {
    const start = Math.max(0, end - buf.length)
    const { bytesRead } = await handle.read(buf, 0, end - start, start)
    const nl = buf.subarray(0, bytesRead).lastIndexOf(0x0a)
    if (nl >= 0) return start + nl + 1
    end = start
  }
  return 0
}

/** Where a scan ended: after the last complete line, and whether a line past --until ended it. */
export interface ScanEnd {
  position: number
  pastUntil: boolean
}

/**
 * Reads handle from `position` to its end through the scanner, yielding after
 * each chunk; the bytes after the last newline are left unread (end.position).
 */
export async function * scanRange(handle: fsp.FileHandle, position: number, state: ScanState, end: ScanEnd): AsyncGenerator<void> {
  const buf = Buffer.allocUnsafe(CHUNK_BYTES)
  let carry = 0
  let base = position // file offset of buf[0]
  let dropping = false
  for (;;) {
    end.position = base
    if (state.stopped()) return
    if (carry === buf.length) {
      // a "line" as long as the buffer: damage; dropped up to its newline
      dropping = true
      base += carry
      carry = 0
    }
    const { bytesRead } = await handle.read(buf, carry, buf.length - carry, base + carry)
    if (bytesRead === 0) {
      if (dropping) state.skips.unreadable++
      end.position = base
      return
    }
    const filled = carry + bytesRead
    let start = 0
    if (dropping) {
      const nl = buf.indexOf(0x0a, 0)
      if (nl < 0 || nl >= filled) { base += filled; carry = 0; continue }
      state.skips.unreadable++
      dropping = false
      start = nl + 1
    }
    const lastNl = buf.lastIndexOf(0x0a, filled - 1)
    if (lastNl >= start) {
      chunkStart(state, base)
      const r = state.scanner.scan(buf, start, lastNl)
      chunkDone(state, base, lastNl, r === PAST_UNTIL)
      if (r === PAST_UNTIL) {
        end.position = base + lastNl + 1
        end.pastUntil = true
        yield // what this chunk matched before the line past --until
        return
      }
      yield
      start = lastNl + 1
    }
    carry = filled - start
    if (start > 0 && carry > 0) buf.copy(buf, 0, start, filled)
    base += start
  }
}
