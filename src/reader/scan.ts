// The hot loop of the file reader: complete lines of a byte chunk, tested
// before they are parsed. A v1 line written by this project's writers starts
// with its envelope in a fixed shape, so its timestamp, type, user and source
// are read in place; a line with a backslash, or another shape, is parsed.
import { v1Timestamp, type QueryFilter } from './filter.js'
import { hasControl, KEY_EVENT_TYPE, KEY_SCHEMA_VERSION, KEY_SOURCE, KEY_TIMESTAMP, KEY_USER, NOT_PLAIN, plainRestKeys } from './json-check.js'
import { parseEventLine, type EventRecord, type ParsedEvent, type SkipCounts } from './record.js'

const NEWLINE = 0x0a
const BACKSLASH = 0x5c
const QUOTE = 0x22

const TS_OPEN = Buffer.from('{"timestamp":"')
const TS_LENGTH = 27 // 2026-01-30T14:30:00.123456Z
const TYPE_OPEN = Buffer.from('","event_type":"')
const TYPE_START = TS_OPEN.length + TS_LENGTH + TYPE_OPEN.length
const VERSION_KEY = Buffer.from(',"schema_version":"')
const USER_KEY = Buffer.from(',"user":"')
const SOURCE_KEY = Buffer.from(',"source":"')

/** The envelope of a canonical v1 line, read in place (latin1 text of the bytes). */
export interface FastEnvelope {
  tsStart: number
  type: string
  /** latin1 text of the bytes; utf8Text() gives the real text */
  user: string | undefined
  source: string | undefined
  /** whether the line has a "user" / "source" key right after schema_version (its value may be "") */
  userKey: boolean
  sourceKey: boolean
  /** just after the envelope's last value (the rest of the line starts there) */
  restAt: number
}

/** A latin1-read byte string as the UTF-8 text it encodes. */
export { latin1 }

export function utf8Text(latin1: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(latin1) ? latin1 : Buffer.from(latin1, 'latin1').toString('utf8')
}

// Byte loops, not Buffer#compare: for a few bytes a native call costs more than the comparison.
function startsWithAt(buf: Buffer, at: number, end: number, literal: Buffer): boolean {
  const n = literal.length
  if (at + n > end) return false
  for (let i = 0; i < n; i++) if (buf[at + i] !== literal[i]) return false
  return true
}

/** Compares the timestamp at buf[at] with `text` (27 bytes): < 0, 0, > 0 as the line's sorts before, equal, after. */
function compareTimestamp(buf: Buffer, at: number, text: Buffer): number {
  for (let i = 0; i < TS_LENGTH; i++) {
    const d = buf[at + i] - text[i]
    if (d !== 0) return d
  }
  return 0
}

type Latin1 = { latin1Slice(start: number, end: number): string }
/** buf.toString('latin1', start, end) without its argument checks (the hot path's indexes are in range). */
function latin1(buf: Buffer, start: number, end: number): string {
  return (buf as unknown as Latin1).latin1Slice(start, end)
}

/** The timestamp's start when the line begins as a v1 line does, else -1. */
export function v1TimestampAt(buf: Buffer, start: number, end: number): number {
  if (end - start < TYPE_START || !startsWithAt(buf, start, end, TS_OPEN)) return -1
  return startsWithAt(buf, start + TS_OPEN.length + TS_LENGTH, end, TYPE_OPEN) ? start + TS_OPEN.length : -1
}

/** The envelope in place, or null when the line is not canonical v1 (the caller parses it). Needs a line without backslash. */
export function fastEnvelope(buf: Buffer, start: number, end: number): FastEnvelope | null {
  const tsStart = v1TimestampAt(buf, start, end)
  if (tsStart < 0) return null
  let at = start + TYPE_START
  let close = buf.indexOf(QUOTE, at)
  if (close < 0 || close >= end) return null
  const type = latin1(buf, at, close)
  at = close + 1
  if (!startsWithAt(buf, at, end, VERSION_KEY)) return null
  close = buf.indexOf(QUOTE, at + VERSION_KEY.length)
  if (close < 0 || close >= end) return null
  at = close + 1
  let user: string | undefined
  let source: string | undefined
  let userKey = false
  let sourceKey = false
  if (startsWithAt(buf, at, end, USER_KEY)) {
    userKey = true
    close = buf.indexOf(QUOTE, at + USER_KEY.length)
    if (close < 0 || close >= end) return null
    user = latin1(buf, at + USER_KEY.length, close) || undefined
    at = close + 1
  }
  if (startsWithAt(buf, at, end, SOURCE_KEY)) {
    sourceKey = true
    close = buf.indexOf(QUOTE, at + SOURCE_KEY.length)
    if (close < 0 || close >= end) return null
    source = latin1(buf, at + SOURCE_KEY.length, close) || undefined
    at = close + 1
  }
  const next = buf[at]
  if (next !== 0x2c /* , */ && next !== 0x7d /* } */) return null
  return { tsStart, type, user, source, userKey, sourceKey, restAt: at }
}

