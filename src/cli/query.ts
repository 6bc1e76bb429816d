// `ds01-events query` (and `ds01-events` followed only by options): reads the
// log and its rotated generations through the reader. Exit status: 0 it ran
// (matches or not), 1 no log could be read, 2 usage error.
import { parseArgs } from 'node:util'
import { resolveEventsFile, resolveGpuUtilizationFile } from '../common/index.js'
import {
  describeSkips,
  drive,
  HumanFormatter,
  jsonLine,
  latin1,
  noSkips,
  openGenerations,
  QueryFilter,
  recordSink,
  Ring,
  Summary,
  useColour,
  utf8Text,
  type EventRecord,
  type LineSink
} from '../reader/index.js'

const QUERY_OPTIONS = {
  user: { type: 'string', multiple: true },
  type: { type: 'string', multiple: true },
  container: { type: 'string', multiple: true },
  source: { type: 'string', multiple: true },
  where: { type: 'string', multiple: true },
  since: { type: 'string' },
  until: { type: 'string' },
  limit: { type: 'string', short: 'n' },
  all: { type: 'boolean' },
  json: { type: 'boolean' },
  follow: { type: 'boolean', short: 'f' },
  summary: { type: 'boolean' },
  reverse: { type: 'boolean', short: 'r' },
  gpu: { type: 'boolean' },
  file: { type: 'string' },
  help: { type: 'boolean', short: 'h' }
} as const

const DEFAULT_LIMIT = 50

function usageError(problem: string): number {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('./help.js') as typeof import('./help.js')).usageError('query', problem)
}

/** stdout closed by the reader (`| head -1`): stop quietly, status 0. */
function quietOnEpipe(stop: () => void): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') {
      stop()
      process.exit(0)
    }
    throw err
  })
}

function write(text: string): void {
  if (text !== '') process.stdout.write(text)
}

export async function runQuery(args: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({ args, options: QUERY_OPTIONS, allowPositionals: false, strict: true })
  } catch (err) {
    return usageError(err instanceof Error ? err.message : String(err))
  }
  const v = parsed.values
  if (v.help === true) {
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
  const filterResult = QueryFilter.parse({ user: v.user, type: v.type, container: v.container, source: v.source, where: v.where, since: v.since, until: v.until })
  if (!filterResult.ok) return usageError(filterResult.problem)
  const filter = filterResult.filter

  const path = v.gpu === true ? resolveGpuUtilizationFile() : resolveEventsFile(v.file)
  const opened = await openGenerations(path, v.follow === true)
  if (!opened.ok) {
    process.stderr.write(`ds01-events query: ${opened.problem}\n`)
    return 1
  }

  const controller = new AbortController()
  quietOnEpipe(() => controller.abort())
  const skips = noSkips()
  const colour = useColour(process.stdout)
  const human = new HumanFormatter(colour)
  const render = (records: readonly EventRecord[]): string => (v.json === true ? records.map(jsonLine).join('') : human.formatAll(records))

  let sink: LineSink
  const out: EventRecord[] = []
  const summary = new Summary()
  if (v.summary === true) {
    sink = (buf, _start, _end, fast, event) => {
      if (fast !== null) {
        const user = fast.user === undefined ? undefined : utf8Text(fast.user)
        const source = fast.source === undefined ? undefined : utf8Text(fast.source)
        summary.add(fast.type, user, source, latin1(buf, fast.tsStart, fast.tsStart + 10))
      } else if (event !== null) {
        summary.addEvent(event)
      }
    }
  } else {
    sink = recordSink(out)
  }

  // --all streams (no buffer) unless it must reverse; otherwise the --limit window is the only buffer
  const streaming = v.all === true && v.reverse !== true
  const everything: EventRecord[] = []
  const window = new Ring<EventRecord>(limit)
  let following = false
  const flushWindow = (): void => {
    const records = v.all === true ? everything : window.toArray()
    if (v.reverse === true) records.reverse()
    write(render(records))
  }
  const onInterrupt = (): void => controller.abort()
  if (v.follow === true) process.on('SIGINT', onInterrupt)
  try {
    const run = drive({
      path,
      generations: opened.generations,
      filter,
      sink,
      skips,
      follow: v.follow,
      signal: controller.signal,
      onCaughtUp: () => {
        if (!streaming) flushWindow()
        following = true
      }
    })
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    for await (const _ of run) {
      if (out.length === 0) continue
      const batch = out.splice(0)
      if (streaming || following) {
        write(v.json === true ? batch.map(jsonLine).join('') : batch.map((r) => human.format(r)).join(''))
      } else if (v.all === true) {
        everything.push(...batch)
      } else {
        for (const r of batch) window.push(r)
      }
    }
  } catch (err) {
    process.stderr.write(`ds01-events query: reading ${path} failed: ${err instanceof Error ? err.message : String(err)}\n`)
    return 1
  } finally {
    process.removeListener('SIGINT', onInterrupt)
  }
  if (v.summary === true) write(v.json === true ? JSON.stringify(summary.toJSON()) + '\n' : summary.render(colour))
  else if (!following && !streaming) flushWindow()
  const skipped = describeSkips(skips)
  if (skipped !== null) process.stderr.write(`ds01-events query: ${skipped}\n`)
  return 0
}
