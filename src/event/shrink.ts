// Too-large events (spec "Too large"): shrink the details until the line fits
// in 4096 bytes, longest values first, byte-exact with multi-byte text and
// JSON escapes; mark the result with "truncated":true,"original_size":N.
import { MAX_LINE_BYTES } from '../writer/index.js'
const ELLIPSIS = '\u2026' // 3 bytes in UTF-8: says "cut here" to a reader
const MIN_CUT = '"' + ELLIPSIS + '"'
const MIN_CUT_BYTES = 5

/** UTF-8 bytes of JSON text (well-formed: JSON.stringify escapes lone surrogates). */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8')
}

/** Bytes and UTF-16 length of the JSON token starting at i (an escape, a surrogate pair, one unit). */
function token(json: string, i: number): [bytes: number, units: number] {
  const c = json.charCodeAt(i)
  if (c === 0x5c) return json.charCodeAt(i + 1) === 0x75 ? [6, 6] : [2, 2] // \uXXXX or \n, \", ...
  if (c < 0x80) return [1, 1]
  if (c < 0x800) return [2, 1]
  if (c >= 0xd800 && c <= 0xdbff) return [4, 2] // a pair: lone surrogates are escaped, never raw
  return [3, 1]
}

/**
 * A JSON string literal of at most maxBytes (>= 5): the longest prefix of
 * `literal`'s content that fits, then an ellipsis. Never splits an escape or a
 * surrogate pair.
 */
export function cutStringLiteral(literal: string, maxBytes: number): string {
  let budget = maxBytes - MIN_CUT_BYTES
  let end = 1
  const stop = literal.length - 1 // the closing quote
  while (end < stop) {
    const [bytes, units] = token(literal, end)
    if (bytes > budget) break
    budget -= bytes
    end += units
  }
  return literal.slice(0, end) + ELLIPSIS + '"'
}

/** A value's JSON as a string literal we can cut: strings as they are, anything else as its JSON text. */
function asStringLiteral(json: string): string {
  return json.charCodeAt(0) === 0x22 ? json : JSON.stringify(json)
}

/**
 * The whole line, shrunk, or null when even the envelope with nothing but the
 * truncation marker in its details cannot fit (a line without the marker
 * would hide that anything was cut).
 * head: the envelope up to where ',"details":{' would start. keys: JSON
 * string literals of the detail keys; values: their values' JSON, in order.
 */
export function shrinkLine(head: string, keys: readonly string[], values: readonly string[], originalSize: number): string | null {
  const headBytes = utf8Bytes(head) + 2 // + '}\n'
  const marker = '"truncated":true,"original_size":' + originalSize
  const budget = MAX_LINE_BYTES - headBytes - ',"details":{}'.length - marker.length
  if (budget < 0) return null

  const n = keys.length
  const keep: boolean[] = []
  const json: string[] = []
  const keyBytes: number[] = []
  const valueBytes: number[] = []
  let total = 0 // every kept field costs key + ':' + value + ','
  for (let i = 0; i < n; i++) {
    const drop = keys[i] === '"truncated"' || keys[i] === '"original_size"'
    keep.push(!drop)
    json.push(values[i])
    keyBytes.push(utf8Bytes(keys[i]))
    valueBytes.push(utf8Bytes(values[i]))
    if (!drop) total += keyBytes[i] + valueBytes[i] + 2
  }
  let excess = total - budget

  // 1. Cut values, longest first: one cut is often enough, and the rest stay intact.
  const byValue = [...Array(n).keys()].filter((i) => keep[i]).sort((a, b) => valueBytes[b] - valueBytes[a])
  for (const i of byValue) {
    if (excess <= 0) break
    if (valueBytes[i] <= MIN_CUT_BYTES) break
    const target = Math.max(MIN_CUT_BYTES, valueBytes[i] - excess)
    json[i] = target === MIN_CUT_BYTES ? MIN_CUT : cutStringLiteral(asStringLiteral(values[i]), target)
    const bytes = utf8Bytes(json[i])
    excess -= valueBytes[i] - bytes
    valueBytes[i] = bytes
  }
  // 2. Too many fields even so: drop whole fields, largest first.
  if (excess > 0) {
    const bySize = byValue.slice().sort((a, b) => keyBytes[b] + valueBytes[b] - (keyBytes[a] + valueBytes[a]))
    for (const i of bySize) {
      if (excess <= 0) break
      keep[i] = false
      excess -= keyBytes[i] + valueBytes[i] + 2
    }
  }
  let body = ''
  for (let i = 0; i < n; i++) if (keep[i]) body += keys[i] + ':' + json[i] + ','
  const line = head + ',"details":{' + body + marker + '}}\n'
  return utf8Bytes(line) <= MAX_LINE_BYTES ? line : null
}
