// Finding a position's file again among a snapshot's members: by device,
// inode and fingerprint, or, once logrotate has compressed it into a new file,
// by the fingerprint of the decompressed content alone.
import type { promises as fsp } from 'node:fs'
import { sameContent, type Position } from './cursor.js'
import { reopenMember, type Member } from './snapshot.js'

async function holds(m: Member, p: Position, current: string): Promise<boolean> {
  let handle: fsp.FileHandle | null = m.handle
  let opened = false
  if (handle === null) {
    const found = await reopenMember(m, current)
    if (found === null || 'error' in found) return false
    handle = found.handle
    opened = true
  }
  try {
    return await sameContent(handle, m.gen.gz, p.file)
  } catch {
    return false
  } finally {
    if (opened) await handle.close().catch(() => undefined)
  }
}

/** The index of the member holding p's file, newest first; null when none does. */
export async function locate(members: Member[], p: Position, current: string): Promise<number | null> {
  // the same file (device and inode), still holding what it held
  for (let i = members.length - 1; i >= 0; i--) {
    const m = members[i]
    if (m.dev === p.file.dev && m.ino === p.file.ino && await holds(m, p, current)) return i
  }
  // compressed since (a new inode): the same content (an empty head says nothing of content)
  if (p.file.fpLen === 0) return null
  for (let i = members.length - 1; i >= 0; i--) {
    const m = members[i]
    if (!(m.dev === p.file.dev && m.ino === p.file.ino) && await holds(m, p, current)) return i
  }
  return null
}
