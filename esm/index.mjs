// ESM entry: the package is compiled to CommonJS; this re-exports it by name.
import cjs from '../dist/index.js'

export const { openWriter, MAX_LINE_BYTES, DEFAULT_LOCK_TIMEOUT_MS, nativeFailure, nativeInfo } = cjs
export default cjs
