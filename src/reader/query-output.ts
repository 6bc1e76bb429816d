// What a query prints, from records of any source (the log files, a fleet
// database): the last --limit matches (or --all, streamed), then, once the
// source has caught up, each new record as it comes (follow); or the summary.
import { forHumanWindow, HumanFormatter, jsonLine, Ring, Summary, type ShownRecord } from './output.js'
import type { EventRecord } from './record.js'

export interface QueryOutputOptions {
  /** the lines as stored, instead of columns */
  json?: boolean
  /** counts instead of events (text, or one JSON object with json) */
  summary?: boolean
  /** every match, not the last `limit` */
  all?: boolean
  /** newest first */
  reverse?: boolean
  /** default 50 */
  limit?: number
  /** ANSI colour in the columns and the summary's headings */
  colour?: boolean
  /** prints the records instead of the columns or the lines as stored (-o/--output-fields) */
  formatter?: RecordFormatter
  /** called at the end (or, following, once caught up) when nothing matched: `-- No entries --` on a terminal */
  onNoEntries?: () => void
}

/** What prints records: a batch (columns as wide as its widest), or one more. */
export interface RecordFormatter {
  formatAll(records: readonly EventRecord[]): string
  format(record: EventRecord): string
}

/** Where the output goes; a returned promise is waited for (a full pipe). */
export type OutputWriter = (data: string) => void | Promise<void>

/**
 * The longest line (in characters) the --limit window (or --all --reverse)
 * holds: a longer one is held as what human output shows of it, and left out
 * of held --json output (counted: notHeld), so the window's memory is at most
 * --limit times this, whatever the lines.
 */
export const MAX_HELD_LINE = 65_536

export class QueryOutput {
  readonly summary = new Summary()
  /** matching lines longer than MAX_HELD_LINE left out of held --json output */
  notHeld = 0
  /** records that matched so far (a source that prints by itself, such as raw --json lines, counts its own in) */
  matched = 0
  private readonly human: HumanFormatter
  private readonly window: Ring<EventRecord>
  private readonly everything: EventRecord[] = []
  private following = false

  constructor(private readonly o: QueryOutputOptions, private readonly write: OutputWriter) {
    this.human = new HumanFormatter(o.colour === true)
    this.window = new Ring<EventRecord>(o.limit ?? 50)
  }

  /** --all without --reverse: records go out as they come, nothing is held. */
  get streaming(): boolean {
    return this.o.all === true && this.o.reverse !== true
  }

  private render(records: readonly EventRecord[]): string {
    if (this.o.formatter !== undefined) return this.o.formatter.formatAll(records)
    return this.o.json === true ? records.map(jsonLine).join('') : this.human.formatAll(records)
  }

  /** Held records for --json: a long line let go cannot be printed byte for byte, and is counted instead. */
  private printable(records: EventRecord[]): EventRecord[] {
    if (this.o.json !== true || this.o.formatter !== undefined) return records
    const whole = records.filter((r) => !(r as ShownRecord).cut)
    this.notHeld += records.length - whole.length
    return whole
  }

  /** Records that passed the filter, in the source's order (oldest first). */
  async add(records: readonly EventRecord[]): Promise<void> {
    if (records.length === 0) return
    this.matched += records.length
    if (this.o.summary === true) {
      for (const r of records) this.summary.addEvent(r.event)
    } else if (this.streaming || this.following) {
      await this.write(this.render(records))
    } else {
      for (const r of records) {
        const held = this.held(r)
        if (this.o.all === true) this.everything.push(held)
        else this.window.push(held)
      }
    }
  }

  /** What the window holds of a record: a long line only as what human output shows (its place kept in the window). */
  private held(record: EventRecord): EventRecord {
    // -o FIELDS picks from the whole event: held as it is (its lines are bounded by the 4 MiB read buffer only)
    if (record.line.length <= MAX_HELD_LINE || this.o.formatter !== undefined) return record
    // --json prints lines as stored or not at all: no need to parse this one
    if (this.o.json === true) return { line: '', cut: true, event: { timestamp: '', time: NaN, event_type: '', details: {} } } as ShownRecord
    return forHumanWindow(record, MAX_HELD_LINE)
  }

  private flushHeld(): string {
    const records = this.o.all === true ? this.everything.splice(0) : this.window.toArray()
    if (this.o.reverse === true) records.reverse()
    return this.render(this.printable(records))
  }

  /** The source has given everything that was there (follow): print what is held; from now on each record goes out. */
  caughtUp(): void {
    if (this.following) return
    if (this.o.summary !== true && !this.streaming) void this.write(this.flushHeld())
    this.following = true
    if (this.matched === 0 && this.o.summary !== true) this.o.onNoEntries?.()
  }

  /** The end: what is held, or the summary. */
  async finish(): Promise<void> {
    if (this.o.summary === true) {
      await this.write(this.o.json === true ? JSON.stringify(this.summary.toJSON()) + '\n' : this.summary.render(this.o.colour === true))
    } else if (!this.following && !this.streaming) {
      await this.write(this.flushHeld())
    }
    if (this.matched === 0 && this.o.summary !== true && !this.following) this.o.onNoEntries?.()
  }
}
