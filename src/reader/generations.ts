// The names of a log's rotated generations, as logrotate makes them, and their
// order in time. Two schemes, possibly mixed on a host that switched config:
//   numbered  events.jsonl.1, events.jsonl.2.gz, ...      (the shipped config)
//   dateext   events.jsonl-20261128, events.jsonl-20261128.gz, and dateformat
//             variants: -%Y-%m-%d, -%Y%m%d-%s, -%Y%m%d%H, .%Y-%m-%d, ...
// Each scheme orders itself by its names; two schemes are merged by the time
// of each file's first line. Other names (events.jsonl.backup, ...) are not
// generations. While logrotate compresses, `X` and `X.gz` both exist: the plain
// one is read (the .gz is still being written).
import { promises as fsp, readdirSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'

export interface Generation {
  path: string
  gz: boolean
  /** 0 for the current file; the others 1, 2, ... from the newest to the oldest */
  index: number
}

export interface Listing {
  /** oldest first; the current file last */
  generations: Generation[]
  /** what could not be looked at (a directory that cannot be listed) */
  problems: string[]
}

interface Named {
  path: string
  gz: boolean
  scheme: 'numbered' | 'dated'
  /** within its scheme, larger is newer */
  key: string
}

const NUMBERED = /^\.(\d{1,6})(\.gz)?$/
// a date first (year, month, day, optionally separated), then more digit groups (hour, %s, ...)
const DATED = /^[-.]((?:19|20)\d\d[-_.]?[01]\d[-_.]?[0-3]\d(?:[-_.T]?\d+)*)(\.gz)?$/
const EPOCH_ONLY = /^[-.](1\d{9})(\.gz)?$/

function utcDigits(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/\D/g, '').slice(0, 14)
}

/** A sortable text for a dated suffix: YYYYMMDDhhmmss (what is known), then the rest. */
function dateKey(stamp: string): string {
  const groups = stamp.split(/[-_.T]/)
  const digits = groups.join('')
  const ymd = digits.slice(0, 8)
  // `-%Y%m%d-%s`: the epoch seconds after the day are the finer time
  const tail = groups.length > 1 && /^1\d{9}$/.test(groups[groups.length - 1]) ? utcDigits(Number(groups[groups.length - 1])).slice(8) : digits.slice(8)
  return (ymd + tail).padEnd(14, '0')
}

/** Whether a name in the log's directory is one of its generations; its scheme and key. */
export function parseGenerationName(base: string, name: string): { gz: boolean, scheme: 'numbered' | 'dated', key: string } | null {
  if (!name.startsWith(base) || name.length === base.length) return null
  const suffix = name.slice(base.length)
  let m = NUMBERED.exec(suffix)
  if (m !== null) return { gz: m[2] !== undefined, scheme: 'numbered', key: String(1e9 - Number(m[1])).padStart(10, '0') }
  m = EPOCH_ONLY.exec(suffix)
  if (m !== null) return { gz: m[2] !== undefined, scheme: 'dated', key: utcDigits(Number(m[1])) }
  m = DATED.exec(suffix)
  if (m !== null) return { gz: m[2] !== undefined, scheme: 'dated', key: dateKey(m[1]) }
  return null
}

/** The generations named in `names` (a directory listing), each scheme oldest first. */
export function namedGenerations(path: string, names: readonly string[]): { numbered: Named[], dated: Named[] } {
  const dir = dirname(path)
  const base = basename(path)
  const present = new Set(names)
  const numbered: Named[] = []
  const dated: Named[] = []
  for (const name of names) {
    const parsed = parseGenerationName(base, name)
    if (parsed === null) continue
    // being compressed right now: the plain file is whole, the .gz not yet
    if (parsed.gz && present.has(name.slice(0, -3))) continue
    const named: Named = { path: join(dir, name), ...parsed }
    ;(parsed.scheme === 'numbered' ? numbered : dated).push(named)
  }
  const byKey = (a: Named, b: Named): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.path < b.path ? -1 : 1)
  numbered.sort(byKey)
  dated.sort(byKey)
  return { numbered, dated }
}

/**
 * Merges two chains, each oldest first, by the time of each file's first line
 * (firstTime: ms, NaN when unknown; a file of unknown time keeps its place in its chain).
 */
async function mergeByTime(a: Named[], b: Named[], firstTime: (path: string, gz: boolean) => Promise<number>): Promise<Named[]> {
  if (a.length === 0) return b
  if (b.length === 0) return a
  const times = new Map<string, number>()
  for (const g of [...a, ...b]) times.set(g.path, await firstTime(g.path, g.gz))
  const out: Named[] = []
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) {
    const ta = times.get(a[i].path) ?? NaN
    const tb = times.get(b[j].path) ?? NaN
    if (Number.isNaN(tb) || (!Number.isNaN(ta) && ta <= tb)) out.push(a[i++])
    else out.push(b[j++])
  }
  return out.concat(a.slice(i), b.slice(j))
}

/**
 * The current file and its rotated generations, oldest first, from their names
 * alone (synchronous): on a host with both schemes, the dateext ones (the older
 * configs' names) come first. listOrderedGenerations orders by time instead.
 */
export function listGenerations(path: string): Generation[] {
  let names: string[] = []
  try {
    names = readdirSync(dirname(path))
  } catch {
    // the directory cannot be listed: the current file alone may still be readable
  }
  const { numbered, dated } = namedGenerations(path, names)
  const merged = [...dated, ...numbered]
  const generations: Generation[] = merged.map((g, i) => ({ path: g.path, gz: g.gz, index: merged.length - i }))
  generations.push({ path, gz: false, index: 0 })
  return generations
}

/** The current file and its rotated generations, oldest first; two schemes merged by time; what could not be listed. */
export async function listOrderedGenerations(path: string, firstTime: (path: string, gz: boolean) => Promise<number>): Promise<Listing> {
  const problems: string[] = []
  let names: string[] = []
  try {
    names = await fsp.readdir(dirname(path))
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO'
    // the current file alone may still be readable; its generations cannot be found
    if (code !== 'ENOENT') problems.push(`cannot list ${dirname(path)} (${code}): its rotated generations, if any, were not read`)
  }
  const { numbered, dated } = namedGenerations(path, names)
  const merged = await mergeByTime(numbered, dated, firstTime)
  const generations: Generation[] = merged.map((g, i) => ({ path: g.path, gz: g.gz, index: merged.length - i }))
  generations.push({ path, gz: false, index: 0 })
  return { generations, problems }
}
