// `ds01-events setup --forward HOST[:PORT]` (every GPU host) and
// `ds01-events setup --central --db-file PATH` (the central host): install the
// shipped rsyslog configs (deploy/rsyslog/) and, on the central host, the
// PostgreSQL schema (deploy/postgresql/). Idempotent, like `setup`.
import { parseCommandArgs } from '../common/index.js'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import { join } from 'node:path'
import { ARGV_PASSWORD_WARNING, holdsPassword, loadPg, maskSecrets, resolveDbUrl } from '../fleet/index.js'
import { usageError } from './help.js'
import { installFile, lookupGroup, say, SetupError } from './setup.js'

const PACKAGE_ROOT = join(__dirname, '..', '..')
export const FORWARD_TEMPLATE = join(PACKAGE_ROOT, 'deploy', 'rsyslog', 'ds01-forward.conf')
export const CENTRAL_TEMPLATE = join(PACKAGE_ROOT, 'deploy', 'rsyslog', 'ds01-central.conf')
export const STATE_CLEAN_SCRIPT = join(PACKAGE_ROOT, 'deploy', 'rsyslog', 'ds01-imfile-state-clean')
export const SCHEMA_FILE = join(PACKAGE_ROOT, 'deploy', 'postgresql', 'ds01-events.sql')
const DEFAULT_LOG_DIR = '/var/log/ds01'
const DEFAULT_PORT = 2514
const FORWARD_CONF = '60-ds01-forward.conf'
const CENTRAL_CONF = '60-ds01-central.conf'

export const FLEET_OPTIONS = {
  forward: { type: 'string' },
  central: { type: 'boolean' },
  dir: { type: 'string' },
  'rsyslog-dir': { type: 'string' },
  'reader-group': { type: 'string' },
  'rsyslog-workdir': { type: 'string' },
  'systemd-dir': { type: 'string' },
  'sbin-dir': { type: 'string' },
  listen: { type: 'string' },
  archive: { type: 'string' },
  db: { type: 'string' },
  'db-file': { type: 'string' },
  'no-schema': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' }
} as const

export const FLEET_USAGE = `Usage:
  sudo ds01-events setup --forward HOST[:PORT] [--dir DIR] [--reader-group NAME] [--rsyslog-dir DIR]
                         [--rsyslog-workdir DIR] [--systemd-dir DIR] [--sbin-dir DIR]
  sudo ds01-events setup --central --db-file PATH [--listen ADDR[:PORT]] [--archive DIR] [--rsyslog-dir DIR] [--no-schema]

--forward (on every GPU host; run 'ds01-events setup' first):
  - a default ACL on DIR (default /var/log/ds01) and an ACL on its logs granting
    read to NAME (default adm, the group rsyslog runs with on Debian and Ubuntu),
    kept by the files logrotate and the writers create; nobody else gains access
  - RSYSLOG_DIR/60-ds01-forward.conf (default /etc/rsyslog.d): follow the logs,
    send them over RELP to HOST (port ${DEFAULT_PORT})
  - SBIN_DIR/ds01-imfile-state-clean (default /usr/local/sbin) and a drop-in
    SYSTEMD_DIR/rsyslog.service.d/ds01-events.conf (default /etc/systemd/system)
    running it before rsyslog starts, on WORKDIR (default /var/spool/rsyslog):
    it drops imfile offsets that a file logrotate created while rsyslog was
    down would otherwise inherit
--central (on the host with rsyslog and PostgreSQL access):
  - the schema deploy/postgresql/ds01-events.sql applied to the database whose
    URL is the first line of PATH (a file only root reads), or $DS01_EVENTS_DB,
    or --db URL (visible to local users in the process list: avoid it),
    unless --no-schema; needs the npm package pg
  - RSYSLOG_DIR/60-ds01-central.conf, mode 0600 (it holds URL): receive RELP on
    ADDR:PORT (default 0.0.0.0:${DEFAULT_PORT}), archive to DIR/HOST/*.jsonl (default
    /var/log/ds01-fleet), insert into PostgreSQL
Then restart rsyslog: systemctl restart rsyslog. See docs/fleet.md.
`

interface Endpoint { host: string, port: number }

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

/** The sender config for this log directory and central endpoint. */
export function renderForwardConfig(template: string, dir: string, target: Endpoint): string {
  return template
    .split(`${DEFAULT_LOG_DIR}/`).join(`${dir.replace(/\/+$/, '')}/`)
    .split('@@TARGET@@').join(target.host)
    .split('@@PORT@@').join(String(target.port))
}

/** The central config; `url` is a PostgreSQL URL without whitespace or quotes (checked by the caller). */
export function renderCentralConfig(template: string, listen: Endpoint, archive: string, url: string): string {
  return template
    .split('@@ADDRESS@@').join(listen.host)
    .split('@@PORT@@').join(String(listen.port))
    .split('@@ARCHIVE@@').join(archive.replace(/\/+$/, ''))
    .split('@@CONNINFO@@').join(url)
}

