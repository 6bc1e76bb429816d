// `query --cursor-file FILE`, `--after-cursor CURSOR`, `--show-cursor`, as
// journalctl has them: only what is new since a cursor, and where this run
// ended, saved atomically (a temporary file, fsync, rename). The cursor is
// saved after the output is written: a crash in between prints those events
// again on the next run (at least once), never loses them.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync, constants } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { decodeCursor, encodeCursor, type Position, type Progress } from '../reader/index.js'

export const CURSOR_OPTIONS = {
  'cursor-file': { type: 'string' },
  'after-cursor': { type: 'string' },
  'show-cursor': { type: 'boolean' }
} as const

export interface CursorValues {
  'cursor-file'?: string
  'after-cursor'?: string
  'show-cursor'?: boolean
  limit?: string
}

export type CursorStart = { ok: true, after: Position[] | undefined, tracking: boolean } | { ok: false, usage: boolean, problem: string }

/** The position to start after, from --after-cursor or the cursor file (absent: from the start). */
export function cursorStart(v: CursorValues): CursorStart {
  const file = v['cursor-file']
  const text = v['after-cursor']
  const tracking = file !== undefined || text !== undefined || v['show-cursor'] === true
  if (file !== undefined && text !== undefined) return { ok: false, usage: true, problem: '--cursor-file and --after-cursor both say where to start: give one' }
  if (file === '') return { ok: false, usage: true, problem: '--cursor-file needs a path' }
  if ((file !== undefined || text !== undefined) && v.limit !== undefined) {
    return { ok: false, usage: true, problem: '--limit with a cursor would skip new events it never shows: a cursor prints everything new (--all); drop --limit' }
  }
  if (text !== undefined) {
    const after = decodeCursor(text)
    if (after === null) return { ok: false, usage: true, problem: `--after-cursor ${JSON.stringify(text.slice(0, 80))}: not a cursor (what --show-cursor prints: ds01:v1;...)` }
    return { ok: true, after, tracking }
  }
  if (file === undefined) return { ok: true, after: undefined, tracking }
  let content: string
  try {
    content = readFileSync(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return { ok: true, after: undefined, tracking } // a first run: from the start
    return { ok: false, usage: false, problem: `cannot read the cursor file ${file} (${code ?? String(err)})` }
  }
  if (content.trim() === '') return { ok: true, after: undefined, tracking }
  const after = decodeCursor(content)
  if (after === null) return { ok: false, usage: false, problem: `${file} does not hold a cursor (what --show-cursor prints: ds01:v1;...); remove it to read from the start` }
  return { ok: true, after, tracking }
}

/**
 * Where this run ended, as a cursor: every file still being read (a follow ended while a
 * rotated file was read in its grace names it and the new file, each at its own offset:
 * one position would read the other again, or skip its late lines), else where it started.
 * Null when nothing was read and no cursor was given. A file nothing was read from (empty)
 * is left out: the reader reads files after the cursor's from their start anyway.
 */
export function cursorEnd(progress: Progress, start: Position[] | undefined): Position[] | null {
  const read = progress.positions().filter((p) => p.file.fpLen > 0)
  if (read.length > 0) return read
  return start !== undefined && start.length > 0 ? start : null
}

/** Writes the cursor atomically: FILE.tmp-PID, fsync, rename over FILE, fsync of the directory. */
export function saveCursor(file: string, p: readonly Position[]): string | null {
  const tmp = join(dirname(file), `.${basename(file)}.tmp-${process.pid}`)
  try {
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644)
    try {
      writeSync(fd, encodeCursor(p) + '\n')
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, file)
  } catch (err) {
    try { unlinkSync(tmp) } catch { /* not made */ }
    return `cannot save the cursor to ${file}: ${err instanceof Error ? err.message : String(err)} (the next run will print these events again)`
  }
  try {
    const dir = openSync(dirname(file), constants.O_RDONLY | constants.O_DIRECTORY)
    try { fsyncSync(dir) } finally { closeSync(dir) }
  } catch {
    // a directory that cannot be opened to sync: the rename is still atomic
  }
  return null
}

export { encodeCursor }
