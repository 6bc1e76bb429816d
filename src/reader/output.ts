// Output of the query, from records of any source: human columns, the lines
// as stored (--json), and the summary. Text from the log is untrusted: control
// characters are shown escaped, never sent to the terminal.
import { canonicalEventType } from '../event/index.js'
import { boundedJson } from './json-text.js'
import type { EventRecord, ParsedEvent } from './record.js'

/** The last `size` items pushed (the --limit window): the only buffer a query keeps. */
export class Ring<T> {
  private readonly items: T[] = []
  private next = 0
  constructor(private readonly size: number) {}

  push(item: T): void {
    if (this.size <= 0) return
    if (this.items.length < this.size) this.items.push(item)
    else this.items[this.next] = item
    this.next = (this.next + 1) % this.size
  }

  /** Oldest first. */
  toArray(): T[] {
    return this.items.length < this.size ? [...this.items] : [...this.items.slice(this.next), ...this.items.slice(0, this.next)]
  }
}

/** Colour only for a terminal, and never with NO_COLOR set (https://no-color.org). */
export function useColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  if (env.TERM === 'dumb') return false
  return stream.isTTY === true
}

const RESET = '\x1b[0m'
const DIM = '\x1b[2m'
const CATEGORY_COLOUR: Record<string, string> = {
  container: '\x1b[36m', // cyan
  gpu: '\x1b[32m', // green
  health: '\x1b[33m', // yellow
  monitor: '\x1b[33m',
  auth: '\x1b[35m', // magenta
  admin: '\x1b[35m',
  docker: '\x1b[34m', // blue
  detection: '\x1b[34m',
  system: '\x1b[1m' // bold
}
const ALARM = '\x1b[31m' // red: rejections, failures, denials

function colourOf(type: string): string {
  if (/\.(reject|fail|access_denied|warning|runtime_exceed)$/.test(type)) return ALARM
  return CATEGORY_COLOUR[type.slice(0, type.indexOf('.'))] ?? ''
}

/**
 * Characters that must not reach a terminal as they are: control characters
 * (C0, DEL, C1), format characters (the bidi overrides U+202A-U+202E and
 * isolates U+2066-U+2069, zero-width ones, U+FEFF, ...), line and paragraph
 * separators, and lone surrogates.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u
/** What JSON.stringify leaves as it is but a terminal must not get. */
const UNSAFE_AFTER_JSON = /[\u007f-\u009f\p{Cf}\u2028\u2029]/gu

/** JSON string text with every unsafe character escaped (\u202e), not only those JSON must escape. */
export function quoted(text: string): string {
  return JSON.stringify(text).replace(UNSAFE_AFTER_JSON, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
}

/** The longest details column shown for one event; the rest is cut, with a marker saying how long the line was. */
export const MAX_SHOWN_DETAILS = 16_384
/** The longest envelope value (type, user, source) shown as it is. */
const MAX_SHOWN_FIELD = 256

function cutText(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max) + '\u2026'
}

/** Text for a column: as is, or JSON-quoted when it holds unsafe characters or is empty. */
function safe(text: string): string {
  const shown = cutText(text, MAX_SHOWN_FIELD)
  return shown === '' || UNSAFE.test(shown) ? quoted(shown) : shown
}

