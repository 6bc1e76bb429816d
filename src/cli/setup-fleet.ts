// `ds01-events setup --forward HOST[:PORT] --tls-bundle DIR` (every GPU host) and
// `ds01-events setup --central --db-file PATH` (the central host, with
// --add-host/--revoke-host for the hosts' certificates): install the shipped
// rsyslog configs (deploy/rsyslog/) and, on the central host, the PostgreSQL
// schema (deploy/postgresql/) and the fleet's CA. Idempotent, like `setup`.
import { parseCommandArgs } from '../common/index.js'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import { join } from 'node:path'
import { ARGV_PASSWORD_WARNING, holdsPassword, maskSecrets, resolveDbUrl } from '../fleet/index.js'
import { usageError } from './help.js'
import { installFile, lookupGroup, say, SetupError } from './setup.js'
import { setupCentral } from './setup-fleet-central.js'
import { DEFAULT_LOG_DIR, DEFAULT_PORT, parseEndpoint, renderForwardConfig, requireSafePath, rsyslogCheck, rsyslogUser } from './setup-fleet-common.js'
import { BUNDLE_FILES, HOST_NAME } from './setup-fleet-pki.js'

const PACKAGE_ROOT = join(__dirname, '..', '..')
export const FORWARD_TEMPLATE = join(PACKAGE_ROOT, 'deploy', 'rsyslog', 'ds01-forward.conf')
export const STATE_CLEAN_SCRIPT = join(PACKAGE_ROOT, 'deploy', 'rsyslog', 'ds01-imfile-state-clean')
const FORWARD_CONF = '60-ds01-forward.conf'
export const DEFAULT_TLS_DIR = '/etc/ds01-events/tls'
export const DEFAULT_PKI_DIR = '/etc/ds01-events/fleet-ca'
export const DEFAULT_ARCHIVE = '/var/log/ds01-fleet'

export const FLEET_OPTIONS = {
  forward: { type: 'string' },
  central: { type: 'boolean' },
  dir: { type: 'string' },
  'rsyslog-dir': { type: 'string' },
  'reader-group': { type: 'string' },
  'rsyslog-workdir': { type: 'string' },
  'systemd-dir': { type: 'string' },
  'sbin-dir': { type: 'string' },
  'tls-bundle': { type: 'string' },
  'tls-dir': { type: 'string' },
  'rsyslog-user': { type: 'string' },
  listen: { type: 'string' },
  'pki-dir': { type: 'string' },
  name: { type: 'string' },
  'add-host': { type: 'string' },
  'revoke-host': { type: 'string' },
  'logrotate-dir': { type: 'string' },
  archive: { type: 'string' },
  db: { type: 'string' },
  'db-file': { type: 'string' },
  'no-schema': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' }
} as const

export const FLEET_USAGE = `Usage:
  sudo ds01-events setup --forward CENTRAL[:PORT] --tls-bundle DIR [--dir DIR] [--reader-group NAME]
                         [--rsyslog-user USER] [--tls-dir DIR] [--rsyslog-dir DIR] [--rsyslog-workdir DIR]
                         [--systemd-dir DIR] [--sbin-dir DIR]
  sudo ds01-events setup --central --db-file PATH [--name CENTRAL] [--listen ADDR[:PORT]] [--archive DIR]
                         [--rsyslog-user USER] [--pki-dir DIR] [--rsyslog-dir DIR] [--logrotate-dir DIR] [--no-schema]
  sudo ds01-events setup --central --add-host NAME | --revoke-host NAME [--pki-dir DIR] [--rsyslog-dir DIR]

--forward (on every GPU host; run 'ds01-events setup' first):
  - a default ACL on DIR (default /var/log/ds01) and an ACL on its logs granting
    read to NAME (default adm, the group rsyslog runs with on Debian and Ubuntu),
    kept by the files logrotate and the writers create; nobody else gains access
  - the host's key and certificates from DIR (made by --add-host on the central
    host) in TLS_DIR (default ${DEFAULT_TLS_DIR}; the key 0400, owned by USER,
    the user rsyslogd runs as: default syslog where it exists, else root)
  - RSYSLOG_DIR/60-ds01-forward.conf (default /etc/rsyslog.d): follow the logs,
    send them over RELP with TLS to CENTRAL (the port --add-host gave)
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
  - a CA and the central's certificate (name CENTRAL, default this host's name)
    in PKI_DIR (default ${DEFAULT_PKI_DIR})
  - RSYSLOG_DIR/60-ds01-central.conf, mode 0600 (it holds the URL): archive to
    DIR/HOST/*.jsonl (default /var/log/ds01-fleet, owned by USER), insert into
    PostgreSQL; LOGROTATE_DIR/ds01-fleet rotates the archive
  - RSYSLOG_DIR/61-ds01-central-hosts.conf: one TLS listener per host on ADDR
    (default 0.0.0.0), ports PORT (default ${DEFAULT_PORT}) and up
--central --add-host NAME: a key and certificate for host NAME, its listener, and
  a bundle to copy to it; --revoke-host NAME: its listener goes, its certificate
  is accepted nowhere again.
Then restart rsyslog: systemctl restart rsyslog. See docs/fleet.md.
`

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

