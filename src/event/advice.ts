// What a failed write means and what to do about it, for the warning. Runs
// only on a failure (and the warning is rate-limited), so it may look around:
// who owns the file, whether this process is in that group.
import { readFileSync, statSync, type Stats } from 'node:fs'
import { userInfo } from 'node:os'
import { basename, dirname, join, sep } from 'node:path'
import { DEFAULT_GPU_UTILIZATION_FILE, resolveGpuUtilizationFile } from '../common/index.js'
import type { WriteError } from '../writer/index.js'
import { DEPLOYED_DIR, NOT_SET_UP } from './setup-guard.js'

/**
 * Where else to log, named by the setting that moves this log: the GPU sample
 * log has its own (DS01_GPU_UTILIZATION_FILE, or the agent's --file), and
 * DS01_EVENTS_FILE changes nothing there.
 */
function elsewhere(path: string): string {
  const gpuLog = path === resolveGpuUtilizationFile() || basename(path) === basename(DEFAULT_GPU_UTILIZATION_FILE)
  return gpuLog
    ? 'or log elsewhere: DS01_GPU_UTILIZATION_FILE=$HOME/gpu-utilization.jsonl (the agent: ds01-events gpu-monitor --file PATH)'
    : 'or log elsewhere: DS01_EVENTS_FILE=$HOME/events.jsonl'
}

function envFor(path: string): string {
  return elsewhere(path).includes('DS01_GPU_UTILIZATION_FILE') ? 'DS01_GPU_UTILIZATION_FILE (or gpu-monitor --file)' : 'DS01_EVENTS_FILE'
}

/** The setup command as it runs here: installed, `ds01-events`; in a clone, its bin/ by path. */
export function setupCommand(): string {
  const root = join(__dirname, '..', '..')
  if (root.split(sep).includes('node_modules')) return 'sudo ds01-events setup'
  return `sudo node ${join(root, 'bin', 'ds01-events.js')} setup`
}

function prepare(): string {
  return `prepare the host: ${setupCommand()}`
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path)
  } catch {
    return undefined
  }
}

/** The group's name and members from /etc/group (enough for advice; NSS groups show as a number). */
function groupEntry(gid: number): { name: string; members: string[] } {
  try {
    for (const line of readFileSync('/etc/group', 'utf8').split('\n')) {
      const [name, , id, members] = line.split(':')
      if (Number(id) === gid && name !== undefined) return { name, members: (members ?? '').split(',').filter(Boolean) }
    }
  } catch {
    // no /etc/group: the number will do
  }
  return { name: String(gid), members: [] }
}

function userName(): string {
  try {
    return userInfo().username
  } catch {
    return ''
  }
}

/**
 * EACCES/EPERM: the file (or, when it is missing, its directory) says which
 * case this is. Not writable by its group: the layout is wrong, setup repairs
 * it. Writable by a group this process is in: some other cause (an ACL, a
 * read-only bind mount). A group the user joined after logging in: log in
 * again. Otherwise: join that group.
 */
function permissionAdvice(path: string): string {
  const file = statOrUndefined(path)
  const where = file !== undefined ? path : dirname(path)
  const target = file ?? statOrUndefined(where)
  if (target === undefined) return `${where} cannot be reached (a parent directory is not searchable); ${prepare()}; ${elsewhere(path)}`
  const group = groupEntry(target.gid)
  const layout = `${where} is ${target.uid === 0 ? 'root' : target.uid}:${group.name} ${(target.mode & 0o7777).toString(8).padStart(4, '0')}`
  if (target.gid === 0 || (target.mode & 0o020) === 0) return `${layout}, not writable by a group: ${prepare()}; ${elsewhere(path)}`
  const groups = process.getgroups?.() ?? []
  if (groups.includes(target.gid) || process.getegid?.() === target.gid) {
    return `${layout} and you are in ${group.name}: check ACLs and read-only mounts; ${prepare()}`
  }
  const user = userName()
  if (user !== '' && group.members.includes(user)) {
    return `${layout}: you were added to ${group.name} after this session started: log in again (or run: newgrp ${group.name})`
  }
  return `join the ${group.name} group: sudo usermod -aG ${group.name} $USER, then log in again; ${elsewhere(path)}`
}

export function writeFailureAdvice(error: WriteError, path: string): string {
  switch (error.code) {
    case NOT_SET_UP:
      return `run setup first: ${setupCommand()} (it creates ${DEPLOYED_DIR} for the docker group); ${elsewhere(path)}`
    case 'EACCES':
    case 'EPERM':
      return permissionAdvice(path)
    case 'ENOENT':
    case 'ENOTDIR':
      return `${dirname(path)} cannot be created here; ${prepare()}; ${elsewhere(path)}`
    case 'ENOSPC':
    case 'EDQUOT':
      return `free space on the filesystem of ${dirname(path)} (df -h ${dirname(path)})`
    case 'EROFS':
      return `the filesystem is read-only; set ${envFor(path)} to a writable path`
    case 'ENOTREGULAR':
    case 'ELOOP':
    case 'EISDIR':
      return `${path} must be a regular file; remove what is there, then ${prepare()}`
    case 'EHARDLINK':
      return `${path} is a hardlink (someone linked another file there?): check what it is (ls -li ${path}), move it away, then ${prepare()}`
    case 'EMFILE':
    case 'ENFILE':
      return 'the process or system is out of file descriptors'
    case 'ECLOSED':
      return 'this event log was closed; log through an open one'
    default:
      return 'events are lost until this is fixed'
  }
}

export function writeFailureWarning(error: WriteError, path: string, lost: number): string {
  const what = lost === 1 ? '1 event' : `${lost} events`
  return `ds01-events: could not write ${what} to ${path} (${error.code}: ${error.message}): ${writeFailureAdvice(error, path)}`
}
