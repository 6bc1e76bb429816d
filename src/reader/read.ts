// Drives the file source: the generations in range, oldest first, then (with
// follow) the current file as it grows, across rotations. Lines that pass the
// filter go to a sink; the generator yields after each chunk so a consumer
// can take what the sink collected (and stop us by returning).
import { promises as fsp, type Stats } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import type { QueryFilter } from './filter.js'
import { LineScanner, type LineSink } from './scan.js'
import type { SkipCounts } from './record.js'
import { DISORDER_SLACK_MS, generationsInRange, openRegular, scanGz, scanRange, seekSince, type Generation, type ScanEnd, type ScanState } from './file-source.js'

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
}

/** After a rotation, the renamed file is still read this long (a writer may finish its line there). */
const RENAMED_GRACE_MS = 2000

interface Open {
  handle: fsp.FileHandle
  ino: number
  dev: number
  position: number
}

async function openPlain(path: string): Promise<Open | null> {
  let handle: fsp.FileHandle
  try {
    handle = await openRegular(path)
  } catch {
    return null // deleted by rotation in the meantime, not yet re-created, or not a plain file
  }
  const st = await handle.stat()
  return { handle, ino: st.ino, dev: st.dev, position: 0 }
}

async function pathStat(path: string): Promise<Stats | null> {
  try {
    return await fsp.stat(path)
  } catch {
    return null
  }
}

export async function * drive(o: DriveOptions): AsyncGenerator<void> {
  const stoppedBySignal = (): boolean => o.signal?.aborted === true
  const state: ScanState = { scanner: new LineScanner(o.filter, o.skips, o.sink, DISORDER_SLACK_MS), skips: o.skips, stopped: stoppedBySignal }
  const gens = await generationsInRange(o.generations, o.filter)
  const currentListed = gens.length > 0 && gens[gens.length - 1].index === 0
  let current: Open | null = null
  try {
    for (const gen of gens) {
      if (stoppedBySignal()) return
      const end: ScanEnd = { position: 0, pastUntil: false }
      if (gen.gz) {
        try {
          yield * scanGz(gen.path, state, end)
        } catch {
          o.skips.unreadable++ // a damaged .gz: what was read counts, the rest is one damaged piece
        }
      } else {
        const opened = await openPlain(gen.path)
        if (opened === null) continue
        try {
          const size = (await opened.handle.stat()).size
          const from = o.filter.since === undefined ? 0 : await seekSince(opened.handle, size, o.filter.since.getTime())
          yield * scanRange(opened.handle, from, state, end)
          opened.position = end.position
        } catch (err) {
          await opened.handle.close()
          throw err
        }
        if (gen.index === 0 && o.follow === true && !end.pastUntil) {
          current = opened
        } else {
          if (!end.pastUntil && (await opened.handle.stat()).size > end.position) o.skips.torn++
          await opened.handle.close()
        }
      }
      if (end.pastUntil) return
    }
    if (o.follow !== true) return
    if (!currentListed) current = null
    yield * follow(o, state, current)
    current = null
  } finally {
    if (current !== null) await current.handle.close()
  }
}

/** Tails the current file: new complete lines, across renames and deletions, until the signal. */
async function * follow(o: DriveOptions, state: ScanState, start: Open | null): AsyncGenerator<void> {
  let current = start
  let renamed: { file: Open; until: number } | null = null
  const pollMs = o.pollMs ?? 200
  o.onCaughtUp?.()
  try {
    while (o.signal?.aborted !== true) {
      try {
        await sleep(pollMs, undefined, { signal: o.signal })
      } catch {
        return // aborted
      }
      if (renamed !== null) {
        yield * readNew(renamed.file, state)
        if (Date.now() > renamed.until) {
          if ((await renamed.file.handle.stat()).size > renamed.file.position) o.skips.torn++
          await renamed.file.handle.close()
          renamed = null
        }
      }
      if (current !== null) {
        yield * readNew(current, state)
        const st = await pathStat(o.path)
        if (st !== null && (st.ino !== current.ino || st.dev !== current.dev)) {
          // rotated: the old file was read to its end just above; it is read a while
          // longer (a writer may still finish a line there) while the new one is read
          yield * readNew(current, state)
          if (renamed !== null) {
            // rotated twice within the grace: the older one is read to its end and let go
            yield * readNew(renamed.file, state)
            await renamed.file.handle.close()
          }
          renamed = { file: current, until: Date.now() + RENAMED_GRACE_MS }
          current = null
        } else if (st !== null && st.size < current.position) {
          current.position = 0 // truncated (copytruncate): start over, as tail -F does
        }
      }
      if (current === null) {
        current = await openPlain(o.path)
        if (current !== null) yield * readNew(current, state)
      }
    }
  } finally {
    if (current !== null) await current.handle.close()
    if (renamed !== null) await renamed.file.handle.close()
  }
}

async function * readNew(file: Open, state: ScanState): AsyncGenerator<void> {
  const end: ScanEnd = { position: file.position, pastUntil: false }
  yield * scanRange(file.handle, file.position, state, end)
  file.position = end.position
}
