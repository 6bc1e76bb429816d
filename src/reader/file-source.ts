// The file source: a log and its rotated generations (`.1`, `.2.gz`, ... as
// the shipped logrotate config names them), oldest first, as one stream of
// lines. Files wholly outside --since/--until are not opened past their first
// line; --since seeks by bisection in a plain file; --follow then tails the
// current file across rotations, like `tail -F`.
import { constants, promises as fsp, readdirSync, statSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { createGunzip } from 'node:zlib'
import type { QueryFilter } from './filter.js'
import { LineScanner, PAST_UNTIL, v1TimestampAt } from './scan.js'
import { parseEventLine, type SkipCounts } from './record.js'

/** Concurrent writers (batched ones hold events up to a flush) write timestamps slightly out of order. */
export const DISORDER_SLACK_MS = 5 * 60_000
/** Read size; also the bound on a line: a longer "line" is damage, dropped and counted, never buffered whole. */
const CHUNK_BYTES = 4 << 20
const PROBE_BYTES = 64 << 10

export interface Generation {
  path: string
  gz: boolean
  /** 0 for the current file, N for `.N` / `.N.gz` */
  index: number
}

export type OpenResult = { ok: true; generations: Generation[] } | { ok: false; problem: string; code: string }

/** The current file and its rotated generations, oldest first. */
export function listGenerations(path: string): Generation[] {
  const dir = dirname(path)
  const base = basename(path)
  const found: Generation[] = []
  let names: string[] = []
  try {
    names = readdirSync(dir)
  } catch {
    // the directory cannot be listed (permissions): the current file alone may still be readable
  }
  for (const name of names) {
    if (!name.startsWith(base + '.')) continue
    const m = /^\.(\d+)(\.gz)?$/.exec(name.slice(base.length))
    if (m !== null) found.push({ path: join(dir, name), gz: m[2] !== undefined, index: Number(m[1]) })
  }
  found.sort((a, b) => b.index - a.index)
  found.push({ path, gz: false, index: 0 })
  return found
}

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
  const all = listGenerations(path)
  const current = all[all.length - 1]
  try {
    await (await openRegular(current.path)).close()
    return { ok: true, generations: all }
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    // rotated away and not yet re-created: the generations are still there
    if (e.code === 'ENOENT' && all.length > 1) return { ok: true, generations: follow ? all : all.slice(0, -1) }
    // not there yet: follow waits for it, as tail -F does (the directory must exist)
    if (e.code === 'ENOENT' && follow && isDirectory(dirname(current.path))) return { ok: true, generations: all }
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
  const input = (await openRegular(gen.path)).createReadStream({ highWaterMark: 16 << 10 })
  const stream = input.pipe(createGunzip())
  const parts: Buffer[] = []
  let length = 0
  try {
    for await (const part of stream as AsyncIterable<Buffer>) {
      parts.push(part)
      length += part.length
      if (length >= PROBE_BYTES) break
    }
  } finally {
    stream.destroy()
    input.destroy() // a damaged .gz fails the gunzip, which does not close the file: this does
  }
  return Buffer.concat(parts)
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

async function firstTimeOf(gen: Generation): Promise<number> {
  try {
    return firstTime(await headOf(gen)).time
  } catch {
    return NaN
  }
}

/**
 * The generations worth reading for the filter's time range: a generation
 * ends before its newer neighbour starts (plus the slack), and starts with
 * its first line.
 */
export async function generationsInRange(gens: Generation[], filter: QueryFilter): Promise<Generation[]> {
  if (filter.since === undefined && filter.until === undefined) return gens
  const firsts = await Promise.all(gens.map((g) => firstTimeOf(g)))
  const kept: Generation[] = []
  for (let i = 0; i < gens.length; i++) {
    if (filter.until !== undefined && firsts[i] > filter.until.getTime() + DISORDER_SLACK_MS) break
    const nextFirst = i + 1 < gens.length ? firsts[i + 1] : NaN
    if (filter.since !== undefined && nextFirst + DISORDER_SLACK_MS < filter.since.getTime()) continue
    kept.push(gens[i])
  }
  return kept
}

/**
 * Where to start reading a plain file for --since: the start of a line whose
 * time is before since - slack (so, with disorder bounded by the slack, no
 * earlier line is at or after since), found by bisection; 0 when none.
 */
export async function seekSince(handle: fsp.FileHandle, size: number, since: number): Promise<number> {
  const target = since - DISORDER_SLACK_MS
  const buf = Buffer.allocUnsafe(PROBE_BYTES)
  let lo = 0 // a line start whose time is before target (or the file's start)
  let hi = size
  while (hi - lo > PROBE_BYTES) {
    const mid = lo + Math.floor((hi - lo) / 2)
    const { bytesRead } = await handle.read(buf, 0, PROBE_BYTES, mid)
    const view = buf.subarray(0, bytesRead)
    const nl = view.indexOf(0x0a)
    if (nl < 0) { hi = mid; continue }
    const { time, lineStart } = firstTime(view, nl + 1)
    if (Number.isNaN(time)) { hi = mid; continue }
    if (time < target) lo = mid + lineStart
    else hi = mid
  }
  return lo
}

export interface ScanState {
  scanner: LineScanner
  skips: SkipCounts
  /** set to stop early (the consumer went away) */
  stopped: () => boolean
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
      const r = state.scanner.scan(buf, start, lastNl)
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

/** Reads a gzipped generation through the scanner, yielding after each chunk. */
export async function * scanGz(path: string, state: ScanState, end: ScanEnd): AsyncGenerator<void> {
  const stream = (await openRegular(path)).createReadStream({ highWaterMark: 1 << 20 }).pipe(createGunzip({ chunkSize: 1 << 20 }))
  let carry: Buffer = Buffer.alloc(0)
  let dropping = false
  try {
    for await (const part of stream as AsyncIterable<Buffer>) {
      if (state.stopped()) return
      let buf = carry.length === 0 ? part : Buffer.concat([carry, part])
      if (dropping) {
        const nl = buf.indexOf(0x0a)
        if (nl < 0) { carry = Buffer.alloc(0); continue }
        dropping = false
        buf = buf.subarray(nl + 1)
      }
      const lastNl = buf.lastIndexOf(0x0a)
      if (lastNl < 0) {
        // no newline yet: keep it, up to the bound on a line
        if (buf.length >= CHUNK_BYTES) {
          state.skips.unreadable++
          dropping = true
          carry = Buffer.alloc(0)
        } else {
          carry = buf
        }
        continue
      }
      if (state.scanner.scan(buf, 0, lastNl) === PAST_UNTIL) {
        end.pastUntil = true
        yield
        return
      }
      carry = buf.subarray(lastNl + 1)
      yield
    }
  } finally {
    stream.destroy()
  }
  if (carry.length > 0 && !dropping) state.skips.torn++
}
