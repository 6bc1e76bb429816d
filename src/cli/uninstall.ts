// `ds01-events setup --uninstall`: the way back from setup and the GPU agent's
// unit. Removes what they installed (the unit, its drop-ins and enablement
// first, so nothing writes while the rest goes; then the logrotate config and
// the hourly job), keeps the logs unless --purge-logs. Idempotent: each step
// says what it removed or that there was nothing to remove. A file of ours is
// one that names ds01-events: someone else's file at the same path is kept.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { DEFAULT_EVENTS_FILE, DEFAULT_GPU_UTILIZATION_FILE, parseCommandArgs } from '../common/index.js'
import { runHelp, usageError } from './help.js'
import { WASTE_CRON, WASTE_SERVICE, WASTE_TIMER, wastePaths } from './setup-waste.js'
import { SETUP_OPTIONS } from './setup.js'
import { DEFAULT_ARCHIVE, DEFAULT_PKI_DIR, DEFAULT_TLS_DIR, FLEET_OPTIONS, isBundleInfo } from './setup-fleet.js'
import { BUNDLE_FILES, pkiPaths, registryTemp } from './setup-fleet-pki.js'
import { ARCHIVE_LOGROTATE } from './setup-fleet-central.js'

const DEFAULT_DIR = dirname(DEFAULT_EVENTS_FILE)
const SYSTEM_UNIT_DIR = '/etc/systemd/system'
const UNITS = ['ds01-gpu-monitor.service', 'ds01-events-exporter.service']
const MONITOR_USER = 'ds01-monitor'
const LOG_NAMES = [basename(DEFAULT_EVENTS_FILE), basename(DEFAULT_GPU_UTILIZATION_FILE)]

// Every option setup takes is accepted (a setup command line with --uninstall
// added works): the ones that say where setup put things are used, the others
// (--group, --no-cron, --forward HOST ...) change nothing here.
const UNINSTALL_OPTIONS = {
  ...SETUP_OPTIONS,
  ...FLEET_OPTIONS,
  uninstall: { type: 'boolean' },
  'purge-logs': { type: 'boolean' },
  dir: { type: 'string' },
  'logrotate-dir': { type: 'string' },
  'cron-dir': { type: 'string' },
  'systemd-dir': { type: 'string' },
  'rsyslog-dir': { type: 'string' },
  'sbin-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' }
} as const

function say(message: string): void {
  process.stdout.write(`uninstall: ${message}\n`)
}

/** 'ours' when `path` is a file that names ds01-events, 'missing', or 'foreign' (someone else's: kept). */
function ownership(path: string): 'ours' | 'missing' | 'foreign' {
  const st = fs.lstatSync(path, { throwIfNoEntry: false })
  if (st === undefined) return 'missing'
  return st.isFile() && fs.readFileSync(path, 'utf8').includes('ds01-events') ? 'ours' : 'foreign'
}

/** true when it removed the file; `optional`: say nothing when it is not there. */
function removeFile(path: string, optional = false): boolean {
  const owner = ownership(path)
  if (owner === 'missing') {
    if (!optional) say(`${path}: not installed`)
  }
  else if (owner === 'foreign') say(`${path}: kept (not installed by ds01-events: it does not name it)`)
  else {
    fs.rmSync(path)
    say(`${path}: removed`)
    return true
  }
  return false
}

interface FleetPaths {
  rsyslogDir: string, sbinDir: string, unitDir: string, live: boolean, logDir: string, readerGroup: string,
  pkiDir: string, tlsDir: string, logrotateDir: string, archive: string
}

/**
 * What `setup --forward` and `setup --central` (with --add-host) installed
 * (setup-fleet*.ts): the rsyslog configs, the imfile state cleaner and its
 * rsyslog drop-in, the archive's rotation, the fleet's CA folder (the CA, the
 * central's key and certificate, the registry, the hosts' bundles) and a
 * host's key and certificates. The central archive and the database hold
 * data: kept. rsyslog is restarted by the admin (it may carry other configs),
 * as setup says too. Only on fleet hosts: elsewhere nothing is said about them.
 */
