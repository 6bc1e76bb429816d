// Loads the addon once per process, or explains why the JavaScript writer stands in.
import { join } from 'node:path'
import type { WriteResult, WriterStats } from './writer.js'
import { warnOnce } from './warnings.js'

export interface NativeBinding {
  Writer: new (path: string, lockTimeoutMs: number) => {
    append(data: string | Uint8Array): WriteResult
    appendAsync(data: string | Uint8Array, callback: (result: WriteResult) => void): WriteResult
    drain(): WriteResult
    stats(): WriterStats
    close(): null
  }
  maxLineBytes: number
  sourceHash: string
}

let loaded: NativeBinding | null | undefined
let failure: string | undefined
let loadedFrom: string | undefined

/** The addon, or null when it is disabled (DS01_EVENTS_NATIVE=0) or cannot load here. */
export function loadNative(): NativeBinding | null {
  if (loaded !== undefined) return loaded
  if (process.env.DS01_EVENTS_NATIVE === '0') {
    failure = 'disabled by DS01_EVENTS_NATIVE=0'
    loaded = null
    return loaded
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const gypBuild = require('node-gyp-build') as { resolve(dir: string): string }
    // DS01_EVENTS_ADDON names a build to test instead (the sanitizer build of check:native).
    loadedFrom = process.env.DS01_EVENTS_ADDON || gypBuild.resolve(join(__dirname, '..'))
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(loadedFrom) as NativeBinding
  } catch (err) {
    failure = err instanceof Error ? err.message.split('\n')[0] : String(err)
    loaded = null
    warnOnce('native-load', `ds01-events: native writer unavailable (${failure}); using the JavaScript writer (O_APPEND, no flock)`)
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
