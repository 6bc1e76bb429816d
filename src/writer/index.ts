// The writer layer's entry: openWriter picks the native addon or the
// JavaScript fallback behind one contract (contract.ts).
import { resolve } from 'node:path'
import { DEFAULT_LOCK_TIMEOUT_MS, type RawWriter, type WriteResult, type WriterOptions, type WriterStats } from './contract.js'
import { loadNative, type NativeHandle } from './native.js'
import type { JsWriter } from './js-writer.js'

export * from './contract.js'
export { nativeFailure, nativeInfo } from './native.js'

/** Opens nothing yet: the file is opened (and created) on the first append, and reopened after rotation. */
export function openWriter(path: string, options: WriterOptions = {}): RawWriter {
  const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS
  // Absolute from the start: the rotation check must not follow a later chdir().
  if (typeof path === 'string' && path !== '' && !path.includes('\0')) path = resolve(path)
  const binding = loadNative()
  if (binding !== null) return new NativeWriter(new binding.Writer(path, lockTimeoutMs), path)
  // Loaded only when needed: the CLI's start-up pays for every module.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { JsWriter: Fallback } = require('./js-writer.js') as { JsWriter: typeof JsWriter }
  return new Fallback(path)
}

class NativeWriter implements RawWriter {
  readonly native = true
  constructor(private readonly handle: NativeHandle, readonly path: string) {}
  append(data: string | Uint8Array): WriteResult {
    return this.handle.append(data)
  }
  appendAsync(data: string | Uint8Array, callback: (result: WriteResult) => void): number {
    const job = this.handle.appendAsync(data, callback)
    if (typeof job === 'number') return job
    queueMicrotask(() => callback(job))
    return 0
  }
  drain(): WriteResult {
    return this.handle.drain()
  }
  waitIdle(timeoutMs: number): boolean {
    return this.handle.waitIdle(timeoutMs)
  }
  lastLanded(): number {
    return this.handle.lastLanded()
  }
  stats(): WriterStats {
    return this.handle.stats()
  }
  close(): void {
    this.handle.close()
  }
}
