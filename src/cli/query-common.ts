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

/** stdout closed by the reader (`| head -1`): stop quietly, status 0. */
export function quietOnEpipe(stop: () => void): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') {
      stop()
      process.exit(0)
    }
    throw err
  })
}

/** Writes, then waits while stdout's buffer is full (a slow pipe): memory stays at one chunk. */
export async function writeAndWait(data: string | Buffer): Promise<void> {
  if (data.length > 0 && !process.stdout.write(data)) await once(process.stdout, 'drain')
}
