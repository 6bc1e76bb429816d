// What a query prints, from records of any source (the log files, a fleet
// database): the last --limit matches (or --all, streamed), then, once the
// source has caught up, each new record as it comes (follow); or the summary.
import { HumanFormatter, jsonLine, Ring, Summary } from './output.js'
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

export class QueryOutput {
  readonly summary = new Summary()
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

  /** Records that passed the filter, in the source's order (oldest first). */
  async add(records: readonly EventRecord[]): Promise<void> {
    if (records.length === 0) return
    this.matched += records.length
    if (this.o.summary === true) {
      for (const r of records) this.summary.addEvent(r.event)
    } else if (this.streaming || this.following) {
      await this.write(this.render(records))
    } else if (this.o.all === true) {
      this.everything.push(...records)
    } else {
      for (const r of records) this.window.push(r)
    }
  }

  private flushHeld(): string {
    const records = this.o.all === true ? this.everything.splice(0) : this.window.toArray()
    if (this.o.reverse === true) records.reverse()
    return this.render(records)
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
