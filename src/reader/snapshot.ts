// What the files held when a read started: each generation's identity
// (device and inode) and, for plain files, an open handle, so that a rotation
// during a long read (the current file renamed to .1, .1 compressed and
// deleted) loses nothing and doubles nothing: the handle still reads the
// renamed or deleted file. .gz generations are never rewritten in place by
// logrotate, only renamed (.2.gz -> .3.gz) or deleted, so their inode is
// enough: one is opened when it is read, found again by inode if renamed, and
// closed after. At most MAX_HELD plain files are held open; the rest are
// found again by inode too. Links are refused, as the writers refuse them.
import { constants, promises as fsp } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { parseGenerationName, type Generation } from './generations.js'

/** Plain generations held open from the start (a handle each); the others are found again by inode. */
export const MAX_HELD = 16

export interface Member {
  gen: Generation
  dev: number
  ino: number
  /** open from the start (plain files only, up to MAX_HELD) */
  handle: fsp.FileHandle | null
}

export interface Snapshot {
  members: Member[]
  /** generations that could not be opened (part of the answer is missing) */
  gaps: string[]
  /** names passed over: links, not regular files (not part of the log) */
  refused: string[]
}

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW

function why(err: unknown): string {
  const e = err as NodeJS.ErrnoException
  if (e.code === 'EACCES' || e.code === 'EPERM') return 'permission denied'
  return e.code ?? (e instanceof Error ? e.message : String(err))
}

/** Whether a stat is something to read: a regular file that is no link; else why not. */
export function refusal(path: string, st: { isFile(): boolean, isSymbolicLink(): boolean, nlink: number }): string | null {
  if (st.isSymbolicLink()) return `${path} is a symbolic link: not read (a log and its generations are plain files; links are refused, as the writers refuse them)`
  if (!st.isFile()) return `${path} is not a regular file: not read`
  if (st.nlink > 1) return `${path} has ${st.nlink} hard links: not read (a hard link can expose another file; links are refused, as the writers refuse them)`
  return null
}

/** Opens a generation to read: no link, a regular file, never blocking (a FIFO). */
export async function openMemberFile(path: string): Promise<{ handle: fsp.FileHandle, dev: number, ino: number } | { refused: string } | { error: unknown }> {
  let handle: fsp.FileHandle
  try {
    handle = await fsp.open(path, OPEN_FLAGS)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') return { refused: `${path} is a symbolic link: not read (a log and its generations are plain files; links are refused, as the writers refuse them)` }
    return { error: err }
  }
  try {
    const st = await handle.stat()
    const refused = refusal(path, { isFile: () => st.isFile(), isSymbolicLink: () => false, nlink: st.nlink })
    if (refused !== null) {
      await handle.close()
      return { refused }
    }
    return { handle, dev: st.dev, ino: st.ino }
  } catch (err) {
    await handle.close()
    return { error: err }
  }
}

/** Opens every generation's identity at the start; plain files (up to MAX_HELD, newest first) stay open. */
export async function takeSnapshot(generations: Generation[]): Promise<Snapshot> {
  const gaps: string[] = []
  const refused: string[] = []
  const members: Array<Member | null> = generations.map(() => null)
  let held = 0
  // newest first: the current file and .1 are the ones a rotation moves under a long read
  for (let i = generations.length - 1; i >= 0; i--) {
    const gen = generations[i]
    if (gen.gz || held >= MAX_HELD) {
      try {
        const st = await fsp.lstat(gen.path)
        const no = refusal(gen.path, st)
        if (no !== null) refused.push(no)
        else members[i] = { gen, dev: st.dev, ino: st.ino, handle: null }
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') gaps.push(`${gen.path}: ${why(err)}`)
      }
      continue
    }
    const opened = await openMemberFile(gen.path)
    if ('handle' in opened) {
      members[i] = { gen, dev: opened.dev, ino: opened.ino, handle: opened.handle }
      held++
    } else if ('refused' in opened) {
      refused.push(opened.refused)
    } else if ((opened.error as NodeJS.ErrnoException).code !== 'ENOENT') {
      // ENOENT: rotated away between the listing and now (the current file, not yet re-created)
      gaps.push(`${gen.path}: ${why(opened.error)}`)
    }
  }
  return { members: members.filter((m): m is Member => m !== null), gaps, refused }
}

/** Closes every handle a snapshot still holds. */
export async function releaseSnapshot(members: Member[]): Promise<void> {
  for (const m of members) {
    if (m.handle !== null) {
      const h = m.handle
      m.handle = null
      await h.close().catch(() => undefined)
    }
  }
}

/**
 * Opens a member that is not held: at its path if the inode is still there,
 * else wherever a rotation renamed it among the generation names (found by inode).
 * null when it is gone (deleted, or compressed into a new file).
 */
export async function reopenMember(m: Member, current: string): Promise<{ handle: fsp.FileHandle } | { error: string } | null> {
  const candidates = [m.gen.path]
  try {
    const base = basename(current)
    for (const name of await fsp.readdir(dirname(current))) {
      if (parseGenerationName(base, name) !== null || name === base) candidates.push(join(dirname(current), name))
    }
  } catch {
    // the directory cannot be listed: only the path it had
  }
  let firstError: string | null = null
  for (const path of candidates) {
    let st
    try {
      st = await fsp.lstat(path)
    } catch {
      continue
    }
    if (st.ino !== m.ino || st.dev !== m.dev) continue
    const opened = await openMemberFile(path)
    if ('handle' in opened) {
      if (opened.ino === m.ino && opened.dev === m.dev) return { handle: opened.handle }
      await opened.handle.close()
    } else if ('refused' in opened) {
      firstError ??= opened.refused
    } else {
      firstError ??= `${path}: ${why(opened.error)}`
    }
  }
  return firstError === null ? null : { error: firstError }
}
