// Where the fleet's database URL comes from, and how it is shown. A URL in
// argv is readable by every local user (/proc/PID/cmdline), so the CLI reads it
// from a file (--db-file PATH) or the environment (DS01_EVENTS_DB) and, when it
// prints one, masks every form a password can take.
import { readFileSync } from 'node:fs'

/**
 * The text with every password masked: a URL's userinfo
 * (`postgresql://u:p@ss@host` -> `postgresql://u:***@host`: the last `@`
 * ends it), a `password=` query parameter, and a key=value
 * conninfo's `password=...` (quoted or not). Over-masking is allowed, a
 * visible password is not.
 */
export function maskSecrets(text: string): string {
  const urls = text.replace(/([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^\s"'<>]*)/g, (_match: string, scheme: string, rest: string) => {
    // the userinfo ends at the last @ (a password may hold @, # or /): past it, the host and the rest
    const at = rest.lastIndexOf('@')
    let userinfo = ''
    if (at !== -1) {
      const colon = rest.indexOf(':')
      userinfo = (colon === -1 || colon > at ? rest.slice(0, at) : `${rest.slice(0, colon)}:***`) + '@'
    }
    return scheme + userinfo + rest.slice(at + 1).replace(/([?&]password=)[^&#]*/gi, '$1***')
  })
  // key=value conninfo (host=... password=secret, or password='se cret')
  return urls.replace(/(^|[\s,;(])(password\s*=\s*)('(?:[^'\\]|\\.)*'?|[^\s'&]+)/gi, '$1$2***')
}

/** Whether the text names a password (it then must not sit in argv). */
export function holdsPassword(url: string): boolean {
  return maskSecrets(url) !== url
}

export type DbUrlResult = { ok: true, url: string, from: string } | { ok: false, problem: string }

/**
 * The database URL: --db-file PATH (its first line that is not empty or a
 * `#` comment), else --db URL, else DS01_EVENTS_DB. `undefined` url: none given.
 */
export function resolveDbUrl(options: { db?: string, dbFile?: string }, env: NodeJS.ProcessEnv = process.env): DbUrlResult | undefined {
  if (options.dbFile !== undefined) {
    let text: string
    try {
      text = readFileSync(options.dbFile, 'utf8')
    } catch (err) {
      return { ok: false, problem: `--db-file ${options.dbFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` }
    }
    const line = text.split('\n').map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('#'))
    if (line === undefined) return { ok: false, problem: `--db-file ${options.dbFile} holds no URL (one line: postgresql://USER:PASSWORD@HOST:PORT/DB)` }
    return { ok: true, url: line, from: options.dbFile }
  }
  if (options.db !== undefined && options.db !== '') return { ok: true, url: options.db, from: '--db' }
  const fromEnv = env.DS01_EVENTS_DB
  if (fromEnv !== undefined && fromEnv !== '') return { ok: true, url: fromEnv, from: 'DS01_EVENTS_DB' }
  return undefined
}

/** The warning for a password given in argv (--db). */
export const ARGV_PASSWORD_WARNING = 'the password in --db is visible to every local user (ps, /proc/PID/cmdline): ' +
  'put the URL in DS01_EVENTS_DB or in a file readable only by you (--db-file PATH)'

/**
 * node-postgres, loaded on first use: it is an optional peer dependency, so
 * a host that only logs has none. Throws an Error that says how to install it.
 */
export function loadPg(): typeof import('pg') {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('pg') as typeof import('pg')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw err
    throw new PgMissingError()
  }
}

export class PgMissingError extends Error {
  constructor() {
    super('the PostgreSQL client (npm package pg) is not installed; the fleet\'s database commands need it: ' +
      'npm install pg next to ds01-events (npm install -g pg for a global ds01-events)')
    this.name = 'PgMissingError'
  }
}
