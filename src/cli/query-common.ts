// What every query shares, over files or over the fleet's database: the
// options, the usage error, the output to stdout.
import { once } from 'node:events'

export const FILTER_OPTIONS = {
  user: { type: 'string', multiple: true },
  type: { type: 'string', multiple: true },
  'not-type': { type: 'string', multiple: true },
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
  // what journalctl and lnav users reach for (cli/query-extras.ts)
  'output-fields': { type: 'string', short: 'o', multiple: true },
  values: { type: 'string' },
  by: { type: 'string', multiple: true },
  utc: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' }
} as const

export const DEFAULT_LIMIT = 50

export function usageError(problem: string): number {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('./help.js') as typeof import('./help.js')).usageError('query', problem)
}

/**
 * stdout closed by the reader (`| head -1`): stop quietly, status 0. Any other
 * write error (a full disk, /dev/full: ENOSPC; EIO) stops the query with
 * status 1; the command line's own stdout guard (main.ts) has said it, once.
 */
export function quietOnEpipe(stop: () => void): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    stop()
    process.exit(err.code === 'EPIPE' ? 0 : 1)
  })
}

/** Writes, then waits while stdout's buffer is full (a slow pipe): memory stays at one chunk. */
export async function writeAndWait(data: string | Buffer): Promise<void> {
  if (data.length > 0 && !process.stdout.write(data)) await once(process.stdout, 'drain')
}

/** The matching lines --json could not print from the --limit window (longer than it holds). */
export function notHeldText(n: number): string {
  return `${n} matching line${n === 1 ? '' : 's'} over 64 KiB not printed: the --limit window does not hold such lines whole (--all --json streams them)`
}
