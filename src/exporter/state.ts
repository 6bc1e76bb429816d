// The exporter's state file: the counter values and the position read to in
// each log, together, so that after a restart (SIGKILL included) reading
// resumes exactly where the saved values end. Written atomically: a temporary
// file, fsync, rename, fsync of the directory. A file that cannot be used is
// moved aside (never overwritten) and said so.
// Version 2 saves the reader's positions (see src/reader/cursor.ts); a
// version 1 file (its own positions: a full sha256 of the first min(offset,
// 4096) bytes) holds the same facts and is converted as it is read.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { CURSOR_FILES, FINGERPRINT_BYTES, type Position } from '../reader/index.js'

export const STATE_VERSION = 2
export const STATE_FILE = 'exporter-state.json'

/** A reader position, flat: the file (device, inode, fingerprint of its first fpLen bytes) and the end of the last line read. */
const filePosition = z.object({
  dev: z.number().int().nonnegative(),
  ino: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  fpLen: z.number().int().nonnegative().max(FINGERPRINT_BYTES),
  fp: z.string().regex(/^[0-9a-f]{32}$/)
})

/** Version 1's: head is the sha256 (hex) of the first headLength = min(offset, 4096) bytes ('' when they could not be read). */
const filePositionV1 = z.object({
  dev: z.number().int().nonnegative(),
  ino: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  head: z.string(),
  headLength: z.number().int().nonnegative().max(FINGERPRINT_BYTES)
})

const logState = z.object({
  path: z.string().min(1),
  position: z.object({ files: z.array(filePosition).max(CURSOR_FILES) })
})

const logStateV1 = z.object({
  path: z.string().min(1),
  position: z.object({ files: z.array(filePositionV1).max(2) })
})

const count = z.tuple([z.string(), z.string(), z.number().int().nonnegative()])

const common = {
  saved_at: z.string(),
  counts: z.array(count),
  /** other counters kept across restarts: name -> label text -> value */
  counters: z.record(z.string(), z.record(z.string(), z.number().nonnegative())).default({}),
  /** the GPU accounting's own state (its module reads it back) */
  accounting: z.unknown().optional()
}

const stateSchema = z.object({ version: z.literal(STATE_VERSION), events: logState, gpu: logState.optional(), ...common })
const stateSchemaV1 = z.object({ version: z.literal(1), events: logStateV1, gpu: logStateV1.optional(), ...common })

export type SavedState = z.infer<typeof stateSchema>
export type LogState = z.infer<typeof logState>
type FilePosition = z.infer<typeof filePosition>

/** A version 1 position as the reader's: the fingerprint is the first 32 hex digits of the same sha256 of the same bytes. */
function fromV1(f: z.infer<typeof filePositionV1>): FilePosition {
  // a head that could not be read matches no file: the position is lost (a clear message, a fresh start at the end)
  const fp = /^[0-9a-f]{64}$/.test(f.head) ? f.head.slice(0, 32) : '0'.repeat(32)
  return { dev: f.dev, ino: f.ino, offset: f.offset, fpLen: f.headLength, fp }
}

function logFromV1(l: z.infer<typeof logStateV1>): LogState {
  return { path: l.path, position: { files: l.position.files.map(fromV1) } }
}

/** The saved files as reader positions, oldest first. */
export function positionsOf(l: LogState): Position[] {
  return l.position.files.map((f) => ({ file: { dev: f.dev, ino: f.ino, fpLen: f.fpLen, fp: f.fp }, offset: f.offset }))
}

/** Reader positions as saved. */
export function savedPositions(ps: Position[]): LogState['position'] {
  return { files: ps.map((p) => ({ dev: p.file.dev, ino: p.file.ino, offset: p.offset, fpLen: p.file.fpLen, fp: p.file.fp })) }
}

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
    const json: unknown = JSON.parse(text)
    const old = stateSchemaV1.safeParse(json)
    if (old.success) {
      const { events, gpu, ...rest } = old.data
      return { kind: 'ok', state: { ...rest, version: STATE_VERSION, events: logFromV1(events), gpu: gpu === undefined ? undefined : logFromV1(gpu) } }
    }
    const parsed = stateSchema.safeParse(json)
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
