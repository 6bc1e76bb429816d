// The monthly figures, counted from the month's events in one pass (fed in
// the log's order): new users, containers created and exited (lifetimes from
// discovered/exited paired by container_id), GPU rejections, access denials,
// kills and warnings. Another spelling of a type counts as its registered name.
import { canonicalEventType } from '../event/index.js'
import type { ParsedEvent } from '../reader/index.js'

/** The event types the tally reads (the reader's filter matches their other spellings too). */
export const REPORT_EVENT_TYPES = [
  'user.added',
  'container.create',
  'detection.container_discovered',
  'detection.container_exited',
  'gpu.reject',
  'auth.access_denied',
  'maintenance.idle_kill',
  'maintenance.runtime_kill',
  'resource.oom_kill',
  '*.warning',
  '*.*_warning'
] as const

/** A warning: an event whose action is `warning` or ends in `_warning` (bare_metal.warning, ...). */
export function isWarning(type: string): boolean {
  const action = type.slice(type.indexOf('.') + 1)
  return action === 'warning' || action.endsWith('_warning')
}

export interface UserCount { user: string, count: number }
export interface CountedWithUsers { count: number, top_users: UserCount[] }

export interface Tally {
  events: number
  new_users: { count: number, users: string[] }
  containers_created: CountedWithUsers & { by_container_type: Array<{ container_type: string, count: number }> }
  containers_exited: {
    count: number
    /** exits whose discovery is in the month too: these have a lifetime */
    with_lifetime: number
    mean_lifetime_seconds: number | null
    median_lifetime_seconds: number | null
  }
  gpu_rejected: CountedWithUsers
  access_denied: CountedWithUsers
  idle_kills: CountedWithUsers
  runtime_kills: CountedWithUsers
  oom_kills: CountedWithUsers
  warnings: { count: number, bare_metal: number, by_type: Array<{ event_type: string, count: number }> }
}

/** The top `n` by count, then by name; events without a user count as `(none)`. */
function top(counts: Map<string, number>, n: number): UserCount[] {
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).slice(0, n).map(([user, count]) => ({ user, count }))
}

class UserCounts {
  count = 0
  private readonly users = new Map<string, number>()
  add(user: string | undefined): void {
    this.count++
    const u = user ?? '(none)'
    this.users.set(u, (this.users.get(u) ?? 0) + 1)
  }

  result(n: number): CountedWithUsers {
    return { count: this.count, top_users: top(this.users, n) }
  }

  sorted(): Array<[string, number]> {
    return top(this.users, Infinity).map((u) => [u.user, u.count])
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

function median(sorted: number[]): number | null {
  if (sorted.length === 0) return null
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Rounded to the millisecond, as seconds. */
function seconds(ms: number | null): number | null {
  return ms === null ? null : Math.round(ms) / 1000
}

export class MonthTally {
  private events = 0
  private readonly newUsers: string[] = []
  private readonly created = new UserCounts()
  private readonly types = new Map<string, number>()
  private readonly discovered = new Map<string, number>()
  private exited = 0
  private readonly lifetimes: number[] = []
  private readonly rejected = new UserCounts()
  private readonly denied = new UserCounts()
  private readonly idle = new UserCounts()
  private readonly runtime = new UserCounts()
  private readonly oom = new UserCounts()
  private readonly warnings = new Map<string, number>()

  add(e: ParsedEvent): void {
    const type = canonicalEventType(e.event_type)
    this.events++
    switch (type) {
      case 'user.added': {
        const user = e.user ?? text(e.details.user) ?? '(none)'
        if (!this.newUsers.includes(user)) this.newUsers.push(user)
        return
      }
      case 'container.create': {
        this.created.add(e.user)
        // the spec's container.create has no container_type; writers that add one are counted by it, else by interface
        const kind = text(e.details.container_type) ?? text(e.details.interface) ?? '(unknown)'
        this.types.set(kind, (this.types.get(kind) ?? 0) + 1)
        return
      }
      case 'detection.container_discovered': {
        const id = text(e.details.container_id)
        if (id !== undefined && !Number.isNaN(e.time) && !this.discovered.has(id)) this.discovered.set(id, e.time)
        return
      }
      case 'detection.container_exited': {
        this.exited++
        const id = text(e.details.container_id)
        const from = id === undefined ? undefined : this.discovered.get(id)
        if (id !== undefined && from !== undefined && e.time >= from) {
          this.lifetimes.push(e.time - from)
          this.discovered.delete(id) // a container discovered again later is another life
        }
        return
      }
      case 'gpu.reject': this.rejected.add(e.user); return
      case 'auth.access_denied': this.denied.add(e.user); return
      case 'maintenance.idle_kill': this.idle.add(e.user); return
      case 'maintenance.runtime_kill': this.runtime.add(e.user); return
      case 'resource.oom_kill': this.oom.add(e.user); return
      default:
        if (isWarning(type)) this.warnings.set(type, (this.warnings.get(type) ?? 0) + 1)
        else this.events-- // not one of the report's types (a source that does not filter)
    }
  }

  result(): Tally {
    const lifetimes = [...this.lifetimes].sort((a, b) => a - b)
    const mean = lifetimes.length === 0 ? null : lifetimes.reduce((a, b) => a + b, 0) / lifetimes.length
    const warnings = [...this.warnings].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    return {
      events: this.events,
      new_users: { count: this.newUsers.length, users: [...this.newUsers].sort() },
      containers_created: {
        ...this.created.result(10),
        by_container_type: [...this.types].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([container_type, count]) => ({ container_type, count }))
      },
      containers_exited: {
        count: this.exited,
        with_lifetime: lifetimes.length,
        mean_lifetime_seconds: seconds(mean),
        median_lifetime_seconds: seconds(median(lifetimes))
      },
      gpu_rejected: this.rejected.result(5),
      access_denied: this.denied.result(5),
      idle_kills: this.idle.result(5),
      runtime_kills: this.runtime.result(5),
      oom_kills: this.oom.result(5),
      warnings: {
        count: warnings.reduce((a, [, n]) => a + n, 0),
        bare_metal: this.warnings.get('bare_metal.warning') ?? 0,
        by_type: warnings.map(([event_type, count]) => ({ event_type, count }))
      }
    }
  }
}
