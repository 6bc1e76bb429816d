// The command's start-up on Node >= 22: V8's compile cache for our modules
// (module.enableCompileCache), kept in the user's own cache directory. Every
// bash event that goes the synchronous way, and every script's helper, pays
// this start-up. The cache holds code that runs as whoever reads it, so it
// is only used where nobody else can write: every directory from the cache
// up to / must be the user's or root's and writable by no one else (or
// sticky, as /tmp, whose entries only their owner may move), else there is no cache
// (never root's in another user's home, as `sudo` keeping HOME would give).
// DS01_EVENTS_COMPILE_CACHE=0 (or Node's NODE_DISABLE_COMPILE_CACHE=1) turns it off.
import { lstatSync, mkdirSync } from 'node:fs'
import { dirname, isAbsolute, join } from 'node:path'
import * as nodeModule from 'node:module'

type WithCache = { enableCompileCache?: (dir?: string) => { status: number; directory?: string; message?: string } }

/**
 * Whether `dir` and every directory above it are `uid`'s or root's, and
 * writable by them alone; an ancestor others may write in counts only when it
 * is sticky (like /tmp: nobody else may rename or remove what is ours in it).
 */
export function ownedChain(dir: string, uid: number): boolean {
  for (let at = dir; ; at = dirname(at)) {
    let stat
    try {
      stat = lstatSync(at)
    } catch {
      return false
    }
    if (!stat.isDirectory()) return false // a symlink included
    if (stat.uid !== uid && stat.uid !== 0) return false
    if ((stat.mode & 0o022) !== 0 && (at === dir || (stat.mode & 0o1000) === 0)) return false
    if (at === dirname(at)) return true
  }
}

/** The compile cache directory for this user, made if missing; null where none is safe. */
export function compileCacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  const uid = process.geteuid?.()
  if (uid === undefined) return null
  const xdg = env.XDG_CACHE_HOME
  const base = xdg !== undefined && isAbsolute(xdg) ? xdg : env.HOME !== undefined && isAbsolute(env.HOME) ? join(env.HOME, '.cache') : null
  if (base === null) return null
  const dir = join(base, 'ds01-events', 'compile-cache')
  // the nearest existing ancestor decides whether we may make the rest
  let existing = dir
  const missing: string[] = []
  for (;;) {
    try {
      lstatSync(existing)
      break
    } catch {
      missing.unshift(existing)
      if (existing === dirname(existing)) return null
      existing = dirname(existing)
    }
  }
  // made inside the home (or cache) directory that exists, never the home itself
  if (!existing.startsWith(dirname(base)) || existing.length < dirname(base).length) return null
  if (!ownedChain(existing, uid)) return null
  try {
    for (const each of missing) mkdirSync(each, { mode: 0o700 })
  } catch {
    return null
  }
  return ownedChain(dir, uid) ? dir : null
}

/** Turns the compile cache on where Node has one and a safe directory exists; never throws. */
export function enableCompileCache(): void {
  try {
    const enable = (nodeModule as WithCache).enableCompileCache
    if (typeof enable !== 'function') return // Node 20
    const env = process.env
    if (env.DS01_EVENTS_COMPILE_CACHE === '0' || (env.NODE_DISABLE_COMPILE_CACHE ?? '') !== '') return
    if ((env.NODE_COMPILE_CACHE ?? '') !== '') return // the user chose one: Node has it on already
    const dir = compileCacheDir()
    if (dir !== null) enable(dir)
  } catch {
    // a start-up without the cache
  }
}