function removeFleet(o: FleetPaths): void {
  const forwarded = removeFile(join(o.rsyslogDir, '60-ds01-forward.conf'), true)
  const central = removeFile(join(o.rsyslogDir, '60-ds01-central.conf'), true)
  const removed = [
    forwarded,
    central,
    removeFile(join(o.rsyslogDir, '61-ds01-central-hosts.conf'), true),
    removeFile(join(o.logrotateDir, basename(ARCHIVE_LOGROTATE)), true),
    removeFile(join(o.unitDir, 'rsyslog.service.d', 'ds01-events.conf'), true),
    removeFile(join(o.sbinDir, 'ds01-imfile-state-clean'), true),
    removePki(o.pkiDir),
    removeTls(o.tlsDir)
  ].some(Boolean)
  removeEmptyDir(join(o.unitDir, 'rsyslog.service.d'))
  for (const dir of new Set([dirname(o.pkiDir), dirname(o.tlsDir)])) {
    // /etc/ds01-events, made for the two folders above
    if (basename(dir) === 'ds01-events') removeEmptyDir(dir)
  }
  if (forwarded) revokeRead(o.logDir, o.readerGroup)
  if (central && fs.existsSync(o.archive)) say(`${o.archive}: kept, with the archive (the hosts' lines; remove it by hand), and so is the database`)
  if (removed && o.live) say('restart rsyslog to stop forwarding or receiving: systemctl daemon-reload && systemctl restart rsyslog')
}

/** The files of ours in `dir` (only these names), then `dir` once empty; true when it removed any. */
function removeNamed(dir: string, names: string[]): boolean {
  let any = false
  for (const name of names) {
    const path = join(dir, name)
    const st = fs.lstatSync(path, { throwIfNoEntry: false })
    if (st === undefined) continue
    if (!st.isFile()) {
      say(`${path}: kept (not a regular file)`)
      continue
    }
    fs.rmSync(path)
    any = true
  }
  const left = fs.readdirSync(dir)
  if (left.length === 0) fs.rmdirSync(dir)
  return any || left.length === 0
}

function readJson(path: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(fs.readFileSync(path, 'utf8'))
    return typeof value === 'object' && value !== null ? value as Record<string, unknown> : undefined
  } catch {
    return undefined
  }
}

/** A folder of ours is a directory holding `marker` as setup wrote it; anything else there is someone else's. */
function fleetDir(dir: string, marker: string, ours: (json: Record<string, unknown>) => boolean): boolean {
  const st = fs.lstatSync(dir, { throwIfNoEntry: false })
  if (st === undefined) return false
  const json = st.isDirectory() ? readJson(join(dir, marker)) : undefined
  if (json === undefined || !ours(json)) {
    say(`${dir}: kept (no ${marker} of ds01-events in it)`)
    return false
  }
  return true
}

/**
 * The fleet's CA folder (setup-fleet-pki.ts): the CA and its key, the
 * central's key and certificate, the registry, and a bundle per host (their
 * private keys). Files of other names, and the folders holding them, are kept.
 */