interface ForwardOptions {
  target: string, tlsBundle?: string, tlsDir: string, user?: string, dir: string, rsyslogDir: string,
  readerGroup: string, workDir: string, systemdDir: string, sbinDir: string
}

interface BundleInfo { host: string, peer: string, central: string, port: number }

/** Whether `json` is a bundle's fleet.json as 'setup --central --add-host' writes it (setup reads it, uninstall recognises its folder by it). */
export function isBundleInfo(json: unknown): json is BundleInfo {
  const j = json as Partial<BundleInfo> | null
  return typeof j === 'object' && j !== null && typeof j.central === 'string' && HOST_NAME.test(j.central) &&
    typeof j.peer === 'string' && /^[A-Za-z0-9.-]+$/.test(j.peer) && Number.isInteger(j.port)
}

/**
 * The host's key and certificates from the bundle --add-host made, in TLS_DIR:
 * the key readable by rsyslog's user alone. Without --tls-bundle, what an
 * earlier run installed.
 */
function installTls(o: ForwardOptions): BundleInfo {
  const uid = rsyslogUser(o.user)
  const info = join(o.tlsDir, 'fleet.json')
  if (o.tlsBundle !== undefined) {
    for (const name of BUNDLE_FILES) {
      if (!fs.existsSync(join(o.tlsBundle, name))) throw new SetupError(`--tls-bundle ${o.tlsBundle}: ${name} is missing (the folder 'setup --central --add-host NAME' made on the central host)`)
    }
    fs.mkdirSync(o.tlsDir, { recursive: true, mode: 0o755 })
    for (const [name, mode] of [['ca.pem', 0o644], ['cert.pem', 0o644], ['fleet.json', 0o644], ['key.pem', 0o400]] as const) {
      installFile(join(o.tlsDir, name), fs.readFileSync(join(o.tlsBundle, name), 'utf8'), mode)
    }
  } else if (!fs.existsSync(info)) {
    throw new SetupError(`--forward needs --tls-bundle DIR: run 'ds01-events setup --central --add-host ${'$(hostname)'}' on the central host and copy the folder it names here`)
  }
  // rsyslog opens the key after dropping its privileges
  fs.chownSync(join(o.tlsDir, 'key.pem'), uid.uid, uid.gid)
  fs.chmodSync(join(o.tlsDir, 'key.pem'), 0o400)
  say(`${join(o.tlsDir, 'key.pem')}: owner ${uid.name}, mode 0400`)
  const parsed: unknown = JSON.parse(fs.readFileSync(info, 'utf8'))
  if (!isBundleInfo(parsed)) throw new SetupError(`${info} is not a bundle of ours`)
  return parsed
}

