// `ds01-events setup`: prepares a host so that members of one group (docker)
// can log and nobody else can, and the logs rotate without loss. Idempotent:
// each step checks and repairs, and says what it did.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { DEFAULT_EVENTS_FILE, DEFAULT_GPU_UTILIZATION_FILE, parseCommandArgs } from '../common/index.js'
import { runHelp, usageError } from './help.js'
import { installWasteJob } from './setup-waste.js'

const DEFAULT_DIR = dirname(DEFAULT_EVENTS_FILE)
const LOG_FILES = [basename(DEFAULT_EVENTS_FILE), basename(DEFAULT_GPU_UTILIZATION_FILE)]
const DIR_MODE = 0o2775
const FILE_MODE = 0o660 // the spec: members of the group read and log, nobody else
const PACKAGE_ROOT = join(__dirname, '..', '..')
const LOGROTATE_TEMPLATE = join(PACKAGE_ROOT, 'deploy', 'logrotate.d', 'ds01')
const CRON_TEMPLATE = join(PACKAGE_ROOT, 'deploy', 'cron.hourly', 'ds01-logrotate')
const { O_RDONLY, O_WRONLY, O_APPEND, O_CREAT, O_NOFOLLOW, O_NONBLOCK, O_DIRECTORY } = fs.constants

export const SETUP_OPTIONS = {
  dir: { type: 'string' },
  group: { type: 'string' },
  'logrotate-dir': { type: 'string' },
  'cron-dir': { type: 'string' },
  'no-cron': { type: 'boolean' },
  exporter: { type: 'boolean' },
  'systemd-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' }
} as const

/** A failure that stops setup; its message says what to do. */
export class SetupError extends Error {}

export function say(message: string): void {
  process.stdout.write(`setup: ${message}\n`)
}

function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0')
}