function requireSafePath(name: string, path: string): void {
  if (!path.startsWith('/') || /["\\\s]/.test(path)) throw new SetupError(`--${name} '${path}': give an absolute path without quotes, backslashes or spaces`)
}

/** Runs setfacl; its absence is a clear error. */
function setfacl(args: string[]): void {
  try {
    execFileSync('setfacl', args, { stdio: ['ignore', 'ignore', 'pipe'] })
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer }
    if (e.code === 'ENOENT') throw new SetupError('setfacl is missing: install the acl package (apt-get install acl) and run setup again')
    throw new SetupError(`setfacl ${args.join(' ')} failed: ${e.stderr?.toString().trim() ?? e.message}`)
  }
}

/**
 * Read access for `group` (rsyslog's) to the logs, and nothing more: the files
 * stay 0660 root:docker. The default ACL makes files created later (by
 * logrotate's `create`, or a writer re-creating a deleted file) readable too;
 * its other::--- keeps a default ACL (which overrides the umask) from opening
 * them to everyone.
 */
function grantRead(dir: string, group: string): void {
  const dirStat = fs.lstatSync(dir, { throwIfNoEntry: false })
  if (dirStat === undefined || !dirStat.isDirectory()) {
    throw new SetupError(`${dir} is not a directory: run 'ds01-events setup${dir === DEFAULT_LOG_DIR ? '' : ` --dir ${dir}`}' first`)
  }
  setfacl(['-m', `g:${group}:rx`, dir])
  setfacl(['-d', '-m', `u::rw,g::rw,o::-,g:${group}:r`, dir])
  say(`${dir}: ACL group:${group}:r-x, default ACL group:${group}:r-- (new log files readable by ${group})`)
  for (const name of fs.readdirSync(dir)) {
    if (!name.endsWith('.jsonl') && !name.endsWith('.jsonl.1')) continue
    const path = join(dir, name)
    // regular files with one link only, as the spec asks: never through a link
    const st = fs.lstatSync(path)
    if (!st.isFile() || st.nlink !== 1) {
      say(`${path}: skipped (not a regular file with one link)`)
      continue
    }
    setfacl(['-m', `g:${group}:r`, path])
    say(`${path}: ACL group:${group}:r--`)
  }
}

/** rsyslogd -N1 on the snippet, inside a main config that sets a work directory as the distributions' does. */
function rsyslogCheck(configPath: string): void {
  const scratch = fs.mkdtempSync(join(os.tmpdir(), 'ds01-rsyslog-check-'))
  try {
    const main = join(scratch, 'rsyslog.conf')
    fs.writeFileSync(main, `global(workDirectory="${scratch}")\ninclude(file="${configPath}")\n`)
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

interface ForwardOptions { target: string, dir: string, rsyslogDir: string, readerGroup: string, workDir: string, systemdDir: string, sbinDir: string }

function setupForward(o: ForwardOptions): void {
  const endpoint = parseEndpoint(o.target)
  if (typeof endpoint === 'string') throw new SetupError(`--forward ${endpoint}`)
  for (const [name, path] of [['dir', o.dir], ['rsyslog-workdir', o.workDir], ['sbin-dir', o.sbinDir], ['systemd-dir', o.systemdDir]]) requireSafePath(name, path)
  if (lookupGroup(o.readerGroup) === undefined) {
    throw new SetupError(`group '${o.readerGroup}' does not exist: pass --reader-group with the group rsyslog runs as (ps -o group= -C rsyslogd)`)
  }
  grantRead(o.dir, o.readerGroup)
  const config = renderForwardConfig(fs.readFileSync(FORWARD_TEMPLATE, 'utf8'), o.dir, endpoint)
  const path = join(o.rsyslogDir, FORWARD_CONF)
  installFile(path, config, 0o644)
  rsyslogCheck(path)
  const script = join(o.sbinDir, 'ds01-imfile-state-clean')
  installFile(script, fs.readFileSync(STATE_CLEAN_SCRIPT, 'utf8'), 0o755)
  installFile(join(o.systemdDir, 'rsyslog.service.d', 'ds01-events.conf'),
    '# Installed by `ds01-events setup --forward`: see ' + script + '\n' +
    `[Service]\nExecStartPre=${script} ${o.workDir} ${o.dir}\n`, 0o644)
  say(`done. Restart rsyslog to start sending to ${endpoint.host}:${endpoint.port}: systemctl daemon-reload && systemctl restart rsyslog`)
}

/** node-postgres is loaded only here: `setup --forward` and `log` never need it. */
async function applySchema(url: string): Promise<void> {
  const { Client } = loadPg()
  const client = new Client({ connectionString: url })
  try {
    await client.connect()
    await client.query('SET client_min_messages = warning')
    await client.query(fs.readFileSync(SCHEMA_FILE, 'utf8'))
  } catch (err) {
    throw new SetupError(`applying ${SCHEMA_FILE} failed: ${err instanceof Error ? err.message : String(err)}\n` +
      'Check the URL (postgresql://USER:PASSWORD@HOST:PORT/DB) and that the database exists (createdb ds01)')
  } finally {
    await client.end().catch(() => undefined)
  }
  say(`schema applied (${SCHEMA_FILE})`)
}

async function setupCentral(url: string | undefined, listen: string, archive: string, rsyslogDir: string, schema: boolean): Promise<void> {
  if (url === undefined || url === '') throw new SetupError('--central needs the database URL postgresql://USER[:PASSWORD]@HOST[:PORT]/DB: in DS01_EVENTS_DB, or in a file (--db-file PATH)')
  // rsyslog's config takes conninfo as one word: a URL, no spaces or quotes
  if (!/^postgres(?:ql)?:\/\/[^\s"'\\]+$/.test(url)) throw new SetupError('--db: give a postgresql:// URL without spaces, quotes or backslashes (percent-encode them)')
  const endpoint = parseEndpoint(listen, '0.0.0.0')
  if (typeof endpoint === 'string') throw new SetupError(`--listen ${endpoint}`)
  requireSafePath('archive', archive)
  if (schema) await applySchema(url)
  fs.mkdirSync(archive, { recursive: true, mode: 0o750 })
  say(`${archive}: archive directory (one folder per host)`)
  const config = renderCentralConfig(fs.readFileSync(CENTRAL_TEMPLATE, 'utf8'), endpoint, archive, url)
  const path = join(rsyslogDir, CENTRAL_CONF)
  installFile(path, config, 0o600)
  rsyslogCheck(path)
  say(`done. Restart rsyslog to receive on ${endpoint.host}:${endpoint.port}: systemctl restart rsyslog`)
}

export async function runFleetSetup(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(args, FLEET_OPTIONS)
  if (!parsed.ok) return usageError('setup', parsed.problem)
  const values = parsed.values
  if (parsed.help) {
    process.stdout.write(FLEET_USAGE)
    return 0
  }
  if ((values.forward !== undefined) === (values.central === true)) return usageError('setup', 'give one of --forward HOST[:PORT] and --central')
  const senderOnly = ['dir', 'reader-group', 'rsyslog-workdir', 'systemd-dir', 'sbin-dir'] as const
  const centralOnly = ['listen', 'archive', 'db', 'db-file', 'no-schema'] as const
  for (const name of values.central === true ? senderOnly : centralOnly) {
    if (values[name] !== undefined) return usageError('setup', `--${name} goes with ${values.central === true ? '--forward' : '--central'}`)
  }
  if (values.central === true && resolveDbUrl({ db: values.db, dbFile: values['db-file'] }) === undefined) {
    return usageError('setup', '--central needs the database URL postgresql://USER[:PASSWORD]@HOST[:PORT]/DB: in DS01_EVENTS_DB, or in a file (--db-file PATH)')
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write('ds01-events setup: must run as root (it sets ACLs on the log directory and installs rsyslog configs).\n' +
      `Run: sudo ds01-events setup ${maskSecrets(args.join(' '))}\n`)
    return 1
  }
  const rsyslogDir = values['rsyslog-dir'] ?? '/etc/rsyslog.d'
  try {
    requireSafePath('rsyslog-dir', rsyslogDir)
    if (values.forward !== undefined) {
      setupForward({
        target: values.forward,
        dir: values.dir ?? DEFAULT_LOG_DIR,
        rsyslogDir,
        readerGroup: values['reader-group'] ?? 'adm',
        workDir: values['rsyslog-workdir'] ?? '/var/spool/rsyslog',
        systemdDir: values['systemd-dir'] ?? '/etc/systemd/system',
        sbinDir: values['sbin-dir'] ?? '/usr/local/sbin'
      })
    } else {
      const resolved = resolveDbUrl({ db: values.db, dbFile: values['db-file'] })
      if (resolved !== undefined && !resolved.ok) throw new SetupError(resolved.problem)
      if (resolved?.from === '--db' && holdsPassword(resolved.url)) say(`warning: ${ARGV_PASSWORD_WARNING}`)
      await setupCentral(resolved?.url, values.listen ?? `0.0.0.0:${DEFAULT_PORT}`,
        values.archive ?? '/var/log/ds01-fleet', rsyslogDir, values['no-schema'] !== true)
    }
  } catch (err) {
    process.stderr.write(maskSecrets(`ds01-events setup: ${err instanceof Error ? err.message : String(err)}\n`))
    return 1
  }
  return 0
}
