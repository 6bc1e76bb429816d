// Field selection (-o/--output-fields), --values FIELD and --summary --by
// FIELD: one event's named field, shown in columns or as JSON, and counts of
// its distinct values. A FIELD is an envelope field (timestamp, event_type,
// user, source, schema_version), `details.KEY`, or a detail KEY.
import { canonicalEventType } from '../event/index.js'
import { localTime } from './output.js'
import type { EventRecord, ParsedEvent } from './record.js'

const ENVELOPE = new Set(['timestamp', 'event_type', 'user', 'source', 'schema_version'])
const FIELD_NAME = /^[^\s,]+$/

/** The field names of a `-o` list (`user,gpu,details.container`), or the problem with it. */
export function parseFieldList(text: string): string[] | string {
  const names = text.split(',').map((n) => n.trim())
  if (names.some((n) => n === '' || !FIELD_NAME.test(n))) {
    return `-o/--output-fields ${JSON.stringify(text)}: expected field names separated by commas (for example user,gpu,container)`
  }
  return names
}

/** A field name as given to --values or --by, or the problem with it. */
export function checkFieldName(option: string, name: string): string | null {
  return name !== '' && FIELD_NAME.test(name) ? null : `${option} ${JSON.stringify(name)}: expected one field name (user, event_type, or a detail such as gpu)`
}

/** The field's value in the event; undefined when it has none. */
export function fieldOf(event: ParsedEvent, name: string): unknown {
  if (ENVELOPE.has(name)) return event[name as keyof ParsedEvent]
  const key = name.startsWith('details.') ? name.slice(8) : name
  return Object.hasOwn(event.details, key) ? event.details[key] : undefined
}

// Characters that must not reach a terminal as they are: control and format characters, separators, lone surrogates
const UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u
const UNSAFE_AFTER_JSON = /[\u007f-\u009f\p{Cf}\u2028\u2029]/gu
/** The longest value shown in a column. */
const MAX_CELL = 1024

function escapedJson(value: unknown): string {
  let text: string
  try {
    text = JSON.stringify(value) ?? String(value)
  } catch {
    text = String(value)
  }
  return text.replace(UNSAFE_AFTER_JSON, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
}

/** A value for a column: a plain string as it is, anything else (or a string with spaces, quotes, unsafe characters) as JSON. */
export function cellText(value: unknown): string {
  if (value === undefined) return '-'
  const v = typeof value === 'string' && value.length > MAX_CELL ? value.slice(0, MAX_CELL) + '\u2026' : value
  if (typeof v === 'string' && /^[^\s"\\]+$/.test(v) && !UNSAFE.test(v)) return v
  const text = escapedJson(v)
  return text.length > MAX_CELL ? text.slice(0, MAX_CELL) + '\u2026' : text
}

/** The key a value is counted under: its JSON text (0 and "0" are two values). */
function valueKey(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null'
  } catch {
    return 'null'
  }
}

/** Columns of the named fields after the time (or one JSON object of them per event, with json). */
export class FieldsFormatter {
  private readonly widths: number[]
  constructor(private readonly fields: readonly string[], private readonly json: boolean) {
    this.widths = fields.map(() => 0)
  }

  private cells(e: ParsedEvent): string[] {
    return this.fields.map((f) => cellText(fieldOf(e, f)))
  }

  private text(time: string, cells: string[]): string {
    const last = cells.length - 1
    return [time, ...cells.map((c, i) => (i === last ? c : c.padEnd(this.widths[i])))].join('  ').trimEnd() + '\n'
  }

  private jsonText(e: ParsedEvent): string {
    const out: Record<string, unknown> = {}
    for (const f of this.fields) {
      const v = fieldOf(e, f)
      if (v !== undefined) out[f] = v
    }
    return escapedJson(out) + '\n'
  }

  private widen(cells: string[]): void {
    cells.forEach((c, i) => { this.widths[i] = Math.max(this.widths[i], c.length) })
  }

  /** A batch: columns as wide as its widest value. */
  formatAll(records: readonly EventRecord[]): string {
    if (this.json) return records.map((r) => this.jsonText(r.event)).join('')
    const rows = records.map((r) => ({ time: localTime(r.event), cells: this.cells(r.event) }))
    for (const r of rows) this.widen(r.cells)
    return rows.map((r) => this.text(r.time, r.cells)).join('')
  }

  /** One more record (follow, --all): columns only ever widen. */
  format(record: EventRecord): string {
    if (this.json) return this.jsonText(record.event)
    const cells = this.cells(record.event)
    this.widen(cells)
    return this.text(localTime(record.event), cells)
  }
}

/** The value an event is counted under for FIELD: event_type by its registered name (another spelling folds into it). */
function countedValue(e: ParsedEvent, field: string): unknown {
  const v = fieldOf(e, field)
  return field === 'event_type' && typeof v === 'string' ? canonicalEventType(v) : v
}

interface Count { value: unknown; count: number }

function sortedCounts(map: Map<string, Count>): Count[] {
  return [...map.entries()].sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, c]) => c)
}

