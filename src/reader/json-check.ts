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

const KEY_TEXT: Array<Buffer | null> = []
const KEY_BIT: number[] = []
for (const [text, bit] of [['timestamp', KEY_TIMESTAMP], ['event_type', KEY_EVENT_TYPE], ['schema_version', KEY_SCHEMA_VERSION],
  ['user', KEY_USER], ['source', KEY_SOURCE], ['details', KEY_DETAILS]] as const) {
  KEY_TEXT[text.length] = Buffer.from(text) // one envelope key per length
  KEY_BIT[text.length] = bit
}

/** The bit of the envelope key buf[start, end), or 0. */
function keyBit(buf: Buffer, start: number, end: number): number {
  const n = end - start
  const key = n < KEY_TEXT.length ? KEY_TEXT[n] : undefined
  if (key === undefined || key === null) return 0
  for (let i = 0; i < n; i++) if (buf[start + i] !== key[i]) return 0
  return KEY_BIT[n]
}

/** The end of the string whose opening quote is at buf[at], or -1 (the line has no backslash and no raw control character: checked apart). */
function stringEnd(buf: Buffer, at: number, end: number): number {
  // short strings (keys, most values) in a loop; a long one with one native search
  const near = Math.min(end, at + 17)
  for (let j = at + 1; j < near; j++) if (buf[j] === 0x22) return j + 1
  if (near === end) return -1
  const close = buf.indexOf(0x22, near)
  return close < 0 || close >= end ? -1 : close + 1
}

let lastBuffer: Buffer | null = null
let lastView: DataView | null = null

/**
 * Whether buf[start, end) has a byte below 0x20 (a raw control character,
 * tab included: the parser decides about those lines). Four bytes a step.
 */
export function hasControl(buf: Buffer, start: number, end: number): boolean {
  if (buf !== lastBuffer) {
    lastBuffer = buf
    lastView = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  }
  const view = lastView as DataView
  let i = start
  for (; i + 4 <= end; i += 4) {
    const x = view.getUint32(i, true)
    // a byte below 0x20 in x (exact for the word as a whole)
    if (((x - 0x20202020) & ~x & 0x80808080) !== 0) return true
  }
  for (; i < end; i++) if (buf[i] < 0x20) return true
  return false
}

/** The end of the number at buf[at] (RFC 8259 grammar), or -1. */
function numberEnd(buf: Buffer, at: number, end: number): number {
  let i = at
  if (buf[i] === 0x2d) i++
  if (i >= end) return -1
  let c = buf[i]
  if (c === 0x30) {
    i++
  } else if (c >= 0x31 && c <= 0x39) {
    do i++; while (i < end && (c = buf[i]) >= 0x30 && c <= 0x39)
  } else {
    return -1
  }
  if (i < end && buf[i] === 0x2e) {
    i++
    if (i >= end || !((c = buf[i]) >= 0x30 && c <= 0x39)) return -1
    do i++; while (i < end && (c = buf[i]) >= 0x30 && c <= 0x39)
  }
  if (i < end && ((c = buf[i]) === 0x65 || c === 0x45)) {
    i++
    if (i < end && ((c = buf[i]) === 0x2b || c === 0x2d)) i++
    if (i >= end || !((c = buf[i]) >= 0x30 && c <= 0x39)) return -1
    do i++; while (i < end && (c = buf[i]) >= 0x30 && c <= 0x39)
  }
  return i
}

const TRUE = Buffer.from('true')
const FALSE = Buffer.from('false')
const NULL = Buffer.from('null')

function literalEnd(buf: Buffer, at: number, end: number, text: Buffer): number {
  const n = text.length
  if (at + n > end) return -1
  for (let i = 1; i < n; i++) if (buf[at + i] !== text[i]) return -1
  return at + n
}

function skipSpaces(buf: Buffer, at: number, end: number): number {
  let c
  while (at < end && ((c = buf[at]) === 0x20 || c === 0x09 || c === 0x0d)) at++
  return at
}

