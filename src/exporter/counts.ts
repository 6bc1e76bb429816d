// The exact counts behind ds01_events_total{event_type, source}: spellings
// folded into the registry's names, and the number of label values bounded so
// that a writer logging made-up types or sources cannot blow up Prometheus.
import { EVENT_TYPES, canonicalEventType } from '../event/index.js'

/** Unregistered event types that get a series of their own; later ones count under "other". */
export const MAX_UNKNOWN_TYPES = 200
/** Sources that get a series of their own; later ones count under "other". */
export const MAX_SOURCES = 100
/** (type, source) pairs with a series of their own; a later pair counts under source "other". */
export const MAX_PAIRS = 2000
export const OTHER = 'other'
/** The label value of an event without a source (Prometheus shows an empty label as absent). */
export const NO_SOURCE = ''
/** A label value is at most this long; a longer one counts under "other". */
export const MAX_LABEL_LENGTH = 128

const SEP = '\u0000'

export function pairKey(type: string, source: string): string {
  return type + SEP + source
}

export function splitKey(key: string): [string, string] {
  const at = key.indexOf(SEP)
  return [key.slice(0, at), key.slice(at + 1)]
}

export class EventCounts {
  /** pair key -> events; insertion order is the order pairs were first seen */
  readonly counts = new Map<string, number>()
  private readonly registered = new Set(Object.keys(EVENT_TYPES))
  private readonly unknownTypes = new Set<string>()
  private readonly sources = new Set<string>()
  /** raw type -> folded label value (so the registry lookup runs once per spelling) */
  private readonly typeCache = new Map<string, string>()
  total = 0

  constructor() {
    for (const type of this.registered) this.counts.set(pairKey(type, NO_SOURCE), 0)
  }

  private typeLabel(raw: string): string {
    const cached = this.typeCache.get(raw)
    if (cached !== undefined) return cached
    const name = canonicalEventType(raw)
    let label = name
    if (!this.registered.has(name)) {
      if (this.unknownTypes.has(name)) label = name
      else if (this.unknownTypes.size < MAX_UNKNOWN_TYPES && name.length <= MAX_LABEL_LENGTH && name !== OTHER) {
        this.unknownTypes.add(name)
      } else label = OTHER
    }
    if (this.typeCache.size < 4 * MAX_UNKNOWN_TYPES) this.typeCache.set(raw, label)
    return label
  }

  private sourceLabel(raw: string | undefined): string {
    if (raw === undefined || raw === '') return NO_SOURCE
    if (this.sources.has(raw)) return raw
    if (this.sources.size < MAX_SOURCES && raw.length <= MAX_LABEL_LENGTH && raw !== OTHER) {
      this.sources.add(raw)
      return raw
    }
    return OTHER
  }

  /** Counts one event (its type as written, its source or undefined). */
  add(type: string, source: string | undefined, n = 1): void {
    const t = this.typeLabel(type)
    const s = this.sourceLabel(source)
    let key = pairKey(t, s)
    let now = this.counts.get(key)
    if (now === undefined && this.counts.size >= MAX_PAIRS + this.registered.size) {
      key = pairKey(t, OTHER)
      now = this.counts.get(key)
      if (now === undefined) {
        key = pairKey(OTHER, OTHER)
        now = this.counts.get(key)
      }
    }
    this.counts.set(key, (now ?? 0) + n)
    this.total += n
  }

  /** Restores saved counts (label values as saved: the limits count them again). */
  restore(entries: Array<[string, string, number]>): void {
    for (const [type, source, n] of entries) {
      if (!this.registered.has(type) && type !== OTHER) this.unknownTypes.add(type)
      if (source !== NO_SOURCE && source !== OTHER) this.sources.add(source)
      const key = pairKey(type, source)
      this.counts.set(key, (this.counts.get(key) ?? 0) + n)
      this.total += n
    }
  }

  entries(): Array<[string, string, number]> {
    const out: Array<[string, string, number]> = []
    for (const [key, n] of this.counts) {
      const [type, source] = splitKey(key)
      out.push([type, source, n])
    }
    return out
  }
}