/** Distinct values of one field, with counts. */
export class ValueCounts {
  events = 0
  without = 0
  private readonly counts = new Map<string, Count>()
  constructor(readonly field: string) {}

  add(e: ParsedEvent): void {
    this.events++
    const v = countedValue(e, this.field)
    if (v === undefined) {
      this.without++
      return
    }
    const key = valueKey(v)
    const c = this.counts.get(key)
    if (c === undefined) this.counts.set(key, { value: v, count: 1 })
    else c.count++
  }

  toJSON(): { field: string; events: number; without: number; values: Count[] } {
    return { field: this.field, events: this.events, without: this.without, values: sortedCounts(this.counts) }
  }

  render(colour: boolean): string {
    const j = this.toJSON()
    const head = `${this.field}: ${j.values.length} distinct value${j.values.length === 1 ? '' : 's'} in ${j.events} event${j.events === 1 ? '' : 's'}` +
      (j.without > 0 ? ` (${j.without} without ${this.field})` : '')
    return (colour ? `\x1b[1m${head}\x1b[0m` : head) + '\n' + table(j.values.map((c) => [cellText(c.value), c.count]))
  }
}

function table(rows: Array<[string, number]>): string {
  if (rows.length === 0) return ''
  const keyWidth = Math.max(...rows.map(([k]) => k.length))
  const numWidth = Math.max(...rows.map(([, n]) => String(n).length))
  return rows.map(([k, n]) => `  ${k.padEnd(keyWidth)}  ${String(n).padStart(numWidth)}`).join('\n') + '\n'
}

/** --summary --by FIELD: counts by each named field's value (`(none)` for events without it). */
export class FieldGroups {
  private readonly groups: Map<string, Map<string, Count>>
  constructor(readonly fields: readonly string[]) {
    this.groups = new Map(fields.map((f) => [f, new Map<string, Count>()]))
  }

  add(e: ParsedEvent): void {
    for (const [field, counts] of this.groups) {
      const v = countedValue(e, field)
      const key = v === undefined ? '(none)' : typeof v === 'string' ? v : valueKey(v)
      const c = counts.get(key)
      if (c === undefined) counts.set(key, { value: key, count: 1 })
      else c.count++
    }
  }

  /** { field: { value text: count } }, most frequent first, as by_user is. */
  toJSON(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {}
    for (const [field, counts] of this.groups) out[field] = Object.fromEntries(sortedCounts(counts).map((c) => [c.value as string, c.count]))
    return out
  }

  render(colour: boolean): string {
    let out = ''
    for (const [field, counts] of Object.entries(this.toJSON())) {
      const rows = Object.entries(counts).map(([k, n]): [string, number] => [k === '(none)' ? k : cellText(k), n])
      if (rows.length === 0) continue
      const title = `By ${field}`
      out += `\n${colour ? `\x1b[1m${title}\x1b[0m` : title}\n` + table(rows)
    }
    return out
  }
}