// the open containers, innermost last (1 object, 0 array): one array for every call
const open: number[] = []

/**
 * For buf[start, end), one JSON object without any backslash: the bits of the
 * envelope keys at its top level; NOT_PLAIN when it is not valid JSON, has a
 * backslash (an escape: the parser decides) or a raw control character in a
 * string, or repeats an envelope key.
 */
export function plainObjectKeys(buf: Buffer, start: number, end: number): number {
  if (hasControl(buf, start, end)) return NOT_PLAIN
  const slash = buf.indexOf(0x5c, start)
  if (slash >= 0 && slash < end) return NOT_PLAIN
  let i = skipSpaces(buf, start, end)
  if (buf[i] !== 0x7b /* { */) return NOT_PLAIN // the line must be one object
  i = skipSpaces(buf, i + 1, end)
  if (buf[i] === 0x7d /* } */) return afterTop(buf, i + 1, end, 0)
  return validate(buf, i, end, 0, false)
}

/**
 * The same for a line whose start, up to buf[at], is known to be a valid
 * object's first members (its envelope, read in place; `keys` their bits):
 * the rest is checked from just after their last value. The caller has made
 * sure the line has no backslash and no byte below 0x20.
 */
export function plainRestKeys(buf: Buffer, at: number, end: number, keys: number): number {
  return validate(buf, at, end, keys, true)
}

function validate(buf: Buffer, from: number, end: number, keysBefore: number, afterValue: boolean): number {
  open.length = 0
  open.push(1)
  let keys = keysBefore
  let i = from
  let expectKey = true
  let c = 0
  for (;;) {
    if (!afterValue) {
      if (i >= end) return NOT_PLAIN
      c = buf[i]
      if (expectKey) {
        if (c !== 0x22) return NOT_PLAIN
        const close = stringEnd(buf, i, end)
        if (close < 0) return NOT_PLAIN
        if (open.length === 1) {
          const bit = keyBit(buf, i + 1, close - 1)
          if ((keys & bit) !== 0) return NOT_PLAIN // a repeated envelope key: the parser keeps the last
          keys |= bit
        }
        i = skipSpaces(buf, close, end)
        if (buf[i] !== 0x3a /* : */) return NOT_PLAIN
        i = skipSpaces(buf, i + 1, end)
        if (i >= end) return NOT_PLAIN
        c = buf[i]
      }
      // a value
      if (c === 0x22) {
        i = stringEnd(buf, i, end)
      } else if (c === 0x7b || c === 0x5b) {
        const object = c === 0x7b
        i = skipSpaces(buf, i + 1, end)
        if (buf[i] === (object ? 0x7d : 0x5d)) {
          i++ // empty: a whole value
        } else {
          open.push(object ? 1 : 0)
          expectKey = object
          continue
        }
      } else if (c === 0x74) {
        i = literalEnd(buf, i, end, TRUE)
      } else if (c === 0x66) {
        i = literalEnd(buf, i, end, FALSE)
      } else if (c === 0x6e) {
        i = literalEnd(buf, i, end, NULL)
      } else {
        i = numberEnd(buf, i, end)
      }
      if (i < 0) return NOT_PLAIN
    }
    afterValue = false
    // after a value: ',' or closes
    for (;;) {
      i = skipSpaces(buf, i, end)
      if (i >= end) return NOT_PLAIN
      c = buf[i]
      const top = open[open.length - 1]
      if (c === 0x2c /* , */) {
        i = skipSpaces(buf, i + 1, end)
        expectKey = top === 1
        break
      }
      if (c !== (top === 1 ? 0x7d : 0x5d)) return NOT_PLAIN
      open.pop()
      i++
      if (open.length === 0) return afterTop(buf, i, end, keys)
    }
  }
}

/** After the line's object: only blanks may follow. */
function afterTop(buf: Buffer, at: number, end: number, keys: number): number {
  return skipSpaces(buf, at, end) === end ? keys : NOT_PLAIN
}
