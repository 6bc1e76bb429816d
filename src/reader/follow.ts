// --follow: tails the current file across rotations, like `tail -F`, and
// finds what it skipped. Two rotations within one poll (or a consumer that
// stopped reading for a while) move a file it never opened out of its way:
// after each rotation every generation name is looked at, and a file whose
// inode it has not seen is read: a plain one from its start; a .gz unless its
// content is that of a file already read (it was compressed since).
import { promises as fsp, type Stats } from 'node:fs'
import { dirname } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { namedGenerations } from './generations.js'
import { openMemberFile, type Member } from './snapshot.js'
import { fingerprint, FINGERPRINT_BYTES, headBytes, identify, type FileIdentity } from './cursor.js'
import { scanRange, type ScanEnd } from './file-source.js'
import { readMember, type Reading } from './read-member.js'

/** After a rotation, the renamed file is still read this long (a writer may finish its line there). */
const RENAMED_GRACE_MS = 2000

export interface Open {
  handle: fsp.FileHandle
  ino: number
  dev: number
  position: number
  id?: FileIdentity
}

async function pathStat(path: string): Promise<Stats | null> {
  try {
    return await fsp.stat(path)
  } catch {
    return null
  }
}

async function openCurrent(path: string): Promise<Open | null> {
  const opened = await openMemberFile(path)
  if (!('handle' in opened)) return null // not there yet (rotated away, not yet re-created), or refused
  return { handle: opened.handle, ino: opened.ino, dev: opened.dev, position: 0 }
}

/** Whether `head` (a file's first bytes) starts as one of the files already read. */
function readBefore(head: Buffer, heads: FileIdentity[]): boolean {
  return heads.some((h) => h.fpLen > 0 && head.length >= h.fpLen && fingerprint(head.subarray(0, h.fpLen)) === h.fp)
}

export async function * follow(r: Reading, start: Open | null, known: Set<string>, members: Member[]): AsyncGenerator<void> {
  const o = r.o
  const state = r.state
  let current = start
  let renamed: Array<{ file: Open, until: number }> = []
  const pollMs = o.pollMs ?? 200
  // the contents of the files there at the start: a .gz that starts as one of them is a compressed copy
  const heads: FileIdentity[] = []
  const idOf = async (f: Open): Promise<FileIdentity> => identify(f.handle, false, f.dev, f.ino)
  for (const m of members) {
    if (m.gen.gz) continue
    const opened = await openMemberFile(m.gen.path)
    if (!('handle' in opened)) continue
    try {
      if (opened.dev === m.dev && opened.ino === m.ino) heads.push(await identify(opened.handle, false, m.dev, m.ino))
    } finally {
      await opened.handle.close()
    }
  }
  if (current !== null) current.id = await idOf(current)

  const readNew = async function * (file: Open): AsyncGenerator<void> {
    if (o.progress !== undefined) {
      // the fingerprint grows with the file up to its bound
      if (file.id === undefined || (file.id.fpLen < FINGERPRINT_BYTES && (await file.handle.stat()).size > file.id.fpLen)) file.id = await idOf(file)
      o.progress.file = file.id
    }
    const end: ScanEnd = { position: file.position, pastUntil: false }
    yield * scanRange(file.handle, file.position, state, end)
    file.position = end.position
  }

  /** Every generation name whose file it has not seen, oldest first: read, or said lost. */
  const catchUp = async function * (): AsyncGenerator<void> {
    let names: string[]
    try {
      names = await fsp.readdir(dirname(o.path))
    } catch {
      return
    }
    const { numbered, dated } = namedGenerations(o.path, names)
    for (const g of [...dated, ...numbered]) {
      let st
      try {
        st = await fsp.lstat(g.path)
      } catch {
        continue
      }
      const key = `${st.dev}:${st.ino}`
      if (known.has(key)) continue
      known.add(key)
      const opened = await openMemberFile(g.path)
      if ('refused' in opened) { r.warn(opened.refused); continue }
      if ('error' in opened) { r.gap(`${g.path}: ${String((opened.error as Error).message)}: not read, its events are missing`); continue }
      let head: Buffer
      try {
        head = await headBytes(opened.handle, g.gz, FINGERPRINT_BYTES)
      } catch {
        head = Buffer.alloc(0)
      }
      if (readBefore(head, heads)) {
        await opened.handle.close()
        continue
      }
      const m: Member = { gen: { path: g.path, gz: g.gz, index: -1 }, dev: opened.dev, ino: opened.ino, handle: opened.handle }
      const res = yield * readMember(r, m, 0, !g.gz)
      if (res.handle !== null) {
        const file: Open = { handle: res.handle, dev: m.dev, ino: m.ino, position: res.position }
        file.id = await idOf(file)
        heads.push(file.id)
        renamed.push({ file, until: Date.now() + RENAMED_GRACE_MS })
      }
    }
  }

  o.onCaughtUp?.()
  try {
    while (o.signal?.aborted !== true) {
      try {
        await sleep(pollMs, undefined, { signal: o.signal })
      } catch {
        return // aborted
      }
      const now = Date.now()
      const still: typeof renamed = []
      for (const rf of renamed) {
        yield * readNew(rf.file)
        if (now > rf.until) {
          if ((await rf.file.handle.stat()).size > rf.file.position) state.skips.torn++
          await rf.file.handle.close()
        } else {
          still.push(rf)
        }
      }
      renamed = still
      if (current !== null) {
        yield * readNew(current)
        const st = await pathStat(o.path)
        if (st === null || st.ino !== current.ino || st.dev !== current.dev) {
          if (st !== null || (await current.handle.stat()).nlink === 0) {
            // rotated: the old file was read to its end just above; it is read a while
            // longer (a writer may still finish a line there) while the new one is read
            yield * readNew(current)
            current.id = await idOf(current)
            heads.push(current.id)
            renamed.push({ file: current, until: Date.now() + RENAMED_GRACE_MS })
            current = null
            yield * catchUp()
          }
        } else if (st.size < current.position) {
          current.position = 0 // truncated (copytruncate): start over, as tail -F does
        }
      }
      if (current === null) {
        current = await openCurrent(o.path)
        if (current !== null) {
          known.add(`${current.dev}:${current.ino}`)
          yield * readNew(current)
        }
      }
    }
  } finally {
    if (current !== null) await current.handle.close()
    for (const rf of renamed) await rf.file.handle.close()
  }
}
