// The fleet's PostgreSQL store (deploy/postgresql/ds01-events.sql) as a source
// of the query reader: the reader's QueryFilter becomes parameterised SQL (the
// values travel as parameters, never in the text), and rows become the same
// EventRecords the file source yields, with their host.
import { setTimeout as sleep } from 'node:timers/promises'
import type { Client } from 'pg'
import { NUMBER_TEXT, parseEventLine, type EventRecord, type QueryFilter, type SkipCounts, type TypePattern, type WhereClause } from '../reader/index.js'

export interface SqlWhere {
  /** `WHERE ...` (or '') with $1..$n placeholders */
  text: string
  values: unknown[]
}

/** The event's details as jsonb: `details` of a v1 line, the flat fields of a pre-v1 one (as the reader reads them). */
const DETAILS = "(CASE WHEN jsonb_typeof(event->'event_type') = 'string' AND jsonb_typeof(event->'timestamp') = 'string' " +
  "THEN (CASE WHEN jsonb_typeof(event->'details') = 'object' THEN event->'details' ELSE '{}'::jsonb END) " +
  "ELSE event - 'ts' - 'event' - 'user' - 'source' END)"

/** A type glob (`container.*`, `*.reject`) as a LIKE pattern; `_` and `%` are literal. */
function likePattern(glob: string): string {
  return glob.replace(/[\\%_]/g, '\\$&').replace(/\*/g, '%').replace(/\?/g, '_')
}

/** The filter, and the hosts (any of them), as a parameterised WHERE clause; `first` is the first placeholder number. */
export function sqlWhere(filter: QueryFilter, hosts: readonly string[], first = 1): SqlWhere {
  const values: unknown[] = []
  const param = (value: unknown): string => {
    values.push(value)
    return `$${first + values.length - 1}`
  }
  const and: string[] = []
  if (hosts.length > 0) and.push(`host = ANY(${param([...hosts])}::text[])`)
  if (filter.users.length > 0) and.push(`("user" = ANY(${param([...filter.users])}::text[]) AND jsonb_typeof(event->'user') = 'string')`)
  if (filter.sources.length > 0) and.push(`(event->>'source' = ANY(${param([...filter.sources])}::text[]) AND jsonb_typeof(event->'source') = 'string')`)
  // a type, or another spelling of it (docs/format.md), as the file reader's TypePattern tests it
  const typeTest = (p: TypePattern): string[] => {
    const test = [p.glob ? `event_type LIKE ${param(likePattern(p.pattern))}` : `starts_with(event_type, ${param(p.pattern)})`]
    if (p.spellings.length > 0) test.push(`event_type = ANY(${param([...p.spellings])}::text[])`)
    return test
  }
  if (filter.typePatterns.length > 0) and.push(`(${filter.typePatterns.flatMap(typeTest).join(' OR ')})`)
  if (filter.notTypePatterns.length > 0) and.push(`NOT (${filter.notTypePatterns.flatMap(typeTest).join(' OR ')})`)
  if (filter.containers.length > 0) {
    and.push(`(jsonb_typeof(${DETAILS}->'container') = 'string' AND ${DETAILS}->>'container' = ANY(${param([...filter.containers])}::text[]))`)
  }
  for (const group of filter.whereGroups) {
    const key = `${param(group.key)}::text`
    const value = `${DETAILS}->${key}`
    // as the reader's matchesWhere: the same JSON value, or (for a non-string VALUE) its text as a string
    const same = (clause: WhereClause): string => {
      const is = [`${value} = ${param(JSON.stringify(clause.value) ?? 'null')}::jsonb`]
      if (typeof clause.value !== 'string') is.push(`${value} = to_jsonb(${param(clause.text)}::text)`)
      return `(${is.join(' OR ')})`
    }
    // a JSON number, or a string holding one in the form both sides read alike (NUMBER_TEXT); else NULL, which passes no comparison
    const number = (): string => `(CASE WHEN jsonb_typeof(${value}) = 'number' THEN (${DETAILS}->>${key})::numeric ` +
      `WHEN jsonb_typeof(${value}) = 'string' AND ${DETAILS}->>${key} ~ ${param(NUMBER_TEXT.source)} THEN (${DETAILS}->>${key})::numeric END)`
    const parts = [`${DETAILS} ? ${key}`]
    if (group.anyOf.length > 0) parts.push(`(${group.anyOf.map(same).join(' OR ')})`)
    for (const clause of group.allOf) {
      parts.push(clause.op === '!=' ? `NOT ${same(clause)}` : `${number()} ${clause.op} ${param(clause.text)}::numeric`)
    }
    and.push(`(${parts.join(' AND ')})`)
  }
  if (filter.since !== undefined) and.push(`ts >= ${param(filter.since)}`)
  if (filter.until !== undefined) and.push(`ts <= ${param(filter.until)}`)
  return { text: and.length === 0 ? '' : `WHERE ${and.join(' AND ')}`, values }
}

interface Row { row_id: string, host: string, line: string, row_ts: string | null }

export interface DbReadOptions {
  filter: QueryFilter
  hosts: readonly string[]
  /** the last `limit` matches (oldest first); undefined: every match */
  limit?: number
  skips: SkipCounts
  /** rows per round trip when reading every match */
  batch?: number
  /** the GPU samples instead of the events */
  gpu?: boolean
}

function toRecord(row: Row, skips: SkipCounts): EventRecord | null {
  const event = parseEventLine(row.line)
  if (event === null) {
    skips.unreadable++ // JSON, but not an event: the file reader skips it too
    return null
  }
  return { line: row.line, event, host: row.host }
}

