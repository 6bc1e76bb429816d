// `ds01-events report --month YYYY-MM`: the month's figures from the logs
// alone. The events are read once, through the reader, over the month only
// (--since/--until: the generations wholly outside it are not read), with a
// type filter that matches every spelling of the report's types.
import { gpuUsage } from '../accounting/index.js'
import { resolveEventsFile } from '../common/index.js'
import { openGenerations, readEvents } from '../reader/index.js'
import type { Month } from './month.js'
import { MonthTally, REPORT_EVENT_TYPES, type Tally } from './tally.js'

export interface GpuHoursRow {
  user: string
  allocated_hours: number
  idle_hours: number
  busy_hours: number
  unknown_hours: number
}

export interface GpuHours {
  allocated_hours: number
  idle_hours: number
  busy_hours: number
  unknown_hours: number
  /** a sample under this utilization (%) is idle */
  threshold: number
  by_user: GpuHoursRow[]
}

/** `from` and `to` bound the month: [from, to), ISO 8601 in UTC. */
export type MonthlyReport = { month: string, from: string, to: string } & Tally & {
  /** null when the GPU accounting could not run (a warning said why) */
  gpu_hours: GpuHours | null
}

export interface ReportOptions {
  month: Month
  /** the events log (default: $DS01_EVENTS_FILE, else /var/log/ds01/events.jsonl) */
  eventsPath?: string
  /** the GPU log, for GPU-hours (default: $DS01_GPU_UTILIZATION_FILE, else /var/log/ds01/gpu-utilization.jsonl) */
  gpuPath?: string
  /** warnings (lines skipped, ...); default stderr */
  onWarning?: (message: string) => void
}

export type ReportResult = { ok: true, report: MonthlyReport } | { ok: false, problem: string }

/** The month's report, or why the events log could not be read. Never throws. */
export async function monthlyReport(o: ReportOptions): Promise<ReportResult> {
  const path = resolveEventsFile(o.eventsPath)
  const opened = await openGenerations(path, false)
  if (!opened.ok) return { ok: false, problem: opened.problem }
  const tally = new MonthTally()
  // until the next month's first instant, inclusive at the millisecond: an event at 23:59:59.999500 is
  // the month's (a bound at .999 would drop it, as timestamps have microseconds); one at 00:00:00.000 is not
  const to = o.month.until.getTime() + 1
  for await (const event of readEvents({ path, since: o.month.since, until: new Date(to), type: [...REPORT_EVENT_TYPES], onWarning: o.onWarning })) {
    if (event.time < to) tally.add(event)
  }
  const report: MonthlyReport = {
    month: o.month.name,
    from: o.month.since.toISOString(),
    to: new Date(to).toISOString(),
    ...tally.result(),
    gpu_hours: await gpuHours(path, o, new Date(to))
  }
  return { ok: true, report }
}

const round = (h: number): number => Math.round(h * 1000) / 1000

/**
 * GPU-hours allocated, busy, idle and unknown per user over the month, from
 * the GPU accounting (src/accounting: the same rules as `ds01-events gpu
 * usage`; it looks back before the month for allocations held at its start).
 */
async function gpuHours(eventsPath: string, o: ReportOptions, to: Date): Promise<GpuHours | null> {
  const usage = await gpuUsage({ eventsPath, gpuPath: o.gpuPath, since: o.month.since, until: to, by: 'user', onWarning: o.onWarning })
  if (usage === null) return null
  const byUser = new Map<string, GpuHoursRow>()
  for (const r of usage.rows) {
    const user = r.user ?? '(none)'
    const row = byUser.get(user) ?? { user, allocated_hours: 0, idle_hours: 0, busy_hours: 0, unknown_hours: 0 }
    row.allocated_hours += r.allocated_hours
    row.idle_hours += r.idle_hours
    row.busy_hours += r.busy_hours
    row.unknown_hours += r.unknown_hours
    byUser.set(user, row)
  }
  const rows = [...byUser.values()]
    .map((r) => ({ user: r.user, allocated_hours: round(r.allocated_hours), idle_hours: round(r.idle_hours), busy_hours: round(r.busy_hours), unknown_hours: round(r.unknown_hours) }))
    .filter((r) => r.allocated_hours > 0)
    .sort((a, b) => b.allocated_hours - a.allocated_hours || (a.user < b.user ? -1 : a.user > b.user ? 1 : 0))
  const sum = (k: 'allocated_hours' | 'idle_hours' | 'busy_hours' | 'unknown_hours'): number => round(rows.reduce((a, r) => a + r[k], 0))
  return { allocated_hours: sum('allocated_hours'), idle_hours: sum('idle_hours'), busy_hours: sum('busy_hours'), unknown_hours: sum('unknown_hours'), threshold: usage.threshold, by_user: rows }
}
