// Reading one generation of a snapshot through the scanner: a plain file
// (bisected for --since) or a .gz; what cannot be read is said as a gap.
import type { promises as fsp } from 'node:fs'
import { seekSince, scanRange, type ScanEnd, type ScanState } from './file-source.js'
import { reopenMember, type Member } from './snapshot.js'
import { identify } from './cursor.js'
import { scanGz } from './read-gz.js'
import type { QueryFilter } from './filter.js'
import type { LineSink } from './scan.js'
import type { SkipCounts } from './record.js'
import type { Generation } from './generations.js'
import type { Position, Progress } from './cursor.js'
export interface DriveOptions {
  /** the current file's path (generations were listed from it) */
  path: string
  generations: Generation[]
  filter: QueryFilter
  sink: LineSink
  skips: SkipCounts
  follow?: boolean
  /** how often follow looks for new lines (ms) */
  pollMs?: number
  signal?: AbortSignal
  /** called once, when follow has read everything that was there and waits for new lines */
  onCaughtUp?: () => void
  /** part of the answer is missing: a file that could not be read, damage in a .gz (one message each) */
  onGap?: (message: string) => void
  /** something was passed over that is not part of the log (a link planted at a generation's name) */
  onWarning?: (message: string) => void
  /** set to know where each line ends (cursors); `done` ends where the read ended */
  progress?: Progress
  /**
   * resume just after this position (what a cursor names), or after these
   * (Progress.positions(): the files a follower was reading, oldest first,
   * each read on from its own offset)
   */
  after?: Position | readonly Position[]
  /** when `after` names no file of the log (replaced, or rotated out of retention): start at the end instead of reading everything (and no gap is said) */
  onLost?: (position: Position) => void
  /** start at the end of the log: only lines appended from now on (a line being written is read whole) */
  fromEnd?: boolean
}

export interface Reading {
  o: DriveOptions
  state: ScanState
  gap: (message: string) => void
  warn: (message: string) => void
}

/** Reads one member of the snapshot from `from` (a content offset); true when a line past --until ended it. */
export async function * readMember(r: Reading, m: Member, from: number, keep = false): AsyncGenerator<void, { pastUntil: boolean, handle: fsp.FileHandle | null, position: number }> {
  let handle = m.handle
  m.handle = null // from here this function owns it
  if (handle === null) {
    const found = await reopenMember(m, r.o.path)
    if (found === null) {
      r.gap(`${m.gen.path} was rotated away and deleted before it could be read: its events are missing`)
      return { pastUntil: false, handle: null, position: 0 }
    }
    if ('error' in found) {
      r.gap(`${found.error}: its events are missing`)
      return { pastUntil: false, handle: null, position: 0 }
    }
    handle = found.handle
  }
  const end: ScanEnd = { position: from, pastUntil: false }
  let kept = false
  try {
    const progress = r.o.progress
    if (progress !== undefined) progress.reading(await identify(handle, m.gen.gz, m.dev, m.ino), from)
    if (m.gen.gz) {
      yield * scanGz(handle, from, r.state, end, (d) => r.gap(`${m.gen.path} ${d.message}`))
    } else {
      const size = (await handle.stat()).size
      let start = from
      if (r.o.filter.since !== undefined) start = Math.max(start, await seekSince(handle, size, r.o.filter.since.getTime()))
      yield * scanRange(handle, start, r.state, end)
      if (keep && !end.pastUntil) {
        kept = true
        return { pastUntil: false, handle, position: end.position }
      }
      if (!end.pastUntil && !r.state.stopped() && (await handle.stat()).size > end.position) r.state.skips.torn++
    }
    return { pastUntil: end.pastUntil, handle: null, position: end.position }
  } catch (err) {
    r.gap(`${m.gen.path}: reading failed (${err instanceof Error ? err.message : String(err)}): the rest of it is missing`)
    return { pastUntil: false, handle: null, position: end.position }
  } finally {
    if (!kept) {
      await handle.close().catch(() => undefined)
      r.o.progress?.closed(m.dev, m.ino, m.gen.index !== 0)
    }
  }
}

