// Which parts of a log a --since/--until query may leave unread, decided so
// that one damaged or odd line (a year 2099, a 1970, a garbage timestamp)
// costs at most that line: never one line's time alone, but several lines'
// times (their median, or the bound a stray line cannot move) and the file's
// mtime; the bisection for --since checks that time grows around each probe,
// and where it does not (a clock set back), it reads the uncertain part.
import type { promises as fsp } from 'node:fs'
import { parseEventLine } from './record.js'
import { timestampShaped, v1TimestampAt } from './scan.js'

/** Bytes read at each bisection probe, and of each generation's head. */
export const PROBE_BYTES = 64 << 10
/** Lines of a generation's head whose times bound its start. */
export const HEAD_LINES = 32

/** A line's time (ms), NaN when it has none: a v1 timestamp must have the v1 shape. */
export function lineTime(buf: Buffer, start: number, end: number): number {
  const ts = v1TimestampAt(buf, start, end)
  if (ts >= 0) return timestampShaped(buf, ts) ? Date.parse(buf.toString('latin1', ts, ts + 27)) : NaN
  return parseEventLine(buf.toString('utf8', start, end))?.time ?? NaN
}

/** The times of the complete lines of buf from `from` (at most `max`), with where each line starts. */
export function timesIn(buf: Buffer, from = 0, max = Infinity): { times: number[]; starts: number[] } {
  const times: number[] = []
  const starts: number[] = []
  let at = from
  while (at < buf.length && times.length < max) {
    const nl = buf.indexOf(0x0a, at)
    if (nl < 0) break
    const t = lineTime(buf, at, nl)
    if (!Number.isNaN(t)) {
      times.push(t)
      starts.push(at)
    }
    at = nl + 1
  }
  return { times, starts }
}

function median(sorted: readonly number[]): number {
  return sorted.length === 0 ? NaN : sorted[Math.floor((sorted.length - 1) / 2)]
}

/** What is known of a generation's times without reading it: from its head, and its mtime. */
export interface GenerationTimes {
  /** the earliest of its first lines' times: a lower bound of its start a line from the future cannot raise */
  headMin: number
  /** the latest of them: an upper bound of its start a line from the past cannot lower */
  headMax: number
  /** when it was last written (rotation keeps it; compression is later still): an upper bound of its lines */
  mtimeMs: number
}

export const UNKNOWN_TIMES: GenerationTimes = { headMin: NaN, headMax: NaN, mtimeMs: NaN }

export function generationTimes(head: Buffer, mtimeMs: number): GenerationTimes {
  const { times } = timesIn(head, 0, HEAD_LINES)
  if (times.length === 0) return { headMin: NaN, headMax: NaN, mtimeMs }
  return { headMin: Math.min(...times), headMax: Math.max(...times), mtimeMs }
}

/**
 * Whether each generation (oldest first, the current file last) may hold a
 * line in [since, until], allowing `slack` of disorder. A generation is left
 * out only when every bound says so: for --until, the earliest of its first
 * lines is past until; for --since, both its mtime and the latest of the next
 * generation's first lines are before since. Unknown bounds (NaN) keep it.
 */
export function generationsToRead(times: readonly GenerationTimes[], since: number | undefined, until: number | undefined, slack: number): boolean[] {
  return times.map((t, i) => {
    if (until !== undefined && t.headMin > until + slack) return false
    if (since !== undefined && i + 1 < times.length) {
      const endsBefore = t.mtimeMs + slack < since && times[i + 1].headMax + slack < since
      if (endsBefore) return false
    }
    return true
  })
}

/**
 * Where to start reading a plain file for --since: the start of a line such
 * that, with disorder bounded by `slack`, no line before it is at or after
 * since; 0 when none is known. Bisection on the median time of each 64 KiB
 * probe (one odd line cannot move it). When time does not grow where it must
 * (a probe's lines are before what was seen earlier in the file, or a probe's
 * last lines are well before its first: a clock set back), the bisection stops
 * there and the rest is read from the last point known to be safe.
 */
export async function seekSinceRobust(handle: fsp.FileHandle, size: number, since: number, slack: number): Promise<number> {
  const target = since - slack
  const buf = Buffer.allocUnsafe(PROBE_BYTES)
  const probe = async (at: number): Promise<{ times: number[]; starts: number[] }> => {
    const { bytesRead } = await handle.read(buf, 0, PROBE_BYTES, at)
    const view = buf.subarray(0, bytesRead)
    if (at === 0) return timesIn(view, 0)
    const nl = view.indexOf(0x0a)
    return nl < 0 ? { times: [], starts: [] } : timesIn(view, nl + 1)
  }
  const head = await probe(0)
  let loTime = median([...head.times].sort((a, b) => a - b))
  if (!(loTime < target)) return 0 // the file starts at or after since (or its start cannot be read)
  let lo = 0 // a line start before which every line is before since
  let hi = size
  while (hi - lo > PROBE_BYTES) {
    const mid = lo + Math.floor((hi - lo) / 2)
    const { times, starts } = await probe(mid)
    if (times.length === 0) { hi = mid; continue }
    const m = median([...times].sort((a, b) => a - b))
    if (m < loTime - slack || steppedBack(times, slack)) return lo // time went back: what lies after lo is uncertain
    if (m < target) {
      lo = mid + starts[0]
      loTime = m
    } else {
      hi = mid
    }
  }
  return lo
}

/** Whether the last quarter of a probe's times lies well before its first quarter (a clock set back inside the probe). */
function steppedBack(times: readonly number[], slack: number): boolean {
  const q = Math.max(1, Math.floor(times.length / 4))
  if (times.length < 4) return false
  const first = median(times.slice(0, q).sort((a, b) => a - b))
  const last = median(times.slice(-q).sort((a, b) => a - b))
  return last < first - slack
}
