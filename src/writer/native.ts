// Loads the addon once per process, or explains why the JavaScript writer stands in.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { WriteError, WriteResult, WriterStats } from './contract.js'
import { warnOnce } from '../common/index.js'

/** One native writer, as the addon gives it. */
export interface NativeHandle {
  append(data: string | Uint8Array): WriteResult
  appendAsync(data: string | Uint8Array, callback: (result: WriteResult) => void): WriteError | number
  drain(): WriteResult
  waitIdle(timeoutMs: number): boolean
  lastLanded(): number
  stats(): WriterStats
  close(): null
}

export interface NativeBinding {
  Writer: new (path: string, lockTimeoutMs: number) => NativeHandle
  maxLineBytes: number
  /** The native side's PATH_CHECK_MS. */
  pathCheckMs: number
  sourceHash: string
}

let loaded: NativeBinding | null | undefined
let failure: string | undefined
let loadedFrom: string | undefined

/**
 * Which addon file to load. Every bash event is a node process, so the two
 * usual answers (a local build, else the linux-x64 prebuild) are checked
 * directly, in node-gyp-build's order; node-gyp-build decides anything else.
 */
function resolveAddon(root: string): string {
  // DS01_EVENTS_ADDON names a build to test instead (the sanitizer build of check:native).
  if (process.env.DS01_EVENTS_ADDON) return process.env.DS01_EVENTS_ADDON
  if (process.platform === 'linux' && process.arch === 'x64') {
    const local = join(root, 'build', 'Release', 'ds01_events.node')
    if (!process.env.PREBUILDS_ONLY && existsSync(local)) return local
    const prebuild = join(root, 'prebuilds', 'linux-x64', 'ds01-events.glibc.node')
    if (!existsSync(join(root, 'build')) && existsSync(prebuild)) return prebuild
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const gypBuild = require('node-gyp-build') as { resolve(dir: string): string }
  return gypBuild.resolve(root)
}

/** The addon, or null when it is disabled (DS01_EVENTS_NATIVE=0) or cannot load here. */
export function loadNative(): NativeBinding | null {
  if (loaded !== undefined) return loaded
  if (process.env.DS01_EVENTS_NATIVE === '0') {
    failure = 'disabled by DS01_EVENTS_NATIVE=0'
    loaded = null
    return loaded
  }
  try {
    loadedFrom = resolveAddon(join(__dirname, '..', '..'))
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(loadedFrom) as NativeBinding
  } catch (err) {
    failure = err instanceof Error ? err.message.split('\n')[0] : String(err)
    loaded = null
    // No binary for this platform at all (no prebuild, nothing built) is the
    // documented case where the JavaScript writer stands in: a CLI call per
    // event must not warn each time (nativeFailure() still says why). A
    // binary that is there and fails to load is a fault: that warns.
    if (!failure.startsWith('No native build was found')) {
      warnOnce('native-load', `ds01-events: native writer unavailable (${failure}); using the JavaScript writer (O_APPEND, no flock)`)
    }
  }
  return loaded
}

/** Which addon file is in use and the source hash it was built from (for tests and `--version`). */
export function nativeInfo(): { path: string; sourceHash: string } | null {
  const binding = loadNative()
  return binding === null || loadedFrom === undefined ? null : { path: loadedFrom, sourceHash: binding.sourceHash }
}

/** Why the native writer is not in use, if it is not. */
export function nativeFailure(): string | undefined {
  loadNative()
  return failure
}