function removePki(dir: string): boolean {
  const { bundles, ...p } = pkiPaths(dir)
  if (!fleetDir(dir, basename(p.registry), (j) => typeof j.central === 'string' && Array.isArray(j.hosts))) return false
  let kept = 0
  if (fs.lstatSync(bundles, { throwIfNoEntry: false })?.isDirectory() === true) {
    for (const entry of fs.readdirSync(bundles, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue
      removeNamed(join(bundles, entry.name), [...BUNDLE_FILES])
    }
    kept = fs.readdirSync(bundles).length
    if (kept === 0) fs.rmdirSync(bundles)
  }
  const gone = removeNamed(dir, [p.ca, p.caKey, p.cert, p.key, p.registry, registryTemp(p.registry)].map((f) => basename(f)))
  if (!fs.existsSync(dir)) say(`${dir}: removed (the fleet's CA and its key, the central's certificate, the hosts' bundles)`)
  else say(`${dir}: the CA, the central's certificate and the bundles removed; kept the directory for what else is in it: ${fs.readdirSync(dir).join(', ')}${kept > 0 ? ` (and ${kept} in bundles/)` : ''}`)
  return gone
}

/** A GPU host's key and certificates (setup --forward --tls-bundle). */
function removeTls(dir: string): boolean {
  if (!fleetDir(dir, 'fleet.json', isBundleInfo)) return false
  const gone = removeNamed(dir, [...BUNDLE_FILES])
  if (!fs.existsSync(dir)) say(`${dir}: removed (this host's key and certificates)`)
  else say(`${dir}: this host's key and certificates removed; kept the directory for what else is in it: ${fs.readdirSync(dir).join(', ')}`)
  return gone
}

/** A directory setup made for a drop-in, once nothing is left in it (someone else's files keep it). */
function removeEmptyDir(path: string): void {
  const st = fs.lstatSync(path, { throwIfNoEntry: false })
  if (st?.isDirectory() !== true || fs.readdirSync(path).length > 0) return
  fs.rmdirSync(path)
  say(`${path}: removed (empty)`)
}

/**
 * The read ACLs setup --forward gave rsyslog's group (setup-fleet.ts grantRead)
 * on the log directory (its default ACL too) and the log files: removed, so
 * the modes are again what setup alone sets. Files only, never through a link.
 */
function revokeRead(dir: string, group: string): void {
  const st = fs.lstatSync(dir, { throwIfNoEntry: false })
  if (st?.isDirectory() !== true) return
  const acl = (args: string[]): boolean => {
    try {
      execFileSync('setfacl', args, { stdio: ['ignore', 'ignore', 'pipe'] })
      return true
    } catch {
      return false
    }
  }
  if (!acl(['-x', `g:${group}`, dir])) {
    say(`${dir}: could not remove the ACL group:${group} (setfacl missing or failed): setfacl -x g:${group} ${dir}`)
    return
  }
  acl(['-d', '-x', `g:${group}`, dir])
  // what is left of the default ACL (u::, g::, o::) only masks the umask: gone too
  acl(['-k', dir])
  const files = fs.readdirSync(dir).filter((name) => LOG_NAMES.some((log) => name === log || name.startsWith(`${log}.`)))
  for (const name of files) {
    const path = join(dir, name)
    const file = fs.lstatSync(path, { throwIfNoEntry: false })
    if (file?.isFile() === true && file.nlink === 1) acl(['-x', `g:${group}`, path])
  }
  say(`${dir}: ACL group:${group} removed from the directory (and its default ACL) and ${files.length} log files`)
}

function systemctl(args: string[]): boolean {
  try {
    execFileSync('systemctl', args, { stdio: ['ignore', 'ignore', 'pipe'] })
    return true
  } catch {
    return false
  }
}

/**
 * The unit: stopped and disabled by systemctl when it is the system's own unit
 * directory (with --systemd-dir, a test tree, only the files go), then the
 * file, its drop-ins (`systemctl edit`) and any enablement links by hand.
 */
function removeUnit(unitDir: string, live: boolean, unit: string, optional = false): void {
  const unitPath = join(unitDir, unit)
  const owner = ownership(unitPath)
  if (owner === 'missing' && optional && !fs.existsSync(`${unitPath}.d`)) return // (setup --exporter not used: nothing to say)
  if (owner === 'foreign') {
    say(`${unitPath}: kept, with its drop-ins and links (not installed by ds01-events: it does not name it)`)
    return
  }
  const ours = owner === 'ours'
  if (live && ours) {
    if (systemctl(['disable', '--now', unit])) say(`${unit}: stopped and disabled`)
    else say(`${unit}: systemctl disable --now failed or is missing; removing the files anyway`)
  }
  removeFile(unitPath)
  const dropIns = `${unitPath}.d`
  if (fs.existsSync(dropIns)) {
    fs.rmSync(dropIns, { recursive: true, force: true })
    say(`${dropIns}: removed`)
  }
  for (const entry of fs.readdirSync(unitDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || !entry.name.endsWith('.wants')) continue
    const link = join(unitDir, entry.name, unit)
    if (fs.lstatSync(link, { throwIfNoEntry: false })?.isSymbolicLink() === true) {
      fs.rmSync(link)
      say(`${link}: removed`)
    }
  }
  if (live && ours) systemctl(['daemon-reload'])
}

/** The GPU waste check's timer (stopped first when live), service and cron file, as setup-waste.ts put them. */
function removeWasteJob(unitDir: string, cronDir: string, live: boolean): void {
  const { cronD, unitDir: besideCron } = wastePaths(cronDir)
  if (live && ownership(join(unitDir, WASTE_TIMER)) === 'ours' && systemctl(['disable', '--now', WASTE_TIMER])) say(`${WASTE_TIMER}: stopped and disabled`)
  const removed: boolean[] = []
  for (const dir of new Set([unitDir, besideCron])) {
    removed.push(removeFile(join(dir, WASTE_TIMER), true), removeFile(join(dir, WASTE_SERVICE), true))
    const link = join(dir, 'timers.target.wants', WASTE_TIMER)
    if (fs.lstatSync(link, { throwIfNoEntry: false })?.isSymbolicLink() === true) {
      fs.rmSync(link)
      say(`${link}: removed`)
    }
  }
  removed.push(removeFile(join(cronD, WASTE_CRON), true))
  if (live && removed.some(Boolean)) systemctl(['daemon-reload'])
}

/** Our log files (rotated ones included: events.jsonl.1, .2.gz ...), then the directory if nothing else is in it. */
function purgeLogs(dir: string): void {
  const st = fs.lstatSync(dir, { throwIfNoEntry: false })
  if (st === undefined) {
    say(`${dir}: not there`)
    return
  }
  if (!st.isDirectory()) {
    say(`${dir}: kept (not a directory)`)
    return
  }
  const ours = fs.readdirSync(dir).filter((name) => LOG_NAMES.some((log) => name === log || name.startsWith(`${log}.`)))
  for (const name of ours) fs.rmSync(join(dir, name), { force: true })
  const left = fs.readdirSync(dir)
  if (left.length === 0) {
    fs.rmdirSync(dir)
    say(`${dir}: removed (${ours.length} log files)`)
  } else {
    say(`${dir}: ${ours.length} log files removed; kept the directory for what else is in it: ${left.join(', ')}`)
  }
}

function keptLogs(dir: string): void {
  if (!fs.existsSync(dir)) return
  say(`${dir}: kept, with the logs (run again with --purge-logs to remove them)`)
}

function monitorUserNote(): void {
  try {
    execFileSync('getent', ['passwd', MONITOR_USER], { stdio: 'ignore' })
    say(`the system user ${MONITOR_USER} is kept (it was created by hand): userdel ${MONITOR_USER}`)
  } catch {
    // no such user (or no getent): nothing to say
  }
}

export function runUninstall(args: string[]): number {
  const parsed = parseCommandArgs(args, UNINSTALL_OPTIONS)
  if (!parsed.ok) return usageError('uninstall', parsed.problem)
  if (parsed.help) return runHelp(['uninstall'])
  const values = parsed.values
  for (const name of ['dir', 'logrotate-dir', 'cron-dir', 'systemd-dir', 'rsyslog-dir', 'sbin-dir', 'pki-dir', 'tls-dir', 'archive'] as const) {
    if (values[name] === '') return usageError('uninstall', `--${name} needs a value`)
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write('ds01-events setup --uninstall: must run as root (it removes files under /etc).\n' +
      'Run: sudo ds01-events setup --uninstall\n')
    return 1
  }
  const dir = values.dir ?? DEFAULT_DIR
  const unitDir = values['systemd-dir'] ?? SYSTEM_UNIT_DIR
  try {
    if (fs.existsSync(unitDir)) for (const unit of UNITS) removeUnit(unitDir, values['systemd-dir'] === undefined, unit, unit !== UNITS[0])
    removeWasteJob(unitDir, values['cron-dir'] ?? '/etc/cron.hourly', values['systemd-dir'] === undefined)
    removeFile(join(values['logrotate-dir'] ?? '/etc/logrotate.d', 'ds01'))
    removeFile(join(values['cron-dir'] ?? '/etc/cron.hourly', 'ds01-logrotate'))
    removeFleet({
      rsyslogDir: values['rsyslog-dir'] ?? '/etc/rsyslog.d',
      sbinDir: values['sbin-dir'] ?? '/usr/local/sbin',
      unitDir,
      live: values['systemd-dir'] === undefined,
      logDir: dir,
      readerGroup: values['reader-group'] ?? 'adm',
      pkiDir: values['pki-dir'] ?? DEFAULT_PKI_DIR,
      tlsDir: values['tls-dir'] ?? DEFAULT_TLS_DIR,
      logrotateDir: values['logrotate-dir'] ?? '/etc/logrotate.d',
      archive: values.archive ?? DEFAULT_ARCHIVE
    })
    if (values['purge-logs'] === true) purgeLogs(dir)
    else keptLogs(dir)
    if (values['systemd-dir'] === undefined) monitorUserNote()
  } catch (err) {
    process.stderr.write(`ds01-events setup --uninstall: ${err instanceof Error ? err.message : String(err)}\n`)
    return 1
  }
  say('done')
  return 0
}
