// The query's filter as data: parsed once from the options (CLI or library),
// then applied to each event by any source (log files, a database). Kinds are
// combined with AND; several values of one kind with OR.
import type { ParsedEvent } from './record.js'
import { typeAnchor, typePattern, type TypePattern } from './type-match.js'
import { filterOptionsProblem } from './options.js'
import { EARLIEST_WHEN_MS, LATEST_WHEN_MS, readWhen, WHEN_FORMS } from './when.js'
import { groupWhere, matchesWhere, parseWhere, whereAnchor, type WhereClause, type WhereGroup } from './where.js'

export type { WhereClause, WhereGroup, WhereOp } from './where.js'
export type { TypePattern } from './type-match.js'

/** The options a filter is parsed from; a single value or a list for each repeatable kind. */
export interface FilterOptions {
  /** `user` is one of these */
  user?: string | readonly string[]
  /** `event_type` starts with one of these prefixes, or matches one of these globs (`container.*`, `*.reject`) */
  type?: string | readonly string[]
  /** `event_type` matches none of these (prefixes or globs, as for `type`); a `type` starting with `!` is one too */
  notType?: string | readonly string[]
  /** `details.container` (flat `container` in pre-v1 lines) is one of these */
  container?: string | readonly string[]
  /** `source` is one of these */
  source?: string | readonly string[]
  /** `KEY=VALUE` texts (or `KEY!=VALUE`, `KEY<N`, `KEY<=N`, `KEY>N`, `KEY>=N`), the value read as `log` reads it; or { key: value } */
  where?: string | readonly string[] | Readonly<Record<string, unknown>>
  /** a Date, or a WHEN text (`2026-01-30`, `1 hour ago`, `2h`, ...) */
  since?: Date | string
  until?: Date | string
}

export type FilterResult = { ok: true; filter: QueryFilter } | { ok: false; problem: string }

const V1_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/
const TYPE_PATTERN = /^[a-z0-9_.*?]+$/

function list(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return []
  return typeof value === 'string' ? [value] : [...value]
}

/** Sorts after every v1 timestamp text (and before: BEFORE_ANY_V1), for instants past year 9999 (before year 0000). */
const AFTER_ANY_V1 = '~'.repeat(27)
const BEFORE_ANY_V1 = ' '.repeat(27)

/**
 * v1 timestamp text of an instant: 6 fractional digits and Z, comparable as
 * text. An instant a v1 timestamp cannot write (past 9999-12-31, before year
 * 0000, invalid) is a text that sorts after (before) every v1 timestamp.
 */
export function v1Timestamp(date: Date): string {
  const t = date.getTime()
  if (t > LATEST_WHEN_MS) return AFTER_ANY_V1
  if (t < EARLIEST_WHEN_MS) return BEFORE_ANY_V1
  if (Number.isNaN(t)) return AFTER_ANY_V1
  return date.toISOString().replace(/Z$/, '000Z')
}

export class QueryFilter {
  private readonly typeTests: Array<(type: string) => boolean>
  private readonly notTypeTests: Array<(type: string) => boolean>
  /** the types as tests (their other spellings included), for sources that translate them (SQL) */
  readonly typePatterns: readonly TypePattern[]
  readonly notTypePatterns: readonly TypePattern[]
  /** the --where clauses by key: OR within a key's `=` clauses, AND otherwise */
  readonly whereGroups: readonly WhereGroup[]
  private readonly sinceV1: string | undefined
  private readonly untilV1: string | undefined

  private constructor(
    readonly users: readonly string[],
    readonly types: readonly string[],
    readonly containers: readonly string[],
    readonly sources: readonly string[],
    readonly where: readonly WhereClause[],
    readonly since: Date | undefined,
    readonly until: Date | undefined,
    readonly notTypes: readonly string[] = []
  ) {
    this.sinceV1 = since === undefined ? undefined : v1Timestamp(since)
    this.untilV1 = until === undefined ? undefined : v1Timestamp(until)
    this.typePatterns = types.map(typePattern)
    this.notTypePatterns = notTypes.map(typePattern)
    this.typeTests = this.typePatterns.map((p) => p.test)
    this.notTypeTests = this.notTypePatterns.map((p) => p.test)
    this.whereGroups = groupWhere(where)
  }