/** The envelope read in place, when the whole line is JSON and has no other user or source key (JSON.parse keeps the last of a repeated key). Needs a line without backslash. */
export function checkedEnvelope(buf: Buffer, start: number, end: number): FastEnvelope | null {
  const fast = fastEnvelope(buf, start, end)
  if (fast === null || !timestampShaped(buf, fast.tsStart)) return null
  // no raw control character (the parser decides about those lines); the caller has found no backslash
  if (hasControl(buf, fast.tsStart + TS_LENGTH, end)) return null
  const before = KEY_TIMESTAMP | KEY_EVENT_TYPE | KEY_SCHEMA_VERSION | (fast.userKey ? KEY_USER : 0) | (fast.sourceKey ? KEY_SOURCE : 0)
  const keys = plainRestKeys(buf, fast.restAt, end, before)
  if (keys === NOT_PLAIN) return null
  // a user or source key later in the line: JSON.parse keeps the last, so the parser decides
  if (((keys & KEY_USER) !== 0) !== fast.userKey || ((keys & KEY_SOURCE) !== 0) !== fast.sourceKey) return null
  return fast
}

const TS_SHAPE = Buffer.from('0000-00-00T00:00:00.000000Z')
/** Whether the 27 bytes at buf[at] have the shape of a v1 timestamp (digits where digits go): only such text is compared as text. */
export function timestampShaped(buf: Buffer, at: number): boolean {
  for (let i = 0; i < TS_LENGTH; i++) {
    const want = TS_SHAPE[i]
    const c = buf[at + i]
    if (want === 0x30 ? c < 0x30 || c > 0x39 : c !== want) return false
  }
  return true
}

/** A record whose event is parsed on first use (most lines of a --limit window are never shown). */
class LazyRecord implements EventRecord {
  private parsed: ParsedEvent | undefined
  constructor(readonly line: string, parsed?: ParsedEvent) {
    this.parsed = parsed
  }

  get event(): ParsedEvent {
    if (this.parsed === undefined) {
      // only built from lines already read as events
      this.parsed = parseEventLine(this.line) as ParsedEvent
    }
    return this.parsed
  }
}

/** What the scanner does with a line that passed the filter. */
export interface LineSink {
  /** `fast` is set when the envelope was read in place and the filter needed nothing else */
  (buf: Buffer, start: number, end: number, fast: FastEnvelope | null, event: ParsedEvent | null): void
}

/** Makes records out of the lines a scanner passes. */
export function recordSink(out: EventRecord[]): LineSink {
  return (buf, start, end, _fast, event) => {
    out.push(new LazyRecord(buf.toString('utf8', start, end), event ?? undefined))
  }
}

/** Marks the time beyond which a sequential scan of a file may stop. */
export const PAST_UNTIL = -1

/**
 * Lines in a row stamped past --until plus the slack before a sequential scan
 * stops: one damaged or odd line (a year 2099, a clock briefly ahead) never
 * ends it; a log that has moved on past --until ends it after this many lines.
 */
export const STOP_RUN_LINES = 1000

export class LineScanner {
  private readonly anchor: Buffer | null
  private readonly since: Buffer | null
  private readonly until: Buffer | null
  /** until + the disorder slack: a v1 line past it ends a sequential scan */
  private readonly stopAfter: Buffer | null
  private readonly envelopeFilter: boolean
  /** v1 lines in a row past stopAfter */
  private pastRun = 0

