// `ds01-events query` (and `ds01-events` followed only by options): reads the
// log and its rotated generations through the reader. Exit status: 0 it ran
// (matches or not), 1 no log could be read, or part of it could not (a
// generation, damage in a .gz: stderr names each), 2 usage error.
import { existsSync as exists } from 'node:fs'
import { parseCommandArgs, resolveEventsFile, resolveGpuUtilizationFile } from '../common/index.js'
import {
  describeSkips,
  drive,
  noSkips,
  openGenerations,
  Progress,
  QueryFilter,
  QueryOutput,
  RawLines,
  recordSink,
  summarySink,
  useColour,
  type EventRecord
} from '../reader/index.js'
import { DEFAULT_LIMIT, FILTER_OPTIONS, notHeldText, quietOnEpipe, usageError, writeAndWait } from './query-common.js'
import { queryExtras, renderAggregates } from './query-extras.js'
import { CURSOR_OPTIONS, cursorEnd, cursorStart, encodeCursor, saveCursor } from './query-cursor.js'

const QUERY_OPTIONS = {
  ...FILTER_OPTIONS,
  ...CURSOR_OPTIONS,
  gpu: { type: 'boolean' },
  file: { type: 'string' }
} as const

export async function runQuery(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(args, QUERY_OPTIONS)
  if (!parsed.ok) return usageError(parsed.problem)
  const v = parsed.values
  if (parsed.help) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('./help.js') as typeof import('./help.js')).runHelp(['query'])
  }
  if (v.gpu === true && v.file !== undefined) return usageError('--gpu and --file name two logs: give one')
  if (v.file === '') return usageError('--file needs a path')
  if (v.summary === true && v.follow === true) return usageError('--summary counts what is there; it does not --follow')
  let limit = DEFAULT_LIMIT
  if (v.limit !== undefined) {
    if (!/^\d+$/.test(v.limit) || Number(v.limit) < 1) return usageError(`--limit ${JSON.stringify(v.limit)}: expected a whole number of events, 1 or more (or --all)`)
    limit = Number(v.limit)
  }
  const extras = queryExtras(v)
  if (typeof extras === 'string') return usageError(extras)
  const filterResult = QueryFilter.parse({ user: v.user, type: v.type, notType: v['not-type'], container: v.container, source: v.source, where: v.where, since: v.since, until: v.until })
  if (!filterResult.ok) return usageError(filterResult.problem)
  const filter = filterResult.filter
  const start = cursorStart(v)
  if (!start.ok) {
    if (start.usage) return usageError(start.problem)
    process.stderr.write(`ds01-events query: ${start.problem}\n`)
    return 1
  }
  // a cursor prints everything new since it
  const all = v.all === true || v['cursor-file'] !== undefined || v['after-cursor'] !== undefined
  const progress = start.tracking ? new Progress(start.after?.at(-1) ?? null) : undefined

  const path = v.gpu === true ? resolveGpuUtilizationFile() : resolveEventsFile(v.file)
  const opened = await openGenerations(path, v.follow === true)
  if (!opened.ok) {
    process.stderr.write(`ds01-events query: ${opened.problem}\n`)
    return 1
  }

  if (v.follow === true && opened.generations.length === 1 && !exists(path)) {
    process.stderr.write(`ds01-events query: ${path} does not exist yet; waiting for it (Ctrl-C to stop)\n`)
  }

  const controller = new AbortController()
  quietOnEpipe(() => controller.abort())
  const skips = noSkips()
  const colour = useColour(process.stdout)
  const output = new QueryOutput({ json: v.json, summary: v.summary, all, reverse: v.reverse, limit, colour, formatter: extras.formatter, onNoEntries: extras.onNoEntries }, writeAndWait)
  const aggregate = extras.values !== undefined || extras.groups !== undefined
  // the file source's fast paths: counts from the envelope read in place, and the bytes of
  // matching lines copied out as they are; records (and their parse) only where needed
  const records: EventRecord[] = []
  const raw = output.streaming && v.json === true && v.summary !== true && !aggregate && extras.formatter === undefined ? new RawLines() : null
  const sink = v.summary === true && !aggregate ? summarySink(output.summary) : raw !== null ? raw.sink : recordSink(records)
  // part of the answer missing (a generation that cannot be read, damage in a .gz): said, and status 1
  const gaps: string[] = [...opened.problems]
  const say = (message: string): void => { process.stderr.write(`ds01-events query: ${message}\n`) }
  for (const g of gaps) say(`not read: ${g}`)
  const onGap = (message: string): void => {
    gaps.push(message)
    say(`not read: ${message}`)
  }
  const onInterrupt = (): void => controller.abort()
  // SIGTERM (systemd, kill, timeout) ends a follow as Ctrl-C does, what is held printed first, then status 143 (128 + 15, as a killed tail)
  let terminated = false
  const onTerminate = (): void => {
    terminated = true
    controller.abort()
  }
  if (v.follow === true) {
    process.on('SIGINT', onInterrupt)
    process.on('SIGTERM', onTerminate)
  }
  try {
    const run = drive({ path, generations: opened.generations, filter, sink, skips, follow: v.follow, signal: controller.signal, onCaughtUp: () => output.caughtUp(), onGap, onWarning: say, progress, after: start.after })
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    for await (const _ of run) {
      const bytes = raw?.take() ?? null
      if (bytes !== null) {
        output.matched++
        await writeAndWait(bytes)
      }
      if (records.length > 0) {
        if (aggregate) renderAggregates.add(extras, output.summary, records.splice(0))
        else await output.add(records.splice(0))
      }
    }
  } catch (err) {
    process.stderr.write(`ds01-events query: reading ${path} failed: ${err instanceof Error ? err.message : String(err)}\n`)
    return 1
  } finally {
    process.removeListener('SIGINT', onInterrupt)
  }
  if (aggregate) await writeAndWait(renderAggregates.render(extras, output.summary, v.json === true, colour))
  else await output.finish()
  let saveFailed = false
  const ended = progress === undefined ? null : cursorEnd(progress, start.after)
  if (ended !== null) {
    if (v['show-cursor'] === true) await writeAndWait(`-- cursor: ${encodeCursor(ended)}\n`)
    if (v['cursor-file'] !== undefined) {
      const failed = saveCursor(v['cursor-file'], ended)
      if (failed !== null) {
        say(failed)
        saveFailed = true
      }
    }
  }
  const skipped = describeSkips(skips)
  if (skipped !== null) process.stderr.write(`ds01-events query: ${skipped}\n`)
  if (output.notHeld > 0) process.stderr.write(`ds01-events query: ${notHeldText(output.notHeld)}\n`)
  process.removeListener('SIGTERM', onTerminate)
  if (gaps.length > 0) {
    say(`incomplete: ${gaps.length} part${gaps.length === 1 ? '' : 's'} of the log could not be read (above); the answer is missing their events`)
    return 1
  }
  if (saveFailed) return 1
  return terminated ? 143 : 0
}
