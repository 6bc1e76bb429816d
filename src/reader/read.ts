// Drives the file source: the generations in range, oldest first, then (with
// follow) the current file as it grows, across rotations. Lines that pass the
// filter go to a sink; the generator yields after each chunk so a consumer
// can take what the sink collected (and stop us by returning).
// What is read is what the files held when the read started (see snapshot.ts):
// a rotation under a long read moves files, it does not change the answer.
// LogReading is the same read in steps, for a consumer that looks at the log
// on its own schedule (the exporter): start(), then look() as often as it likes.
import { LineScanner, type LineSink } from './scan.js'
import { DISORDER_SLACK_MS, generationsInRange, lastLineEnd, type ScanState } from './file-source.js'
import { releaseSnapshot, reopenMember, takeSnapshot, type Member } from './snapshot.js'
import { locate } from './resume.js'
import { follow, Follower, type Open } from './follow.js'
import { gunzipChunks } from './gunzip.js'
import { readMember, type DriveOptions, type Reading } from './read-member.js'
import type { Position } from './cursor.js'

export type { DriveOptions } from './read-member.js'

/** The content length of a member (a .gz decompressed), and the end of its last complete line (plain files). */
async function endOf(m: Member, current: string): Promise<number> {
  if (m.handle !== null) return lastLineEnd(m.handle, (await m.handle.stat()).size)
  // a .gz (never held open): its decompressed length
  const found = await reopenMember(m, current)
  if (found === null || 'error' in found) return 0 // gone: nothing of it is read
  try {
    let length = 0
    for await (const part of gunzipChunks(found.handle, (await found.handle.stat()).size, () => { /* what can be read is its content */ })) length += part.length
    return length
  } finally {
    await found.handle.close()
  }
}

/** A read of a log in steps: start() reads what is there (from the start, a position, or the end); with follow, look() reads what is new. */
export class LogReading {
  /** a line past --until ended the read */
  ended = false
  private readonly r: Reading
  private members: Member[] = []
  private current: Open | null = null
  private renamed: Open[] = []
  private follower: Follower | null = null
  private known = new Set<string>()

  constructor(private readonly o: DriveOptions) {
    const progress = o.progress
    const sunk = { last: -1 }
    const sink: LineSink = progress === undefined
      ? o.sink
      : (buf, start, end, fast, event) => {
          sunk.last = end
          o.sink(buf, start, end, fast, event)
        }
    const state: ScanState = { scanner: new LineScanner(o.filter, o.skips, sink, DISORDER_SLACK_MS), skips: o.skips, stopped: () => o.signal?.aborted === true, progress, sunk }
    this.r = { o, state, gap: (message) => o.onGap?.(message), warn: (message) => o.onWarning?.(message) }
  }

  /** Where each member read starts: after `o.after`, at the end (`o.fromEnd`), or at 0. */
  private async starts(members: Member[]): Promise<{ members: Member[], from: Map<Member, number> }> {
    const o = this.o
    const from = new Map<Member, number>()
    const after: readonly Position[] = o.after === undefined ? [] : Array.isArray(o.after) ? o.after : [o.after as Position]
    let atEnd = o.fromEnd === true
    if (!atEnd && after.length > 0) {
      const found = await locate(members, after[0], o.path)
      if (found === null) {
        if (o.onLost === undefined) {
          this.r.gap('the cursor\'s file is no longer there (rotated out of retention, or replaced): everything there is now was read, and events between the cursor and the oldest generation left may be missing')
          return { members, from }
        }
        o.onLost(after[0])
        atEnd = true
      } else {
        members = members.slice(found)
        from.set(members[0], after[0].offset)
        // the other files being read when the position was taken (newer ones), each from its own offset
        let at = 0
        for (const p of after.slice(1)) {
          const next = await locate(members.slice(at + 1), p, o.path)
          if (next === null) continue // gone since: nothing of it is left to read
          at += 1 + next
          from.set(members[at], p.offset)
        }
      }
    }
    if (atEnd) {
      const last = members.at(-1)
      if (last === undefined) return { members: [], from }
      from.set(last, await endOf(last, o.path))
      return { members: [last], from }
    }
    return { members, from }
  }

  /** Reads what the log holds now; with follow, it then holds the current file (and .1, in its grace) for look(). */
  async * start(): AsyncGenerator<void> {
    const o = this.o
    const r = this.r
    const snap = await takeSnapshot(o.generations)
    this.members = snap.members
    for (const g of snap.gaps) r.gap(`${g}: not read, its events are missing`)
    for (const w of snap.refused) r.warn(w)
    this.known = new Set(snap.members.map((m) => `${m.dev}:${m.ino}`))
    const { members, from } = await this.starts(snap.members)
    const inRange = new Set(await generationsInRange(members.map((m) => m.gen), o.filter))
    const curMember = members.length > 0 && members[members.length - 1].gen.index === 0 ? members[members.length - 1] : null
    for (const m of members) {
      if (o.signal?.aborted === true) return
      if (!inRange.has(m.gen)) continue
      // following, the current file stays open, and the newest rotated one too (a writer may finish its line there)
      const keep = o.follow === true && (m === curMember || (m.gen.index === 1 && !m.gen.gz))
      const res = yield * readMember(r, m, from.get(m) ?? 0, keep)
      if (res.handle !== null) {
        const open: Open = { handle: res.handle, dev: m.dev, ino: m.ino, position: res.position }
        if (m === curMember) this.current = open
        else this.renamed.push(open)
      }
      if (res.pastUntil) {
        this.ended = true
        return
      }
    }
  }

  /** (follow) One look at the log: new lines, rotations, generations rotated past. */
  async * look(): AsyncGenerator<void> {
    if (this.follower === null) {
      this.follower = await Follower.start(this.r, this.current, this.renamed, this.known, this.members)
      this.current = null
      this.renamed = []
    }
    yield * this.follower.look()
  }

  /** Follows until the signal aborts (see follow.ts). */
  follow(): AsyncGenerator<void> {
    const cur = this.current
    const renamed = this.renamed
    this.current = null
    this.renamed = []
    return follow(this.r, cur, renamed, this.known, this.members)
  }

  async close(): Promise<void> {
    if (this.follower !== null) await this.follower.close()
    for (const f of [this.current, ...this.renamed]) if (f !== null) await f.handle.close().catch(() => undefined)
    this.current = null
    this.renamed = []
    await releaseSnapshot(this.members)
  }
}

export async function * drive(o: DriveOptions): AsyncGenerator<void> {
  const reading = new LogReading(o)
  try {
    yield * reading.start()
    if (o.follow !== true || reading.ended || o.signal?.aborted === true) return
    yield * reading.follow()
  } finally {
    await reading.close()
  }
}
