// What every source of events (a log file and its rotated generations today,
// a database later) yields to the filter and the output: the original line,
// byte for byte, and the event read from it, with v1 and pre-v1 lines in one shape.

/** One event as read, whichever shape its line had. */
export interface ParsedEvent {
  /** The timestamp text as written (v1: `2026-01-30T14:30:00.123456Z`; pre-v1: `ts` as written). */
  timestamp: string
  /** The timestamp in ms since the epoch; NaN when it cannot be read. */
  time: number
  /** `event_type` (v1) or `event` (pre-v1). */
  event_type: string
  /** "1" for v1 lines; undefined for pre-v1 lines. */
  schema_version?: string
  user?: string
  source?: string
  /** `details` (v1), or the flat fields of a pre-v1 line; {} when none. */
  details: Record<string, unknown>
}

/** What a source yields: `line` is the event's line without its newline, exactly as stored. */
export interface EventRecord {
  line: string
  event: ParsedEvent
  /** The host it came from, when a source covers several (a fleet database). */
  host?: string
  /**
   * (log files) Where the line ends, as cursor text: `readRecords({ after: cursor })`
   * resumes just after it, exactly once across rotations (see docs/query.md, "Cursors").
   */
  cursor?: string
}

/** Lines a source could not read as events, counted (never dropped silently). */
export interface SkipCounts {
  /** not JSON, or JSON that is not an event object */
  unreadable: number
  /** a last line without its newline (still being written, or cut) */
  torn: number
}

export function noSkips(): SkipCounts {
  return { unreadable: 0, torn: 0 }
}

const PRE_V1_ENVELOPE = new Set(['ts', 'event', 'user', 'source'])

function textOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

/**
 * A timestamp as ms since the epoch. v1 timestamps are UTC with `Z`; pre-v1
 * ones may lack a zone (the Python writer wrote UTC) or be epoch seconds.
 */
export function timeOf(ts: unknown): number {
  if (typeof ts === 'number') return Number.isFinite(ts) ? ts * 1000 : NaN
  if (typeof ts !== 'string') return NaN
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(ts) || !/T|\d \d/.test(ts) ? ts : ts + 'Z'
  return Date.parse(zoned.replace(' ', 'T'))
}

/** The event of a parsed JSON value, or null when it is not an event (v1 or pre-v1 shape). */
export function eventOf(value: unknown): ParsedEvent | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null
  const o = value as Record<string, unknown>
  if (typeof o.event_type === 'string' && typeof o.timestamp === 'string') {
    const details = o.details
    return {
      timestamp: o.timestamp,
      time: timeOf(o.timestamp),
      event_type: o.event_type,
      schema_version: typeof o.schema_version === 'string' ? o.schema_version : undefined,
      user: textOrUndefined(o.user),
      source: textOrUndefined(o.source),
      details: typeof details === 'object' && details !== null && !Array.isArray(details) ? details as Record<string, unknown> : {}
    }
  }
  if (typeof o.event === 'string' && (typeof o.ts === 'string' || typeof o.ts === 'number')) {
    // pre-v1 (spec): `ts`, `event`, and every other field flat beside them
    const details: Record<string, unknown> = {}
    for (const [key, v] of Object.entries(o)) if (!PRE_V1_ENVELOPE.has(key)) details[key] = v
    return {
      timestamp: String(o.ts),
      time: timeOf(o.ts),
      event_type: o.event,
      schema_version: undefined,
      user: textOrUndefined(o.user),
      source: textOrUndefined(o.source),
      details
    }
  }
  return null
}

/**
 * JSON.parse, then, for a line it refuses, one more try with the bare
 * non-standard numbers (`NaN`, `Infinity`, `-Infinity`, as the old Python
 * writer could emit) read as null, the way JSON.stringify writes them.
 */
export function parseLenient(line: string): unknown {
  try {
    return JSON.parse(line)
  } catch {
    const fixed = replaceBareNonFinite(line)
    if (fixed === line) return undefined
    try {
      return JSON.parse(fixed)
    } catch {
      return undefined
    }
  }
}

/** `NaN`, `Infinity`, `-Infinity` outside strings become `null`. */
function replaceBareNonFinite(line: string): string {
  let out = ''
  let from = 0
  let inString = false
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++
      else if (c === 0x22) inString = false
      continue
    }
    if (c === 0x22) { inString = true; continue }
    for (const token of ['-Infinity', 'Infinity', 'NaN']) {
      if (line.startsWith(token, i)) {
        out += line.slice(from, i) + 'null'
        i += token.length - 1
        from = i + 1
        break
      }
    }
  }
  return from === 0 ? line : out + line.slice(from)
}

/** The event of one line (v1 or pre-v1, non-standard numbers tolerated), or null. */
export function parseEventLine(line: string): ParsedEvent | null {
  return eventOf(parseLenient(line))
}
