// What a failed write means and what to do about it, for the warning.
import { dirname } from 'node:path'
import type { WriteError } from '../writer/index.js'

const SETUP = 'prepare the host: sudo ds01-events setup'

export function writeFailureAdvice(error: WriteError, path: string): string {
  switch (error.code) {
    case 'EACCES':
    case 'EPERM':
      return `join the docker group: sudo usermod -aG docker $USER, then log in again; or ${SETUP}`
    case 'ENOENT':
    case 'ENOTDIR':
      return `${dirname(path)} cannot be created here; ${SETUP}`
    case 'ENOSPC':
    case 'EDQUOT':
      return `free space on the filesystem of ${dirname(path)} (df -h ${dirname(path)})`
    case 'EROFS':
      return `the filesystem is read-only; set DS01_EVENTS_FILE to a writable path`
    case 'ENOTREGULAR':
    case 'ELOOP':
    case 'EISDIR':
      return `${path} must be a regular file; remove what is there, then ${SETUP}`
    case 'EHARDLINK':
      return `${path} is a hardlink (someone linked another file there?): check what it is (ls -li ${path}), move it away, then ${SETUP}`
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
