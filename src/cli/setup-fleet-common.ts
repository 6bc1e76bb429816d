// What setup --forward and setup --central share: endpoints, safe paths, the
// rsyslog check, and the user rsyslog runs as.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import { join } from 'node:path'
import { say, SetupError } from './setup.js'

export const DEFAULT_PORT = 2514
export const DEFAULT_LOG_DIR = '/var/log/ds01'

export interface Endpoint { host: string, port: number }

/** HOST, HOST:PORT, [IPv6] or [IPv6]:PORT; only characters that are safe inside the rsyslog config. */
export function parseEndpoint(text: string, defaultHost?: string): Endpoint | string {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]*))(?::(\d{1,5}))?$/.exec(text)
  if (match === null) return `'${text}' is not HOST[:PORT] (a host name, an IPv4 address or [IPv6], then an optional port)`
  const host = match[1] ?? match[2] ?? ''
  const port = match[3] === undefined ? DEFAULT_PORT : Number(match[3])
  if (host === '' && defaultHost === undefined) return `'${text}' names no host`
  if (port < 1 || port > 65535) return `port ${port} is not between 1 and 65535`
  return { host: host === '' ? (defaultHost ?? '') : host, port }
}

/** The sender config for this log directory, central endpoint, TLS folder and central certificate name. */
export function renderForwardConfig(template: string, dir: string, target: Endpoint, tlsDir: string, centralPeer: string): string {
  return template
    .split(`${DEFAULT_LOG_DIR}/`).join(`${dir.replace(/\/+$/, '')}/`)
    .split('@@TARGET@@').join(target.host)
    .split('@@PORT@@').join(String(target.port))
    .split('@@TLS_DIR@@').join(tlsDir.replace(/\/+$/, ''))
    .split('@@CENTRAL_PEER@@').join(centralPeer)
}

/** The central config; `conninfo` is a PostgreSQL URL without whitespace or quotes (checked by the caller). */
export function renderCentralConfig(template: string, archive: string, conninfo: string): string {
  return template
    .split('@@ARCHIVE@@').join(archive.replace(/\/+$/, ''))
    .split('@@CONNINFO@@').join(conninfo)
}

/**
 * The URL rsyslog's ompgsql connects with: the admin's, plus what makes the
 * statement mean the same whatever the server says: standard_conforming_strings
 * on (quotes doubled, backslashes literal) and LATIN1 as the client encoding
 * (every byte is a character; ds01_ingest_latin1 gets the line's bytes back
 * and checks them as UTF-8 itself).
 */
export function ingestConninfo(url: string): string {
  const parsed = new URL(url)
  const options = parsed.searchParams.get('options')
  parsed.searchParams.set('options', `${options === null ? '' : `${options} `}-c standard_conforming_strings=on`)
  parsed.searchParams.set('client_encoding', 'LATIN1')
  parsed.searchParams.set('application_name', 'ds01-events rsyslog')
  // libpq decodes %XX only, not '+': spaces as %20 (a '+' of the admin's is %2B here)
  parsed.search = parsed.searchParams.toString().replace(/\+/g, '%20')
  return parsed.toString()
}

export function requireSafePath(name: string, path: string): void {
  if (!path.startsWith('/') || /["\\\s]/.test(path)) throw new SetupError(`--${name} '${path}': give an absolute path without quotes, backslashes or spaces`)
}

/** rsyslogd -N1 on the snippet, inside a main config that sets a work directory as the distributions' does. */
export function rsyslogCheck(configPath: string, ...more: string[]): void {
  const scratch = fs.mkdtempSync(join(os.tmpdir(), 'ds01-rsyslog-check-'))
  try {
    const main = join(scratch, 'rsyslog.conf')
    fs.writeFileSync(main, `global(workDirectory="${scratch}")\n` + [configPath, ...more].map((f) => `include(file="${f}")\n`).join(''))
    execFileSync('rsyslogd', ['-N1', '-f', main], { stdio: ['ignore', 'pipe', 'pipe'] })
    say(`${configPath}: rsyslogd -N1 accepts it`)
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer, stdout?: Buffer }
    if (e.code === 'ENOENT') {
      say('rsyslogd not found: install rsyslog and rsyslog-relp (apt-get install rsyslog rsyslog-relp)')
      return
    }
    const output = `${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`.trim()
    throw new SetupError(`rsyslogd -N1 rejects ${configPath}:\n${output}`)
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true })
  }
}


/** The uid and gid of the user rsyslog runs as (Ubuntu: syslog; Debian: root), for the files it must read or write. */
export function rsyslogUser(name: string | undefined): { name: string, uid: number, gid: number } {
  const user = name ?? (idOf(['-u', 'syslog']) !== undefined ? 'syslog' : 'root')
  const uid = idOf(['-u', user])
  const gid = idOf(['-g', user])
  if (uid === undefined || gid === undefined) throw new SetupError(`--rsyslog-user ${user}: no such user (the user rsyslogd runs as: ps -o user= -C rsyslogd)`)
  return { name: user, uid, gid }
}

function idOf(args: string[]): number | undefined {
  try {
    return Number(execFileSync('id', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim())
  } catch {
    return undefined
  }
}
