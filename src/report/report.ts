// `ds01-events report --month YYYY-MM`: the month's figures from the logs
// alone. The events are read once, through the reader, over the month only
// (--since/--until: the generations wholly outside it are not read), with a
// type filter that matches every spelling of the report's types.
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
export type MonthlyReport = { month: string, from: string, to: string } & Tally & { gpu_hours?: GpuHours }

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
  const report: MonthlyReport = { month: o.month.name, from: o.month.since.toISOString(), to: new Date(to).toISOString(), ...tally.result() }
  return { ok: true, report }
}
