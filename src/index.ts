// Public surface of ds01-events.
export { openWriter, MAX_LINE_BYTES, DEFAULT_LOCK_TIMEOUT_MS } from './writer.js'
export type { RawWriter, WriteError, WriteResult, WriterStats, WriterOptions } from './writer.js'
export { nativeFailure, nativeInfo } from './native.js'
