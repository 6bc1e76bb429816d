// `ds01-events query --db URL` (or DS01_EVENTS_DB): the query over the fleet's
// PostgreSQL store, with the same filters and output as over the files, plus
// --host and a host column. Exit status: 0 it ran, 1 the database could not be
// queried, 2 usage error.
import { parseCommandArgs } from '../common/index.js'
import type { Client } from 'pg'
import { ARGV_PASSWORD_WARNING, followDatabase, holdsPassword, loadPg, maskSecrets, newestId, readDatabase, resolveDbUrl, summaryRows } from '../fleet/index.js'
import { describeSkips, noSkips, QueryFilter, QueryOutput, Summary, useColour } from '../reader/index.js'
import { DEFAULT_LIMIT, FILTER_OPTIONS, quietOnEpipe, usageError, writeAndWait } from './query-common.js'
import { queryExtras, renderAggregates } from './query-extras.js'

const QUERY_DB_OPTIONS = {
  ...FILTER_OPTIONS,
  db: { type: 'string' },
  'db-file': { type: 'string' },
  gpu: { type: 'boolean' },
  host: { type: 'string', multiple: true },
  'poll-ms': { type: 'string' }
} as const

/** The reader's summary, and the same counts by host. */
function renderSummary(rows: Awaited<ReturnType<typeof summaryRows>>, json: boolean, colour: boolean): string {
  const summary = new Summary()
  const hosts = new Map<string, number>()
  for (const r of rows) {
    for (let i = 0; i < r.n; i++) summary.add(r.type, r.user ?? undefined, r.source ?? undefined, r.day)
    hosts.set(r.host, (hosts.get(r.host) ?? 0) + r.n)
  }
  const byHost = [...hosts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
  if (json) return JSON.stringify({ ...summary.toJSON(), by_host: Object.fromEntries(byHost) }) + '\n'
  if (byHost.length === 0) return summary.render(colour)
  // host names come from the network: quoted when they hold anything unusual
  const show = (h: string): string => (/^[A-Za-z0-9._-]+$/.test(h) ? h : JSON.stringify(h))
  const keyWidth = Math.max(...byHost.map(([h]) => show(h).length))
  const numWidth = Math.max(...byHost.map(([, n]) => String(n).length))
  const title = colour ? '\x1b[1mBy host\x1b[0m' : 'By host'
  return summary.render(colour) + `\n${title}\n` + byHost.map(([h, n]) => `  ${show(h).padEnd(keyWidth)}  ${String(n).padStart(numWidth)}`).join('\n') + '\n'
}

export async function runQueryDb(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(args, QUERY_DB_OPTIONS)
  if (!parsed.ok) {
    const message = parsed.problem
    return usageError(/'--file'/.test(message) ? `${message}; --db reads the fleet database, not a log file (its GPU samples: --db --gpu)` : message)
  }
  const v = parsed.values
  if (parsed.help) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('./help.js') as typeof import('./help.js')).runHelp(['query'])
  }
  const resolved = resolveDbUrl({ db: v.db, dbFile: v['db-file'] })
  if (resolved === undefined) return usageError('--db needs a URL: postgresql://USER[:PASSWORD]@HOST[:PORT]/DB (better: set DS01_EVENTS_DB, or --db-file PATH)')
  if (!resolved.ok) return usageError(resolved.problem)
  const url = resolved.url
  if (resolved.from === '--db' && holdsPassword(url)) process.stderr.write(`ds01-events query: warning: ${ARGV_PASSWORD_WARNING}\n`)
  if (v.summary === true && v.follow === true) return usageError('--summary counts what is there; it does not --follow')
  let limit = DEFAULT_LIMIT
  if (v.limit !== undefined) {
    if (!/^\d+$/.test(v.limit) || Number(v.limit) < 1) return usageError(`--limit ${JSON.stringify(v.limit)}: expected a whole number of events, 1 or more (or --all)`)
    limit = Number(v.limit)
  }
  let pollMs = 1000
  if (v['poll-ms'] !== undefined) {
    if (!/^\d+$/.test(v['poll-ms']) || Number(v['poll-ms']) < 50) return usageError('--poll-ms: a whole number of milliseconds, 50 or more')
    pollMs = Number(v['poll-ms'])
  }
  const extras = queryExtras(v)
  if (typeof extras === 'string') return usageError(extras)
  const filterResult = QueryFilter.parse({ user: v.user, type: v.type, notType: v['not-type'], container: v.container, source: v.source, where: v.where, since: v.since, until: v.until })
  if (!filterResult.ok) return usageError(filterResult.problem)
  const filter = filterResult.filter
  const hosts = v.host ?? []

  let PgClient: typeof import('pg').Client
  try {
    PgClient = loadPg().Client
  } catch (err) {
    process.stderr.write(`ds01-events query: ${err instanceof Error ? err.message : String(err)}\n`)
    return 1
  }
  const client: Client = new PgClient({ connectionString: url, application_name: 'ds01-events query' })
  const controller = new AbortController()
  const onInterrupt = (): void => controller.abort()
  quietOnEpipe(() => controller.abort())
  const colour = useColour(process.stdout)
  // the reader's output: the same window, --all, --reverse, follow and columns as for files
  const output = new QueryOutput({ json: v.json, all: v.all, reverse: v.reverse, limit, colour, formatter: extras.formatter, onNoEntries: extras.onNoEntries }, writeAndWait)
  const skips = noSkips()
  try {
    await client.connect()
    if (extras.values !== undefined || extras.groups !== undefined) {
      // the filter is SQL; the counting of a field's values is the reader's, over every match in batches
      for await (const batch of readDatabase(client, { filter, hosts, skips })) renderAggregates.add(extras, output.summary, batch)
      await writeAndWait(renderAggregates.render(extras, output.summary, v.json === true, colour))
      return 0
    }
    if (v.summary === true) {
      await writeAndWait(renderSummary(await summaryRows(client, filter, hosts, v.gpu), v.json === true, colour))
      return 0
    }
    const startId = v.follow === true ? await newestId(client, v.gpu) : '0'
    for await (const batch of readDatabase(client, { filter, hosts, limit: v.all === true ? undefined : limit, skips, gpu: v.gpu })) await output.add(batch)
    if (v.follow === true) {
      output.caughtUp()
      process.on('SIGINT', onInterrupt)
      for await (const batch of followDatabase(client, { filter, hosts, skips, afterId: startId, pollMs, signal: controller.signal, gpu: v.gpu })) await output.add(batch)
    }
    await output.finish()
  } catch (err) {
    process.stderr.write(maskSecrets(`ds01-events query: the database ${url} could not be queried: ${err instanceof Error ? err.message : String(err)}\n`) +
      'Check the URL and that the schema is applied (ds01-events setup --central, with DS01_EVENTS_DB set).\n')
    return 1
  } finally {
    process.removeListener('SIGINT', onInterrupt)
    await client.end().catch(() => undefined)
  }
  const skipped = describeSkips(skips)
  if (skipped !== null) process.stderr.write(`ds01-events query: ${skipped}\n`)
  return 0
}
