/// <reference lib="es2018.asynciterable" preserve="true" />
/// <reference lib="es2018.asyncgenerator" preserve="true" />
// The library's reader: an async iterator over the events of a log and its
// rotated generations, with the query's filters and follow mode. Like the rest
// of the library it never throws at its caller: a bad option or an unreadable
// log is a warning, and the iteration ends.
import { resolveEventsFile, resolveGpuUtilizationFile, stderrSink } from '../common/index.js'
import { QueryFilter, type FilterOptions } from './filter.js'
import { openGenerations } from './file-source.js'
import { drive } from './read.js'
import { readOptionsProblem } from './options.js'
import { noSkips, type EventRecord, type ParsedEvent, type SkipCounts } from './record.js'
import { recordSink } from './scan.js'
import { cursorRecordSink, decodeCursor, Progress, type Position } from './cursor.js'

export interface ReadEventsOptions extends FilterOptions {
  /** the log file (default: $DS01_EVENTS_FILE, else /var/log/ds01/events.jsonl); its rotated generations are read too */
  path?: string
  /** read the GPU utilization log instead (default path: $DS01_GPU_UTILIZATION_FILE, else /var/log/ds01/gpu-utilization.jsonl) */
  gpu?: boolean
  /** after the events there, wait for new ones (across rotations) until `signal` aborts or the loop breaks */
  follow?: boolean
  /** how often follow looks for new lines, in ms (default 200) */
  pollMs?: number
  signal?: AbortSignal
  /** where warnings go (default: stderr): bad options, an unreadable log, skipped lines */
  onWarning?: (message: string) => void
  /** anchors relative times (`1 hour ago`); default: now */
  now?: Date
  /** start just after this cursor (a record's `cursor`, or what `query --show-cursor` prints): only what is newer */
  after?: string
}

function describeSkips(skips: SkipCounts): string | null {
  const total = skips.unreadable + skips.torn
  if (total === 0) return null
  const parts: string[] = []
  if (skips.unreadable > 0) parts.push(`${skips.unreadable} not a JSON event`)
  if (skips.torn > 0) parts.push(`${skips.torn} torn last line${skips.torn === 1 ? '' : 's'} (still being written, or cut)`)
  return `skipped ${total} line${total === 1 ? '' : 's'}: ${parts.join(', ')}`
}

export { describeSkips }

function warner(options: ReadEventsOptions): (message: string) => void {
  const sink = typeof options.onWarning === 'function' ? options.onWarning : stderrSink
  return (message) => {
    try {
      sink(`ds01-events: ${message}`)
    } catch {
      // a throwing onWarning must not break the iteration
    }
  }
}

async function * nothing(): AsyncGenerator<never, void, undefined> {}

/**
 * Records (the line as stored and its event) of the log that pass the filter,
 * oldest first. Options are checked at the call: a wrong one is warned about
 * there and then, and the iteration is empty.
 */
export function readRecords(options: ReadEventsOptions = {}): AsyncGenerator<EventRecord, void, undefined> {
  const o = options ?? {}
  const problem = readOptionsProblem(o)
  if (problem !== null) {
    warner(typeof o === 'object' ? o : {})(`readEvents: ${problem}`)
    return nothing()
  }
  return records(o)
}

async function * records(options: ReadEventsOptions): AsyncGenerator<EventRecord, void, undefined> {
  const warn = warner(options)
  const parsed = QueryFilter.parse(options, options.now)
  if (!parsed.ok) {
    warn(`readEvents: ${parsed.problem}`)
    return
  }
  let after: Position[] | undefined
  if (options.after !== undefined) {
    const decoded = typeof options.after === 'string' ? decodeCursor(options.after) : null
    if (decoded === null) {
      warn(`readEvents: after: ${JSON.stringify(String(options.after)).slice(0, 80)} is not a cursor (a record's cursor, or what 'query --show-cursor' prints)`)
      return
    }
    after = decoded
  }
  const path = options.gpu === true ? resolveGpuUtilizationFile(options.path) : resolveEventsFile(options.path)
  const opened = await openGenerations(path, options.follow === true)
  if (!opened.ok) {
    warn(opened.problem)
    return
  }
  for (const problem of opened.problems) warn(`not read: ${problem}`)
  const skips = noSkips()
  const out: EventRecord[] = []
  const progress = new Progress(after?.at(-1) ?? null)
  try {
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    for await (const _ of drive({ path, generations: opened.generations, filter: parsed.filter, sink: cursorRecordSink(recordSink(out), out, progress), skips, progress, after, follow: options.follow, pollMs: options.pollMs, signal: options.signal, onGap: (m) => warn(`not read: ${m}`), onWarning: warn })) {
      if (out.length > 0) {
        const batch = out.splice(0)
        for (const record of batch) yield record
      }
    }
  } catch (err) {
    warn(`reading ${path} failed: ${err instanceof Error ? err.message : String(err)}`)
  }
  const skipped = describeSkips(skips)
  if (skipped !== null) warn(`${path}: ${skipped}`)
}

/** The events of the log that pass the filter, oldest first (see ReadEventsOptions); options are checked at the call. */
export function readEvents(options: ReadEventsOptions = {}): AsyncGenerator<ParsedEvent, void, undefined> {
  const source = readRecords(options)
  return (async function * events (): AsyncGenerator<ParsedEvent, void, undefined> {
    for await (const record of source) yield record.event
  })()
}
