// Whether a line the scanner read in place is JSON, without parsing it: the
// fast path (envelope read in place, line copied out as it is) must never
// pass a line JSON.parse refuses (a trailing comma, a torn line with the next
// one glued on, a raw control character in a string). One pass over the bytes,
// no allocation; it also notes which envelope keys the top-level object has,
// so that a repeated key (JSON.parse keeps the last) sends the line to the parser.

/** Bits of the envelope keys found at the top level. */
export const KEY_TIMESTAMP = 1
export const KEY_EVENT_TYPE = 2
export const KEY_SCHEMA_VERSION = 4
export const KEY_USER = 8
export const KEY_SOURCE = 16
export const KEY_DETAILS = 32

/** Not valid JSON as far as the fast path can tell (or a key repeated): the caller parses the line. */
export const NOT_PLAIN = -1

const KEYS: Array<[Buffer, number]> = [
  [Buffer.from('timestamp'), KEY_TIMESTAMP],
  [Buffer.from('event_type'), KEY_EVENT_TYPE],
  [Buffer.from('schema_version'), KEY_SCHEMA_VERSION],
  [Buffer.from('user'), KEY_USER],
  [Buffer.from('source'), KEY_SOURCE],
  [Buffer.from('details'), KEY_DETAILS]
]

function keyBit(buf: Buffer, start: number, end: number): number {
  const n = end - start
  for (const [key, bit] of KEYS) {
    if (key.length !== n) continue
    let same = true
    for (let i = 0; i < n; i++) {
      if (buf[start + i] !== key[i]) { same = false; break }
    }
    if (same) return bit
  }
  return 0
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39
}

/** The end of the number at buf[at] (RFC 8259 grammar), or -1. */
function numberEnd(buf: Buffer, at: number, end: number): number {
  let i = at
  if (buf[i] === 0x2d) i++
  if (i >= end) return -1
  if (buf[i] === 0x30) i++
  else if (buf[i] >= 0x31 && buf[i] <= 0x39) { while (i < end && isDigit(buf[i])) i++ } else return -1
  if (i < end && buf[i] === 0x2e) {
    i++
    if (i >= end || !isDigit(buf[i])) return -1
    while (i < end && isDigit(buf[i])) i++
  }
  if (i < end && (buf[i] === 0x65 || buf[i] === 0x45)) {
    i++
    if (i < end && (buf[i] === 0x2b || buf[i] === 0x2d)) i++
    if (i >= end || !isDigit(buf[i])) return -1
    while (i < end && isDigit(buf[i])) i++
  }
  return i
}

function literalEnd(buf: Buffer, at: number, end: number, text: string): number {
  if (at + text.length > end) return -1
  for (let i = 0; i < text.length; i++) if (buf[at + i] !== text.charCodeAt(i)) return -1
  return at + text.length
}

// What the parser expects next
const VALUE = 0 // a value
const KEY_OR_CLOSE = 1 // just after '{': a key or '}'
const VALUE_OR_CLOSE = 2 // just after '[': a value or ']'
const KEY = 3 // after ',' in an object
const COLON = 4
const AFTER_VALUE = 5 // ',' or the container's close

/**
 * For buf[start, end), one JSON object without any backslash: the bits of the
 * envelope keys at its top level; NOT_PLAIN when it is not valid JSON, has a
 * backslash (an escape: the parser decides), or repeats an envelope key.
 */
export function plainObjectKeys(buf: Buffer, start: number, end: number): number {
  // the open containers: 1 object, 0 array; depth is bounded by the line's length
  const stack: number[] = [1]
  let state = KEY_OR_CLOSE
  let keys = 0
  let i = skipSpaces(buf, start, end)
  if (buf[i] !== 0x7b /* { */) return NOT_PLAIN // the line must be one object
  i++
  while (i < end) {
    const c = buf[i]
    if (isSpace(c)) { i++; continue }
    switch (state) {
      case VALUE:
      case VALUE_OR_CLOSE:
      case KEY_OR_CLOSE:
      case KEY:
        if (state === VALUE_OR_CLOSE && c === 0x5d /* ] */) { stack.pop(); i++; state = AFTER_VALUE; break }
        if (state === KEY_OR_CLOSE && c === 0x7d /* } */) { stack.pop(); i++; state = AFTER_VALUE; break }
        if (c === 0x22 /* " */) {
          const from = i + 1
          let j = from
          for (; j < end; j++) {
            const s = buf[j]
            if (s === 0x22) break
            if (s < 0x20 || s === 0x5c) return NOT_PLAIN // a raw control character, or an escape
          }
          if (j >= end) return NOT_PLAIN
          i = j + 1
          if (state === KEY_OR_CLOSE || state === KEY) {
            if (stack.length === 1) {
              const bit = keyBit(buf, from, j)
              if ((keys & bit) !== 0) return NOT_PLAIN // a repeated envelope key: the parser keeps the last
              keys |= bit
            }
            state = COLON
          } else {
            state = AFTER_VALUE
          }
          break
        }
        if (state === KEY_OR_CLOSE || state === KEY) return NOT_PLAIN
        if (c === 0x7b /* { */) { stack.push(1); i++; state = KEY_OR_CLOSE; break }
        if (c === 0x5b /* [ */) { stack.push(0); i++; state = VALUE_OR_CLOSE; break }
        {
          const next = c === 0x74 ? literalEnd(buf, i, end, 'true')
            : c === 0x66 ? literalEnd(buf, i, end, 'false')
              : c === 0x6e ? literalEnd(buf, i, end, 'null')
                : numberEnd(buf, i, end)
          if (next < 0) return NOT_PLAIN
          i = next
          state = AFTER_VALUE
        }
        break
      case COLON:
        if (c !== 0x3a /* : */) return NOT_PLAIN
        i++
        state = VALUE
        break
      case AFTER_VALUE: {
        if (stack.length === 0) return NOT_PLAIN // something after the object
        const top = stack[stack.length - 1]
        if (c === 0x2c /* , */) { i++; state = top === 1 ? KEY : VALUE; break }
        if ((top === 1 && c === 0x7d) || (top === 0 && c === 0x5d)) {
          stack.pop()
          i++
          state = AFTER_VALUE
          break
        }
        return NOT_PLAIN
      }
    }
  }
  return state === AFTER_VALUE && stack.length === 0 ? keys : NOT_PLAIN
}

function skipSpaces(buf: Buffer, at: number, end: number): number {
  while (at < end && isSpace(buf[at])) at++
  return at
}