  /** Parses and checks the options; `now` anchors relative WHENs. Never throws. */
  static parse(options: FilterOptions = {}, now: Date = new Date()): FilterResult {
    const wrong = filterOptionsProblem(options)
    if (wrong !== null) return { ok: false, problem: wrong }
    options ??= {}
    const given = list(options.type)
    const types = given.filter((t) => !t.startsWith('!'))
    const notTypes = [...given.filter((t) => t.startsWith('!')).map((t) => t.slice(1)), ...list(options.notType)]
    for (const t of [...types, ...notTypes]) {
      if (!TYPE_PATTERN.test(t)) {
        return { ok: false, problem: `--type ${JSON.stringify(t)}: event types are lower case letters, digits, _ and dots (category.action); * and ? are wildcards; a leading ! (or --not-type) excludes` }
      }
    }
    const where: WhereClause[] = []
    const whereOption = options.where
    if (typeof whereOption === 'string' || Array.isArray(whereOption)) {
      for (const pair of list(whereOption as string | string[])) {
        const clause = parseWhere(pair)
        if (typeof clause === 'string') return { ok: false, problem: clause }
        where.push(clause)
      }
    } else if (whereOption !== undefined) {
      for (const [key, value] of Object.entries(whereOption)) {
        where.push({ key, value, text: typeof value === 'string' ? value : JSON.stringify(value) ?? '', op: '=' })
      }
    }
    const when = (name: 'since' | 'until'): Date | undefined | string => {
      const v = options[name]
      if (v === undefined) return undefined
      if (v instanceof Date) {
        const t = v.getTime()
        if (Number.isNaN(t)) return `${name}: an invalid Date`
        return t >= EARLIEST_WHEN_MS && t <= LATEST_WHEN_MS ? v : `${name}: ${v.toISOString()} is out of range: times run from year 0000 to 9999`
      }
      const read = readWhen(String(v), now)
      if (read.ok) return read.date
      return read.problem === 'out of range'
        ? `--${name} ${JSON.stringify(v)}: out of range: a time from 0000-01-01 to 9999-12-31 (UTC), as a v1 timestamp can write it`
        : `--${name} ${JSON.stringify(v)}: not a time I can read.\n${WHEN_FORMS}`
    }
    const since = when('since')
    if (typeof since === 'string') return { ok: false, problem: since }
    const until = when('until')
    if (typeof until === 'string') return { ok: false, problem: until }
    const filter = new QueryFilter(list(options.user), types, list(options.container), list(options.source), where, since, until, notTypes)
    return { ok: true, filter }
  }

  /** True when the event passes every part of the filter. */
  matches(event: ParsedEvent): boolean {
    return this.matchesEnvelope(event.event_type, event.user, event.source) &&
      (V1_TIMESTAMP.test(event.timestamp) ? this.matchesTimestampText(event.timestamp) : this.matchesTime(event.time)) &&
      this.matchesDetails(event.details)
  }

  matchesEnvelope(type: string, user: string | undefined, source: string | undefined): boolean {
    if (this.users.length > 0 && (user === undefined || !this.users.includes(user))) return false
    if (this.sources.length > 0 && (source === undefined || !this.sources.includes(source))) return false
    if (this.notTypeTests.length > 0 && this.notTypeTests.some((test) => test(type))) return false
    return this.typeTests.length === 0 || this.typeTests.some((test) => test(type))
  }

  /** An unreadable time (NaN) never passes a time bound. */
  matchesTime(time: number): boolean {
    if (this.since !== undefined && !(time >= this.since.getTime())) return false
    if (this.until !== undefined && !(time <= this.until.getTime())) return false
    return true
  }

  /** A v1 timestamp compared as text: exact to the microsecond, as the file reader compares it in place. */
  matchesTimestampText(timestamp: string): boolean {
    const since = this.sinceText
    const until = this.untilText
    return (since === undefined || timestamp >= since) && (until === undefined || timestamp <= until)
  }

  matchesDetails(details: Record<string, unknown>): boolean {
    if (this.containers.length > 0) {
      const c = details.container
      if (typeof c !== 'string' || !this.containers.includes(c)) return false
    }
    return matchesWhere(this.whereGroups, details)
  }

  /** Whether matches() needs the details (otherwise the envelope and time decide). */
  get needsDetails(): boolean {
    return this.containers.length > 0 || this.where.length > 0
  }

  /**
   * A text that every matching line contains, as its JSON string, when the
   * line has no backslash escape: the source may skip lines without it (and
   * without a backslash) before parsing them. Null when there is none.
   */
  get anchor(): string | null {
    const candidates = [this.users, this.containers, this.sources]
    for (const values of candidates) {
      if (values.length === 1) return JSON.stringify(values[0])
    }
    const where = whereAnchor(this.whereGroups)
    if (where !== null) return where
    return this.typePatterns.length === 1 ? typeAnchor(this.typePatterns[0]) : null
  }

  /** since/until as v1 timestamp text, for comparing a v1 line's timestamp as text. */
  get sinceText(): string | undefined {
    return this.sinceV1
  }

  get untilText(): string | undefined {
    return this.untilV1
  }
}
