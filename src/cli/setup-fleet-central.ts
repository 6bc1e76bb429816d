// `ds01-events setup --central`: the central host's side of the fleet. The
// schema, the CA and the central's certificate, one TLS listener per host
// (--add-host, --revoke-host), the archive (owned by the user rsyslog runs as),
// its rotation, and the rsyslog config.
import * as fs from 'node:fs'
import * as os from 'node:os'
import { basename, join } from 'node:path'
import { loadPg } from '../fleet/index.js'
import { installFile, say, SetupError } from './setup.js'
import { addHost, ensureCentralPki, HOST_NAME, readRegistry, renderListeners, revokeHost } from './setup-fleet-pki.js'
import { ingestConninfo, parseEndpoint, renderCentralConfig, requireSafePath, rsyslogCheck, rsyslogUser } from './setup-fleet-common.js'

const PACKAGE_ROOT = join(__dirname, '..', '..')
export const CENTRAL_TEMPLATE = join(PACKAGE_ROOT, 'deploy', 'rsyslog', 'ds01-central.conf')
export const SCHEMA_FILE = join(PACKAGE_ROOT, 'deploy', 'postgresql', 'ds01-events.sql')
export const ARCHIVE_LOGROTATE = join(PACKAGE_ROOT, 'deploy', 'logrotate.d', 'ds01-fleet')
export const CENTRAL_CONF = '60-ds01-central.conf'
export const HOSTS_CONF = '61-ds01-central-hosts.conf'
/** imrelp's frame limit: the largest line (maxMessageSize 256k) plus the syslog header */
const MAX_DATA_SIZE = '260k'

export interface CentralOptions {
  url?: string
  listen: string
  archive: string
  rsyslogDir: string
  pkiDir: string
  name?: string
  user?: string
  logrotateDir: string
  schema: boolean
  addHost?: string
  revokeHost?: string
}

/** node-postgres is loaded only here: `setup --forward` and `log` never need it. */
async function applySchema(url: string): Promise<void> {
  const { Client } = loadPg()
  const client = new Client({ connectionString: url })
  try {
    await client.connect()
    await client.query('SET client_min_messages = warning')
    // the schema's literals hold backslashes: read them as written, whatever the role's default
    await client.query('SET standard_conforming_strings = on')
    await client.query(fs.readFileSync(SCHEMA_FILE, 'utf8'))
  } catch (err) {
    throw new SetupError(`applying ${SCHEMA_FILE} failed: ${err instanceof Error ? err.message : String(err)}\n` +
      'Check the URL (postgresql://USER:PASSWORD@HOST:PORT/DB) and that the database exists (createdb ds01)')
  } finally {
    await client.end().catch(() => undefined)
  }
  say(`schema applied (${SCHEMA_FILE})`)
}

/** The listeners file from the registry, checked by rsyslogd together with the main config when that is there. */
function installListeners(o: CentralOptions): void {
  const registry = readRegistry(o.pkiDir)
  if (registry === undefined) throw new SetupError(`${o.pkiDir} holds no fleet CA: run 'ds01-events setup --central' first`)
  const path = join(o.rsyslogDir, HOSTS_CONF)
  installFile(path, renderListeners(o.pkiDir, registry, MAX_DATA_SIZE), 0o644)
}

/** The archive: owned by rsyslog's user (Ubuntu drops to syslog), so that it can make a folder per host. */
function makeArchive(archive: string, uid: number, gid: number): void {
  fs.mkdirSync(archive, { recursive: true, mode: 0o750 })
  const st = fs.statSync(archive)
  if (st.uid !== uid || st.gid !== gid) fs.chownSync(archive, uid, gid)
  if ((st.mode & 0o7777) !== 0o750) fs.chmodSync(archive, 0o750)
  say(`${archive}: archive directory (one folder per host), owner uid ${uid}, mode 0750`)
}

export async function setupCentral(o: CentralOptions): Promise<void> {
  requireSafePath('pki-dir', o.pkiDir)
  if (o.addHost !== undefined || o.revokeHost !== undefined) {
    if (o.addHost !== undefined) {
      const { entry, bundle } = addHost(o.pkiDir, o.addHost)
      installListeners(o)
      const registry = readRegistry(o.pkiDir)
      say(`next: copy ${bundle} to ${entry.name} (it holds the host's private key: scp -r, then delete the copy here if you like), and there run:`)
      say(`  ds01-events setup --forward ${registry?.central ?? 'CENTRAL'}:${entry.port} --tls-bundle DIR_YOU_COPIED`)
    } else if (o.revokeHost !== undefined) {
      revokeHost(o.pkiDir, o.revokeHost)
      installListeners(o)
    }
    const main = join(o.rsyslogDir, CENTRAL_CONF)
    if (fs.existsSync(main)) rsyslogCheck(main, join(o.rsyslogDir, HOSTS_CONF))
    say('done. Restart rsyslog to apply: systemctl restart rsyslog')
    return
  }
  if (o.url === undefined || o.url === '') throw new SetupError('--central needs the database URL postgresql://USER[:PASSWORD]@HOST[:PORT]/DB: in DS01_EVENTS_DB, or in a file (--db-file PATH)')
  // rsyslog's config takes conninfo as one word: a URL, no spaces or quotes
  if (!/^postgres(?:ql)?:\/\/[^\s"'\\]+$/.test(o.url)) throw new SetupError('the database URL: give a postgresql:// URL without spaces, quotes or backslashes (percent-encode them)')
  const endpoint = parseEndpoint(o.listen, '0.0.0.0')
  if (typeof endpoint === 'string') throw new SetupError(`--listen ${endpoint}`)
  const name = o.name ?? os.hostname()
  if (!HOST_NAME.test(name)) throw new SetupError(`--name '${name}': give the central host's name as the GPU hosts reach it (letters, digits, '-', dots)`)
  requireSafePath('archive', o.archive)
  requireSafePath('logrotate-dir', o.logrotateDir)
  const user = rsyslogUser(o.user)
  if (o.schema) await applySchema(o.url)
  ensureCentralPki(o.pkiDir, name, endpoint.host, endpoint.port, user.uid, user.gid)
  makeArchive(o.archive, user.uid, user.gid)
  installFile(join(o.logrotateDir, basename(ARCHIVE_LOGROTATE)), fs.readFileSync(ARCHIVE_LOGROTATE, 'utf8')
    .split('/var/log/ds01-fleet/').join(`${o.archive.replace(/\/+$/, '')}/`), 0o644)
  const config = renderCentralConfig(fs.readFileSync(CENTRAL_TEMPLATE, 'utf8'), o.archive, ingestConninfo(o.url))
  const path = join(o.rsyslogDir, CENTRAL_CONF)
  installFile(path, config, 0o600)
  installListeners(o)
  rsyslogCheck(path, join(o.rsyslogDir, HOSTS_CONF))
  const hosts = readRegistry(o.pkiDir)?.hosts.filter((h) => h.revoked === undefined) ?? []
  say(`done. ${hosts.length} host(s) registered; add one with: ds01-events setup --central --add-host NAME` +
    ` (each host gets its own listener on ${endpoint.host}, ports ${endpoint.port} and up). Then: systemctl restart rsyslog`)
}
