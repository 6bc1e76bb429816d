// The query options journalctl and lnav users reach for, for files and the
// database alike: -o/--output-fields (the named fields only), --values FIELD
// (distinct values with counts), --summary --by FIELD, --utc, and the
// `-- No entries --` line on a terminal.
import { checkFieldName, FieldGroups, FieldsFormatter, parseFieldList, ValueCounts, type EventRecord, type RecordFormatter, type Summary } from '../reader/index.js'

export interface ExtrasValues {
  'output-fields'?: string[]
  values?: string
  by?: string[]
  utc?: boolean
  summary?: boolean
  follow?: boolean
  json?: boolean
}

export interface QueryExtras {
  formatter?: RecordFormatter
  values?: ValueCounts
  groups?: FieldGroups
  onNoEntries?: () => void
}

/** What the options ask for, or the usage problem. Call it before the WHENs are read: --utc reads them in UTC. */
export function queryExtras(v: ExtrasValues): QueryExtras | string {
  if (v.utc === true) process.env.TZ = 'UTC' // times shown, and zoneless WHENs read, in UTC (Node reads TZ on each change)
  const out: QueryExtras = {}
  const fieldLists = v['output-fields'] ?? []
  if (fieldLists.length > 0) {
    if (v.summary === true || v.values !== undefined) return '-o/--output-fields chooses the fields of events shown; it does not go with --summary or --values'
    const fields: string[] = []
    for (const text of fieldLists) {
      const names = parseFieldList(text)
      if (typeof names === 'string') return names
      fields.push(...names)
    }
    out.formatter = new FieldsFormatter(fields, v.json === true)
  }
  if (v.values !== undefined) {
    const problem = checkFieldName('--values', v.values)
    if (problem !== null) return problem
    if (v.summary === true) return '--values counts one field\'s values; --summary --by FIELD groups the summary by a field: give one of them'
    if (v.follow === true) return '--values counts what is there; it does not --follow'
    out.values = new ValueCounts(v.values)
  }
  const by = v.by ?? []
  if (by.length > 0) {
    if (v.summary !== true) return `--by groups the summary: add --summary (ds01-events query --summary --by ${by[0]})`
    for (const name of by) {
      const problem = checkFieldName('--by', name)
      if (problem !== null) return problem
    }
    out.groups = new FieldGroups(by)
  }
  // a person at a terminal is told that nothing matched; a pipe or a file gets nothing at all
  if (process.stdout.isTTY === true) out.onNoEntries = () => { process.stderr.write('-- No entries --\n') }
  return out
}

/** --values and --summary --by: records counted, then printed once at the end. */
export const renderAggregates = {
  add(extras: QueryExtras, summary: Summary, records: readonly EventRecord[]): void {
    for (const r of records) {
      if (extras.values !== undefined) extras.values.add(r.event)
      if (extras.groups !== undefined) {
        summary.addEvent(r.event)
        extras.groups.add(r.event)
      }
    }
  },

  render(extras: QueryExtras, summary: Summary, json: boolean, colour: boolean): string {
    if (extras.values !== undefined) return json ? JSON.stringify(extras.values.toJSON()) + '\n' : extras.values.render(colour)
    const groups = extras.groups as FieldGroups
    return json ? JSON.stringify({ ...summary.toJSON(), by: groups.toJSON() }) + '\n' : summary.render(colour) + groups.render(colour)
  }
}