function setupForward(o: ForwardOptions): void {
  const endpoint = parseEndpoint(o.target)
  if (typeof endpoint === 'string') throw new SetupError(`--forward ${endpoint}`)
  for (const [name, path] of [['dir', o.dir], ['rsyslog-workdir', o.workDir], ['sbin-dir', o.sbinDir], ['systemd-dir', o.systemdDir], ['tls-dir', o.tlsDir]]) requireSafePath(name, path)
  if (lookupGroup(o.readerGroup) === undefined) {
    throw new SetupError(`group '${o.readerGroup}' does not exist: pass --reader-group with the group rsyslog runs as (ps -o group= -C rsyslogd)`)
  }
  grantRead(o.dir, o.readerGroup)
  const bundle = installTls(o)
  // the port --add-host gave, unless CENTRAL:PORT names one
  const port = /:\d+$/.test(o.target) ? endpoint.port : bundle.port
  const config = renderForwardConfig(fs.readFileSync(FORWARD_TEMPLATE, 'utf8'), o.dir, { host: endpoint.host, port }, o.tlsDir, bundle.central)
  const path = join(o.rsyslogDir, FORWARD_CONF)
  installFile(path, config, 0o644)
  rsyslogCheck(path)
  const script = join(o.sbinDir, 'ds01-imfile-state-clean')
  installFile(script, fs.readFileSync(STATE_CLEAN_SCRIPT, 'utf8'), 0o755)
  installFile(join(o.systemdDir, 'rsyslog.service.d', 'ds01-events.conf'),
    '# Installed by `ds01-events setup --forward`: see ' + script + '\n' +
    `[Service]\nExecStartPre=${script} ${o.workDir} ${o.dir}\n`, 0o644)
  say(`done: this host sends as ${bundle.host} (certificate ${bundle.peer}). Restart rsyslog to start sending to ${endpoint.host}:${port}: systemctl daemon-reload && systemctl restart rsyslog`)
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
  const senderOnly = ['dir', 'reader-group', 'rsyslog-workdir', 'systemd-dir', 'sbin-dir', 'tls-bundle', 'tls-dir'] as const
  const centralOnly = ['listen', 'archive', 'db', 'db-file', 'no-schema', 'pki-dir', 'name', 'add-host', 'revoke-host', 'logrotate-dir'] as const
  for (const name of values.central === true ? senderOnly : centralOnly) {
    if (values[name] !== undefined) return usageError('setup', `--${name} goes with ${values.central === true ? '--forward' : '--central'}`)
  }
  if (values['add-host'] !== undefined && values['revoke-host'] !== undefined) return usageError('setup', 'give one of --add-host and --revoke-host')
  const hostsOnly = values['add-host'] !== undefined || values['revoke-host'] !== undefined
  if (values.central === true && !hostsOnly && resolveDbUrl({ db: values.db, dbFile: values['db-file'] }) === undefined) {
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
        tlsBundle: values['tls-bundle'],
        tlsDir: values['tls-dir'] ?? DEFAULT_TLS_DIR,
        user: values['rsyslog-user'],
        dir: values.dir ?? DEFAULT_LOG_DIR,
        rsyslogDir,
        readerGroup: values['reader-group'] ?? 'adm',
        workDir: values['rsyslog-workdir'] ?? '/var/spool/rsyslog',
        systemdDir: values['systemd-dir'] ?? '/etc/systemd/system',
        sbinDir: values['sbin-dir'] ?? '/usr/local/sbin'
      })
    } else {
      const resolved = hostsOnly ? undefined : resolveDbUrl({ db: values.db, dbFile: values['db-file'] })
      if (resolved !== undefined && !resolved.ok) throw new SetupError(resolved.problem)
      if (resolved?.from === '--db' && holdsPassword(resolved.url)) say(`warning: ${ARGV_PASSWORD_WARNING}`)
      await setupCentral({
        url: resolved?.url,
        listen: values.listen ?? `0.0.0.0:${DEFAULT_PORT}`,
        archive: values.archive ?? DEFAULT_ARCHIVE,
        rsyslogDir,
        pkiDir: values['pki-dir'] ?? DEFAULT_PKI_DIR,
        name: values.name,
        user: values['rsyslog-user'],
        logrotateDir: values['logrotate-dir'] ?? '/etc/logrotate.d',
        schema: values['no-schema'] !== true,
        addHost: values['add-host'],
        revokeHost: values['revoke-host']
      })
    }
  } catch (err) {
    process.stderr.write(maskSecrets(`ds01-events setup: ${err instanceof Error ? err.message : String(err)}\n`))
    return 1
  }
  return 0
}
