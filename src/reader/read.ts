// Drives the file source: the generations in range, oldest first, then (with
// follow) the current file as it grows, across rotations. Lines that pass the
// filter go to a sink; the generator yields after each chunk so a consumer
// can take what the sink collected (and stop us by returning).
// What is read is what the files held when the read started (see snapshot.ts):
// a rotation under a long read moves files, it does not change the answer.
import type { promises as fsp } from 'node:fs'
import { LineScanner, type LineSink } from './scan.js'
import { DISORDER_SLACK_MS, generationsInRange, type ScanState } from './file-source.js'
import { releaseSnapshot, takeSnapshot } from './snapshot.js'
import { locate } from './resume.js'
import { follow } from './follow.js'
import { readMember, type DriveOptions, type Reading } from './read-member.js'

export type { DriveOptions } from './read-member.js'

export async function * drive(o: DriveOptions): AsyncGenerator<void> {
  const stoppedBySignal = (): boolean => o.signal?.aborted === true
  const progress = o.progress
  const sunk = { last: -1 }
  const sink: LineSink = progress === undefined
    ? o.sink
    : (buf, start, end, fast, event) => {
        sunk.last = end
        o.sink(buf, start, end, fast, event)
      }
  const state: ScanState = { scanner: new LineScanner(o.filter, o.skips, sink, DISORDER_SLACK_MS), skips: o.skips, stopped: stoppedBySignal, progress, sunk }
  const r: Reading = {
    o,
    state,
    gap: (message) => o.onGap?.(message),
    warn: (message) => o.onWarning?.(message)
  }
  const snap = await takeSnapshot(o.generations)
  for (const g of snap.gaps) r.gap(`${g}: not read, its events are missing`)
  for (const w of snap.refused) r.warn(w)
  let members = snap.members
  const known = new Set(members.map((m) => `${m.dev}:${m.ino}`))
  let current: { handle: fsp.FileHandle, dev: number, ino: number, position: number } | null = null
  try {
    let from = 0
    if (o.after !== undefined) {
      const found = await locate(members, o.after, o.path)
      if (found === null) {
        r.gap('the cursor\'s file is no longer there (rotated out of retention, or replaced): everything there is now was read, and events between the cursor and the oldest generation left may be missing')
      } else {
        members = members.slice(found)
        from = o.after.offset
      }
    }
    const inRange = new Set(await generationsInRange(members.map((m) => m.gen), o.filter))
    const curMember = members.length > 0 && members[members.length - 1].gen.index === 0 ? members[members.length - 1] : null
    for (const m of members) {
      if (stoppedBySignal()) return
      const start = from
      from = 0
      if (!inRange.has(m.gen)) continue
      const keep = m === curMember && o.follow === true
      const res = yield * readMember(r, m, start, keep)
      if (res.handle !== null) current = { handle: res.handle, dev: m.dev, ino: m.ino, position: res.position }
      if (res.pastUntil) return
    }
    if (o.follow !== true) return
    const cur = current
    current = null
    yield * follow(r, cur, known, members)
  } finally {
    if (current !== null) await current.handle.close().catch(() => undefined)
    await releaseSnapshot(snap.members)
  }
}