/** The group's id, through NSS (getent) so LDAP groups count; /etc/group where getent is missing. */
export function lookupGroup(name: string): number | undefined {
  try {
    const line = execFileSync('getent', ['group', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    const gid = Number(line.split(':')[2])
    return Number.isInteger(gid) ? gid : undefined
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return undefined // getent ran: no such group
  }
  const entry = fs.readFileSync('/etc/group', 'utf8').split('\n').find((line) => line.split(':')[0] === name)
  return entry === undefined ? undefined : Number(entry.split(':')[2])
}

/** Owner and mode of an open descriptor, fixed when different; says what changed. */
function repair(fd: number, path: string, uid: number, gid: number, mode: number, group: string, created: boolean): void {
  const before = fs.fstatSync(fd)
  const changes: string[] = []
  if (before.uid !== uid || before.gid !== gid) {
    fs.fchownSync(fd, uid, gid)
    changes.push(`owner ${before.uid}:${before.gid} -> root:${group}`)
  }
  // chown clears setgid on some systems: set the mode after it, always checked
  if ((fs.fstatSync(fd).mode & 0o7777) !== mode) {
    fs.fchmodSync(fd, mode)
    changes.push(`mode ${octal(before.mode)} -> ${octal(mode)}`)
  }
  if (created) say(`${path}: created, root:${group} ${octal(mode)}`)
  else if (changes.length > 0) say(`${path}: fixed (${changes.join(', ')})`)
  else say(`${path}: ok, root:${group} ${octal(mode)}`)
}

function prepareDirectory(dir: string, gid: number, group: string): void {
  const existing = fs.lstatSync(dir, { throwIfNoEntry: false })
  if (existing !== undefined && !existing.isDirectory()) {
    throw new SetupError(`${dir} exists and is not a directory${existing.isSymbolicLink() ? ' (a symbolic link, not followed)' : ''}; move it away and run setup again`)
  }
  if (existing === undefined) fs.mkdirSync(dir, { recursive: true, mode: 0o755 })
  const fd = fs.openSync(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW)
  try {
    repair(fd, dir, 0, gid, DIR_MODE, group, existing === undefined)
  } finally {
    fs.closeSync(fd)
  }
}

/** A hardlink: another name for some file, perhaps not ours. logrotate refuses these too. */
function hardlinkError(path: string, links: number): SetupError {
  return new SetupError(`${path} has ${links} links (a hardlink: another name for a file that may not be a log); ` +
    'nothing was changed. Check it (ls -li, find / -samefile), move it away and run setup again')
}

/**
 * Refuses, before anything is changed, a log file that is not a regular file
 * with one link: setup would otherwise chown and chmod whatever a group member
 * linked there. prepareFile checks again on the open descriptor (the race).
 */
function checkLogFile(path: string): void {
  const st = fs.lstatSync(path, { throwIfNoEntry: false })
  if (st === undefined) return
  if (st.isSymbolicLink()) throw new SetupError(`${path} is a symbolic link (not followed); remove it and run setup again`)
  if (!st.isFile()) throw new SetupError(`${path} is not a regular file; remove it and run setup again`)
  if (st.nlink > 1) throw hardlinkError(path, st.nlink)
}

function prepareFile(path: string, gid: number, group: string): void {
  const existed = fs.lstatSync(path, { throwIfNoEntry: false }) !== undefined
  let fd: number
  try {
    // never truncates, never follows a link, never blocks on a FIFO
    fd = fs.openSync(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK, FILE_MODE)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ELOOP') throw new SetupError(`${path} is a symbolic link (not followed); remove it and run setup again`)
    if (code === 'ENXIO') throw new SetupError(`${path} is a FIFO or socket, not a log file; remove it and run setup again`)
    throw err
  }
  try {
    const st = fs.fstatSync(fd)
    if (!st.isFile()) throw new SetupError(`${path} is not a regular file; remove it and run setup again`)
    if (st.nlink > 1) throw hardlinkError(path, st.nlink)
    repair(fd, path, 0, gid, FILE_MODE, group, !existed)
  } finally {
    fs.closeSync(fd)
  }
}

/** Writes `content` to `path` (root:root, `mode`) by rename, unless it is there already. */
export function installFile(path: string, content: string, mode: number): void {
  fs.mkdirSync(dirname(path), { recursive: true, mode: 0o755 })
  const current = fs.lstatSync(path, { throwIfNoEntry: false })
  const same = current !== undefined && current.isFile() && fs.readFileSync(path, 'utf8') === content
  if (same && (current.mode & 0o7777) === mode && current.uid === 0 && current.gid === 0) {
    say(`${path}: ok`)
    return
  }
  // a '~' suffix: skipped by logrotate's include and by run-parts while it exists
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}~`)
  fs.writeFileSync(temporary, content, { mode })
  fs.chownSync(temporary, 0, 0)
  fs.chmodSync(temporary, mode)
  fs.renameSync(temporary, path)
  say(`${path}: ${current === undefined ? 'installed' : same ? 'fixed owner/mode' : 'updated'}`)
}

/** The shipped logrotate config, for this directory and group. */
export function renderLogrotateConfig(template: string, dir: string, group: string): string {
  return template
    .split(`${DEFAULT_DIR}/`).join(`${dir.replace(/\/+$/, '')}/`)
    .replace(/^(\s*su\s+root\s+)docker\s*$/gm, `$1${group}`)
    .replace(/^(\s*create\s+0660\s+root\s+)docker\s*$/gm, `$1${group}`)
}

export function runSetup(args: string[]): number {
  const parsed = parseCommandArgs(args, SETUP_OPTIONS)
  if (!parsed.ok) return usageError('setup', parsed.problem)
  if (parsed.help) return runHelp(['setup'])
  const values = parsed.values
  for (const name of ['dir', 'group', 'logrotate-dir', 'cron-dir', 'systemd-dir'] as const) {
    if (values[name] === '') return usageError('setup', `--${name} needs a value`)
  }
  if (values['no-cron'] === true && values['cron-dir'] !== undefined) return usageError('setup', '--cron-dir and --no-cron contradict each other')
  const dir = values.dir ?? DEFAULT_DIR
  const group = values.group ?? 'docker'
  const logrotateDir = values['logrotate-dir'] ?? '/etc/logrotate.d'
  const cronDir = values['no-cron'] === true ? undefined : (values['cron-dir'] ?? '/etc/cron.hourly')

  if (process.getuid?.() !== 0) {
    process.stderr.write('ds01-events setup: must run as root (it sets owners and modes of the log directory and installs /etc files).\n' +
      'Run: sudo ds01-events setup\n')
    return 1
  }
  const gid = lookupGroup(group)
  if (gid === undefined) {
    process.stderr.write(`ds01-events setup: group '${group}' does not exist.\n` +
      `Install Docker (it creates the docker group) or create it with: groupadd ${group}\n` +
      'then run setup again; or pass --group NAME for another group.\n')
    return 1
  }
  try {
    for (const name of LOG_FILES) checkLogFile(join(dir, name))
    prepareDirectory(dir, gid, group)
    for (const name of LOG_FILES) prepareFile(join(dir, name), gid, group)
    const config = renderLogrotateConfig(fs.readFileSync(LOGROTATE_TEMPLATE, 'utf8'), dir, group)
    const configPath = join(logrotateDir, 'ds01')
    installFile(configPath, config, 0o644)
    installCron(cronDir, values['cron-dir'] !== undefined, configPath)
    if (values.exporter === true) installExporterUnit(values['systemd-dir'] ?? '/etc/systemd/system', values['systemd-dir'] === undefined)
    // gpu waste every 30 min (setup-waste.ts)
    installWasteJob({ cronDir, explicitCron: values['cron-dir'] !== undefined, systemdDir: values['systemd-dir'], logDir: dir }, { installFile, say })
  } catch (err) {
    const message = err instanceof SetupError ? err.message : (err instanceof Error ? err.message : String(err))
    process.stderr.write(`ds01-events setup: ${message}\n`)
    return 1
  }
  say(`done. Members of '${group}' can log; add a user with: usermod -aG ${group} USER (effective at their next login)`)
  return 0
}

function installCron(cronDir: string | undefined, explicit: boolean, configPath: string): void {
  if (cronDir === undefined) return
  if (!explicit && !fs.existsSync(cronDir)) {
    say(`${cronDir} does not exist (no cron here): run 'logrotate ${configPath}' hourly another way (a systemd timer), so that maxsize takes effect`)
    return
  }
  const script = fs.readFileSync(CRON_TEMPLATE, 'utf8').split('/etc/logrotate.d/ds01').join(configPath)
  installFile(join(cronDir, 'ds01-logrotate'), script, 0o755)
}

/** `--exporter`: the exporter's unit (its own user in the docker group, read-only logs: docs/exporter.md). */
function installExporterUnit(unitDir: string, live: boolean): void {
  const unit = fs.readFileSync(join(PACKAGE_ROOT, 'deploy', 'systemd', 'ds01-events-exporter.service'), 'utf8')
  installFile(join(unitDir, 'ds01-events-exporter.service'), unit, 0o644)
  if (live) {
    try {
      execFileSync('systemctl', ['daemon-reload'], { stdio: 'ignore' })
    } catch {
      // no systemd here: the note below says what to run
    }
  }
  say('start the exporter: systemctl enable --now ds01-events-exporter (metrics at http://127.0.0.1:19101/metrics)')
}