function detailValue(value: unknown, room: number): string {
  if (typeof value === 'string') {
    const v = value.length > room ? value.slice(0, room) : value
    return /^[^\s"=\\]+$/.test(v) && !UNSAFE.test(v) ? v : quoted(v)
  }
  const { text } = boundedJson(value, room)
  return UNSAFE.test(text) ? text.replace(UNSAFE_AFTER_JSON, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')) : text
}

/** The details as key=value, at most MAX_SHOWN_DETAILS characters (then a marker with the line's length). */
export function detailsText(record: EventRecord): string {
  const parts: string[] = []
  let length = 0
  let cut = false
  for (const [k, v] of Object.entries(record.event.details)) {
    const room = MAX_SHOWN_DETAILS - length
    if (room <= 0) { cut = true; break }
    const part = `${safe(k)}=${detailValue(v, room)}`
    parts.push(part)
    length += part.length + 1
  }
  let text = parts.join(' ')
  if (cut || text.length > MAX_SHOWN_DETAILS) {
    text = text.slice(0, MAX_SHOWN_DETAILS) + `\u2026 [cut: the line has ${record.line.length} characters; --json prints it]`
  }
  return text
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n)
}

/** Local time to the second, `2026-01-30 15:30:00`; the text as written when it cannot be read. */
export function localTime(event: ParsedEvent): string {
  if (Number.isNaN(event.time)) return safe(event.timestamp)
  const d = new Date(event.time)
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`
}

/** A record held for human output with its details column already made (the line itself let go). */
export interface ShownRecord extends EventRecord {
  shown?: string
  /** the line was let go (it was longer than the window holds): it cannot be printed as stored */
  cut?: boolean
}

/** A record as the --limit window holds it for human output: a long line is let go, what is shown is kept. */
export function forHumanWindow(record: EventRecord, maxLine: number): EventRecord {
  if (record.line.length <= maxLine) return record
  const e = record.event
  const shown: ShownRecord = {
    line: '',
    host: record.host,
    cut: true,
    shown: detailsText(record),
    event: {
      timestamp: cutText(e.timestamp, MAX_SHOWN_FIELD + 1),
      time: e.time,
      event_type: cutText(e.event_type, MAX_SHOWN_FIELD + 1),
      schema_version: e.schema_version === undefined ? undefined : cutText(e.schema_version, MAX_SHOWN_FIELD + 1),
      user: e.user === undefined ? undefined : cutText(e.user, MAX_SHOWN_FIELD + 1),
      source: e.source === undefined ? undefined : cutText(e.source, MAX_SHOWN_FIELD + 1),
      details: {}
    }
  }
  if (shown.host === undefined) delete shown.host
  return shown
}

interface Row {
  time: string
  type: string
  user: string
  source: string
  details: string
  colour: string
}

/** Aligned columns: time, type, user, source, details as key=value. */
export class HumanFormatter {
  // minimums that fit most values, so that lines printed one by one (follow) stay aligned
  private widths = { type: 18, user: 8, source: 10 }
  constructor(private readonly colour: boolean) {}

  private row(record: EventRecord): Row {
    const e = record.event
    const details = (record as ShownRecord).shown ?? detailsText(record)
    return {
      time: localTime(e),
      type: safe(e.event_type),
      user: e.user === undefined ? '-' : safe(e.user),
      source: e.source === undefined ? '-' : safe(e.source),
      details: record.host === undefined ? details : `host=${safe(record.host)}${details === '' ? '' : ' ' + details}`,
      colour: this.colour ? colourOf(e.event_type) : ''
    }
  }

  private text(r: Row): string {
    const w = this.widths
    const type = r.type.padEnd(w.type)
    const line = `${r.colour === '' ? type : r.colour + type + RESET}  ${r.user.padEnd(w.user)}  ${r.source.padEnd(w.source)}  ${r.details}`.trimEnd()
    return `${this.colour ? DIM + r.time + RESET : r.time}  ${line}\n`
  }

  private widen(r: Row): void {
    const w = this.widths
    w.type = Math.max(w.type, r.type.length)
    w.user = Math.max(w.user, r.user.length)
    w.source = Math.max(w.source, r.source.length)
  }

  /** A batch (the --limit window): columns as wide as its widest value. */
  formatAll(records: readonly EventRecord[]): string {
    const rows = records.map((r) => this.row(r))
    for (const r of rows) this.widen(r)
    return rows.map((r) => this.text(r)).join('')
  }

  /** One more record (follow, --all): columns only ever widen. */
  format(record: EventRecord): string {
    const r = this.row(record)
    this.widen(r)
    return this.text(r)
  }
}

/** The line exactly as stored, for --json. */
export function jsonLine(record: EventRecord): string {
  return record.line + '\n'
}

/** Counts by type, user, source and UTC day. */
export class Summary {
  total = 0
  // counters as objects: one map lookup per key and event, not a get and a set
  private readonly types = new Map<string, { n: number }>()
  private readonly users = new Map<string, { n: number }>()
  private readonly sources = new Map<string, { n: number }>()
  private readonly days = new Map<string, { n: number }>()

  private static count(map: Map<string, { n: number }>, key: string): void {
    const counter = map.get(key)
    if (counter === undefined) map.set(key, { n: 1 })
    else counter.n++
  }

  add(type: string, user: string | undefined, source: string | undefined, day: string): void {
    this.total++
    Summary.count(this.types, type)
    Summary.count(this.users, user ?? '(none)')
    Summary.count(this.sources, source ?? '(none)')
    Summary.count(this.days, day)
  }

  addEvent(event: ParsedEvent): void {
    const day = Number.isNaN(event.time) ? '(unknown)' : new Date(event.time).toISOString().slice(0, 10)
    this.add(event.event_type, event.user, event.source, day)
  }

  /** Counts by type with each other spelling in the field counted under its registered name. */
  private static folded(types: Map<string, { n: number }>): Map<string, { n: number }> {
    const out = new Map<string, { n: number }>()
    for (const [type, c] of types) {
      const name = canonicalEventType(type)
      const counter = out.get(name)
      if (counter === undefined) out.set(name, { n: c.n })
      else counter.n += c.n
    }
    return out
  }

  toJSON(): Record<string, unknown> {
    const entries = (m: Map<string, { n: number }>): Array<[string, number]> => [...m].map(([k, c]) => [k, c.n])
    const byCount = (m: Map<string, { n: number }>) => Object.fromEntries(entries(m).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)))
    return {
      total: this.total,
      by_type: byCount(Summary.folded(this.types)),
      by_user: byCount(this.users),
      by_source: byCount(this.sources),
      by_day: Object.fromEntries(entries(this.days).sort((a, b) => (a[0] < b[0] ? -1 : 1)))
    }
  }

  render(colour: boolean): string {
    const j = this.toJSON() as { total: number; by_type: Record<string, number>; by_user: Record<string, number>; by_source: Record<string, number>; by_day: Record<string, number> }
    const head = (text: string): string => (colour ? `\x1b[1m${text}${RESET}` : text)
    const table = (title: string, counts: Record<string, number>, bars = false): string => {
      const entries = Object.entries(counts)
      if (entries.length === 0) return ''
      const keyWidth = Math.max(...entries.map(([k]) => safe(k).length))
      const numWidth = Math.max(...entries.map(([, n]) => String(n).length))
      const max = Math.max(...entries.map(([, n]) => n))
      const lines = entries.map(([k, n]) => {
        const bar = bars ? '  ' + '#'.repeat(Math.max(1, Math.round((n / max) * 40))) : ''
        return `  ${safe(k).padEnd(keyWidth)}  ${String(n).padStart(numWidth)}${bar}`
      })
      return `\n${head(title)}\n${lines.join('\n')}\n`
    }
    return `${head('Events')}: ${j.total}\n` +
      table('By type', j.by_type) +
      table('By user', j.by_user) +
      table('By source', j.by_source) +
      table('By day (UTC)', j.by_day, true)
  }
}
