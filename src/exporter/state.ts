// The exporter's state file: the counter values and the position read to in
// each log, together, so that after a restart (SIGKILL included) reading
// resumes exactly where the saved values end. Written atomically: a temporary
// file, fsync, rename, fsync of the directory. A file that cannot be used is
// moved aside (never overwritten) and said so.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import type { LogPosition } from './tail.js'

export const STATE_VERSION = 1
export const STATE_FILE = 'exporter-state.json'

const filePosition = z.object({
  dev: z.number().int().nonnegative(),
  ino: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  head: z.string(),
  headLength: z.number().int().nonnegative()
})

const logState = z.object({
  path: z.string().min(1),
  position: z.object({ files: z.array(filePosition).max(2) })
})

const count = z.tuple([z.string(), z.string(), z.number().int().nonnegative()])

const stateSchema = z.object({
  version: z.literal(STATE_VERSION),
  saved_at: z.string(),
  events: logState,
  gpu: logState.optional(),
  counts: z.array(count),
  /** other counters kept across restarts: name -> label text -> value */
  counters: z.record(z.string(), z.record(z.string(), z.number().nonnegative())).default({}),
  /** the GPU accounting's own state (its module reads it back) */
  accounting: z.unknown().optional()
})

export type SavedState = z.infer<typeof stateSchema>
export type LogState = z.infer<typeof logState>
export type { LogPosition }

export type LoadResult =
  | { kind: 'none' }
  | { kind: 'ok'; state: SavedState }
  | { kind: 'bad'; problem: string; movedTo: string | null }

export function statePath(dir: string): string {
  return join(dir, STATE_FILE)
}

/** Reads the state file: none there, a usable one, or a bad one (moved aside to `<file>.bad-<time>`). */
export function loadState(dir: string): LoadResult {
  const path = statePath(dir)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return { kind: 'none' }
    return { kind: 'bad', problem: `cannot read ${path}: ${(err as Error).message}`, movedTo: null }
  }
  let problem: string
  try {
    const parsed = stateSchema.safeParse(JSON.parse(text))
    if (parsed.success) return { kind: 'ok', state: parsed.data }
    problem = `${path} is not an exporter state file (${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? 'invalid'})`
  } catch (err) {
    problem = `${path} is corrupt (${(err as Error).message})`
  }
  const movedTo = `${path}.bad-${new Date().toISOString().replace(/[:.]/g, '-')}`
  try {
    renameSync(path, movedTo)
    return { kind: 'bad', problem, movedTo }
  } catch {
    return { kind: 'bad', problem, movedTo: null }
  }
}

/** Writes the state: temp file, fsync, rename over the old one, fsync the directory. Throws on failure (the caller counts it). */
export function saveState(dir: string, state: SavedState): void {
  mkdirSync(dir, { recursive: true, mode: 0o750 })
  const path = statePath(dir)
  const temporary = `${path}.${process.pid}.tmp`
  const fd = openSync(temporary, 'w', 0o640)
  try {
    writeSync(fd, JSON.stringify(state))
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(temporary, path)
  const dirFd = openSync(dir, 'r')
  try {
    fsyncSync(dirFd)
  } finally {
    closeSync(dirFd)
  }
}