// ts as text: a JS Date would cut the microseconds that the keyset below needs.
// Aliases of their own: an output column named id or ts would be what ORDER BY
// sorts by (as text: "10" before "9"), not the table's columns.
const COLUMNS = 'id::text AS row_id, host, line, ts::text AS row_ts'
const EVENTS = 'ds01_events'
/** GPU samples have no type or user column: the same names, from the jsonb (host and ts stay indexable) */
const GPU_SAMPLES = `(SELECT id, host, ts, line, event, event->>'event_type' AS event_type, event->>'user' AS "user" FROM ds01_gpu_samples) AS samples`

/** The table a query reads: the events, or (--gpu) the GPU samples. */
export function tableOf(gpu: boolean | undefined): string {
  return gpu === true ? GPU_SAMPLES : EVENTS
}

/**
 * Matching records in time order (rows without a readable time first), then
 * by arrival. With `limit`, only the last `limit`; otherwise every match, read
 * in batches by (ts, id) so memory stays bounded whatever the table holds.
 * Returns the id of the newest row seen, for follow().
 */
export async function * readDatabase(client: Client, o: DbReadOptions): AsyncGenerator<EventRecord[], void, undefined> {
  const TABLE = tableOf(o.gpu)
  const where = sqlWhere(o.filter, o.hosts)
  const and = (extra: string): string => (where.text === '' ? `WHERE ${extra}` : `${where.text} AND ${extra}`)
  const n = where.values.length
  if (o.limit !== undefined) {
    const result = await client.query<Row>(
      `SELECT ${COLUMNS} FROM ${TABLE} ${where.text} ORDER BY ts DESC NULLS LAST, id DESC LIMIT $${n + 1}`, [...where.values, o.limit])
    yield result.rows.reverse().map((r) => toRecord(r, o.skips)).filter((r): r is EventRecord => r !== null)
    return
  }
  const batch = o.batch ?? 5000
  // rows whose time could not be read come first, as NULLS FIRST orders them
  let lastId = '0'
  for (;;) {
    const result = await client.query<Row>(
      `SELECT ${COLUMNS} FROM ${TABLE} ${and(`ts IS NULL AND id > $${n + 1}`)} ORDER BY id LIMIT $${n + 2}`, [...where.values, lastId, batch])
    if (result.rows.length === 0) break
    lastId = result.rows[result.rows.length - 1].row_id
    yield result.rows.map((r) => toRecord(r, o.skips)).filter((r): r is EventRecord => r !== null)
  }
  let last: [string, string] | undefined
  for (;;) {
    const after = last === undefined ? 'ts IS NOT NULL' : `(ts, id) > ($${n + 1}::timestamptz, $${n + 2}::bigint)`
    const params = last === undefined ? [...where.values, batch] : [...where.values, last[0], last[1], batch]
    const result = await client.query<Row>(
      `SELECT ${COLUMNS} FROM ${TABLE} ${and(after)} ORDER BY ts, id LIMIT $${params.length}`, params)
    if (result.rows.length === 0) break
    const tail = result.rows[result.rows.length - 1]
    last = [tail.row_ts as string, tail.row_id]
    yield result.rows.map((r) => toRecord(r, o.skips)).filter((r): r is EventRecord => r !== null)
  }
}

/** The newest row id now (follow starts after it). */
export async function newestId(client: Client, gpu?: boolean): Promise<string> {
  const result = await client.query<{ id: string | null }>(`SELECT max(id)::text AS id FROM ${tableOf(gpu)}`)
  return result.rows[0].id ?? '0'
}

/** Rows that arrived after `afterId`, in arrival order, polled every `pollMs` until `signal` aborts. */
export async function * followDatabase(client: Client, o: DbReadOptions & { afterId: string, pollMs: number, signal: AbortSignal }): AsyncGenerator<EventRecord[], void, undefined> {
  const TABLE = tableOf(o.gpu)
  const where = sqlWhere(o.filter, o.hosts)
  const n = where.values.length
  const and = (extra: string): string => (where.text === '' ? `WHERE ${extra}` : `${where.text} AND ${extra}`)
  let lastId = o.afterId
  while (!o.signal.aborted) {
    const result = await client.query<Row>(
      `SELECT ${COLUMNS} FROM ${TABLE} ${and(`id > $${n + 1}`)} ORDER BY id LIMIT $${n + 2}`, [...where.values, lastId, o.batch ?? 5000])
    if (result.rows.length > 0) {
      lastId = result.rows[result.rows.length - 1].row_id
      yield result.rows.map((r) => toRecord(r, o.skips)).filter((r): r is EventRecord => r !== null)
      continue
    }
    // aborted: the wait ends at once (and leaves no listener behind)
    await sleep(o.pollMs, undefined, { signal: o.signal }).catch(() => undefined)
  }
}

/** Counts for --summary, computed by PostgreSQL: one row per (type, user, source, UTC day, host). */
export async function summaryRows(client: Client, filter: QueryFilter, hosts: readonly string[], gpu?: boolean): Promise<Array<{ type: string, user: string | null, source: string | null, day: string, host: string, n: number }>> {
  const where = sqlWhere(filter, hosts)
  const result = await client.query<{ type: string, user: string | null, source: string | null, day: string | null, host: string, n: string }>(
    `SELECT event_type AS type,
            CASE WHEN jsonb_typeof(event->'user') = 'string' AND "user" <> '' THEN "user" END AS user,
            CASE WHEN jsonb_typeof(event->'source') = 'string' AND event->>'source' <> '' THEN event->>'source' END AS source,
            to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, host, count(*)::text AS n
       FROM ${tableOf(gpu)} ${where.text} GROUP BY 1, 2, 3, 4, 5`, where.values)
  return result.rows.map((r) => ({ ...r, day: r.day ?? '(unknown)', n: Number(r.n) }))
}
