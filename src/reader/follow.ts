// --follow: tails the current file across rotations, like `tail -F`, and
// finds what it skipped. Two rotations within one poll (or a consumer that
// stopped reading for a while) move a file it never opened out of its way:
// after each rotation every generation name is looked at, and a file whose
// inode it has not seen is read: a plain one from its start; a .gz unless its
// content is that of a file already read (it was compressed since).
// One look (Follower.look) reads what is new; `follow` looks every pollMs.
import { promises as fsp, type Stats } from 'node:fs'
import { dirname } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { namedGenerations } from './generations.js'
import { openMemberFile, type Member } from './snapshot.js'
import { fingerprint, FINGERPRINT_BYTES, headBytes, identify, type FileIdentity } from './cursor.js'
import { scanRange, type ScanEnd } from './file-source.js'
import { readMember, type Reading } from './read-member.js'

/** After a rotation, the renamed file is still read this long (a writer may finish its line there). */
export const RENAMED_GRACE_MS = 2000

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

const idOf = async (f: Open): Promise<FileIdentity> => identify(f.handle, false, f.dev, f.ino)

/** Follows a log from where a read of it ended (the current file open at its position, and a renamed one still in its grace). */
export class Follower {
  private current: Open | null
  private renamed: Array<{ file: Open, until: number }> = []
  /** the contents of the files read: a .gz that starts as one of them is a compressed copy */
  private readonly heads: FileIdentity[] = []

  private constructor (private readonly r: Reading, start: Open | null, private readonly known: Set<string>) {
    this.current = start
  }

  /** `renamed`: rotated files (oldest first) kept open to be read in a grace, as after a rotation. */
  static async start (r: Reading, start: Open | null, renamed: Open[], known: Set<string>, members: Member[]): Promise<Follower> {
    const f = new Follower(r, start, known)
    for (const m of members) {
      if (m.gen.gz) continue
      const opened = await openMemberFile(m.gen.path)
      if (!('handle' in opened)) continue
      try {
        if (opened.dev === m.dev && opened.ino === m.ino) f.heads.push(await identify(opened.handle, false, m.dev, m.ino))
      } finally {
        await opened.handle.close()
      }
    }
    for (const file of renamed) {
      file.id = await idOf(file)
      f.renamed.push({ file, until: Date.now() + RENAMED_GRACE_MS })
    }
    if (start !== null) start.id = await idOf(start)
    return f
  }

  private async * readNew (file: Open): AsyncGenerator<void> {
    const progress = this.r.o.progress
    if (progress !== undefined) {
      // the fingerprint grows with the file up to its bound
      if (file.id === undefined || (file.id.fpLen < FINGERPRINT_BYTES && (await file.handle.stat()).size > file.id.fpLen)) file.id = await idOf(file)
      progress.reading(file.id, file.position)
    }
    const end: ScanEnd = { position: file.position, pastUntil: false }
    yield * scanRange(file.handle, file.position, this.r.state, end)
    file.position = end.position
  }

  /** Every generation name whose file it has not seen, oldest first: read, or said lost. */
  private async * catchUp (): AsyncGenerator<void> {
    const { o } = this.r
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
      if (this.known.has(key)) continue
      this.known.add(key)
      const opened = await openMemberFile(g.path)
      if ('refused' in opened) { this.r.warn(opened.refused); continue }
      if ('error' in opened) { this.r.gap(`${g.path}: ${String((opened.error as Error).message)}: not read, its events are missing`); continue }
      let head: Buffer
      try {
        head = await headBytes(opened.handle, g.gz, FINGERPRINT_BYTES)
      } catch {
        head = Buffer.alloc(0)
      }
      if (readBefore(head, this.heads)) {
        await opened.handle.close()
        continue
      }
      const m: Member = { gen: { path: g.path, gz: g.gz, index: -1 }, dev: opened.dev, ino: opened.ino, handle: opened.handle }
      const res = yield * readMember(this.r, m, 0, !g.gz)
      if (res.handle !== null) {
        const file: Open = { handle: res.handle, dev: m.dev, ino: m.ino, position: res.position }
        file.id = await idOf(file)
        this.heads.push(file.id)
        this.renamed.push({ file, until: Date.now() + RENAMED_GRACE_MS })
      }
    }
  }

  /** One look: new lines of the files being read, a rotation (and what it moved past), a new current file. */
  async * look (): AsyncGenerator<void> {
    const { o, state } = this.r
    const now = Date.now()
    const still: typeof this.renamed = []
    for (const rf of this.renamed) {
      yield * this.readNew(rf.file)
      if (now > rf.until) {
        if ((await rf.file.handle.stat()).size > rf.file.position) state.skips.torn++
        await rf.file.handle.close()
        o.progress?.closed(rf.file.dev, rf.file.ino, true)
      } else {
        still.push(rf)
      }
    }
    this.renamed = still
    const current = this.current
    if (current !== null) {
      yield * this.readNew(current)
      const st = await pathStat(o.path)
      if (st === null || st.ino !== current.ino || st.dev !== current.dev) {
        if (st !== null || (await current.handle.stat()).nlink === 0) {
          // rotated: the old file was read to its end just above; it is read a while
          // longer (a writer may still finish a line there) while the new one is read
          yield * this.readNew(current)
          current.id = await idOf(current)
          this.heads.push(current.id)
          this.renamed.push({ file: current, until: Date.now() + RENAMED_GRACE_MS })
          this.current = null
          yield * this.catchUp()
        }
      } else if (st.size < current.position) {
        // truncated (copytruncate): start over, as tail -F does (its fingerprint is of the new content)
        current.position = 0
        current.id = undefined
      }
    }
    if (this.current === null) {
      const opened = await openCurrent(o.path)
      if (opened !== null) {
        this.current = opened
        this.known.add(`${opened.dev}:${opened.ino}`)
        yield * this.readNew(opened)
      }
    }
  }

  async close (): Promise<void> {
    const current = this.current
    this.current = null
    if (current !== null) await current.handle.close().catch(() => undefined)
    for (const rf of this.renamed.splice(0)) await rf.file.handle.close().catch(() => undefined)
  }
}

/** Looks every pollMs until the signal aborts (or the consumer stops iterating). */
export async function * follow (r: Reading, start: Open | null, renamed: Open[], known: Set<string>, members: Member[]): AsyncGenerator<void> {
  const f = await Follower.start(r, start, renamed, known, members)
  const o = r.o
  const pollMs = o.pollMs ?? 200
  o.onCaughtUp?.()
  try {
    while (o.signal?.aborted !== true) {
      try {
        await sleep(pollMs, undefined, { signal: o.signal })
      } catch {
        return // aborted
      }
      yield * f.look()
    }
  } finally {
    await f.close()
  }
}