  constructor(
    private readonly filter: QueryFilter,
    private readonly skips: SkipCounts,
    private readonly sink: LineSink,
    slackMs: number
  ) {
    const anchor = filter.anchor
    this.anchor = anchor === null ? null : Buffer.from(anchor)
    this.since = filter.sinceText === undefined ? null : Buffer.from(filter.sinceText)
    this.until = filter.untilText === undefined ? null : Buffer.from(filter.untilText)
    this.stopAfter = filter.until === undefined ? null : Buffer.from(v1Timestamp(new Date(filter.until.getTime() + slackMs)))
    this.envelopeFilter = filter.users.length > 0 || filter.sources.length > 0 || filter.types.length > 0 || filter.notTypes.length > 0
  }

  /**
   * Scans the complete lines of buf[start, end) (end just after a newline, or
   * the end of the data). Returns PAST_UNTIL when a v1 line lies past --until
   * (plus the slack), else the count of lines seen.
   */
  scan(buf: Buffer, start: number, end: number): number {
    return this.anchor === null ? this.scanAll(buf, start, end) : this.scanAnchored(buf, start, end, this.anchor)
  }

  private scanAll(buf: Buffer, start: number, end: number): number {
    let at = start
    let nextBackslash = buf.indexOf(BACKSLASH, at)
    let seen = 0
    while (at < end) {
      let nl = buf.indexOf(NEWLINE, at)
      if (nl < 0 || nl >= end) nl = end
      if (nextBackslash >= 0 && nextBackslash < at) nextBackslash = buf.indexOf(BACKSLASH, at)
      const escaped = nextBackslash >= 0 && nextBackslash < nl
      if (this.line(buf, at, nl, escaped) === PAST_UNTIL) return PAST_UNTIL
      seen++
      at = nl + 1
    }
    return seen
  }

  /** Only lines holding the anchor text, or a backslash (an escape could hide it), can match. */
  private scanAnchored(buf: Buffer, start: number, end: number, anchor: Buffer): number {
    let nextAnchor = buf.indexOf(anchor, start)
    let nextBackslash = buf.indexOf(BACKSLASH, start)
    let seen = 0
    for (;;) {
      if (nextAnchor >= end) nextAnchor = -1
      if (nextBackslash >= end) nextBackslash = -1
      if (nextAnchor < 0 && nextBackslash < 0) return seen
      const hit = nextAnchor < 0 ? nextBackslash : nextBackslash < 0 ? nextAnchor : Math.min(nextAnchor, nextBackslash)
      const lineStart = hit === start ? start : Math.max(start, buf.lastIndexOf(NEWLINE, hit - 1) + 1)
      let nl = buf.indexOf(NEWLINE, hit)
      if (nl < 0 || nl >= end) nl = end
      const escaped = nextBackslash >= 0 && nextBackslash < nl
      if (this.line(buf, lineStart, nl, escaped) === PAST_UNTIL) return PAST_UNTIL
      seen++
      if (nextAnchor >= 0 && nextAnchor <= nl) nextAnchor = buf.indexOf(anchor, nl + 1)
      if (nextBackslash >= 0 && nextBackslash <= nl) nextBackslash = buf.indexOf(BACKSLASH, nl + 1)
    }
  }

  /** One line [start, end) without its newline. */
  private line(buf: Buffer, start: number, end: number, escaped: boolean): number {
    if (end === start) return 0 // an empty line is no event and no damage
    const tsStart = v1TimestampAt(buf, start, end)
    if (tsStart >= 0 && timestampShaped(buf, tsStart)) {
      if (this.stopAfter !== null) {
        if (compareTimestamp(buf, tsStart, this.stopAfter) > 0) return ++this.pastRun >= STOP_RUN_LINES ? PAST_UNTIL : 0
        this.pastRun = 0
      }
      if (this.since !== null && compareTimestamp(buf, tsStart, this.since) < 0) return 0
      if (this.until !== null && compareTimestamp(buf, tsStart, this.until) > 0) return 0
      if (!escaped && buf[end - 1] === 0x7d /* } */) {
        const fast = checkedEnvelope(buf, start, end)
        if (fast !== null) {
          if (this.envelopeFilter && !this.filter.matchesEnvelope(fast.type, fast.user === undefined ? undefined : utf8Text(fast.user), fast.source === undefined ? undefined : utf8Text(fast.source))) return 0
          if (!this.filter.needsDetails) {
            this.sink(buf, start, end, fast, null)
            return 0
          }
        }
      }
    }
    const event = parseEventLine(buf.toString('utf8', start, end))
    if (event === null) {
      this.skips.unreadable++
      return 0
    }
    if (this.filter.matches(event)) this.sink(buf, start, end, null, event)
    return 0
  }
}
