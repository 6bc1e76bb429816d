// The batch answers over a window: gpuStatus (who holds which GPU, its last
// sample), gpuUsage (hours allocated, busy, idle, unknown per user), each one
// GpuAccounting driven over both logs by feedFromLogs. Never throws: a
// problem is a warning and a null answer.
import { resolveEventsFile, resolveGpuUtilizationFile, stderrSink } from '../common/index.js'
import { describeSkips, parseWhen, WHEN_FORMS } from '../reader/index.js'
import { feedFromLogs, type FeedResult } from './feed.js'
import { DEFAULT_IDLE_THRESHOLD, GpuAccounting, type GroupBy, type HolderView, type SampleView } from './state.js'

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS
/** How far before a window the events log is read for allocations still held: the events log's retention (30 daily files). */
export const HOLDER_LOOKBACK_MS = 31 * DAY_MS
/** How far before a window samples are read: the sample in effect at its start, and the interval. */
export const SAMPLE_LOOKBACK_MS = 10 * 60_000
/** How far back `status` looks for each GPU's last sample. */
export const STATUS_SAMPLE_LOOKBACK_MS = HOUR_MS
/** The default window of `usage`: the last 24 hours. */
export const DEFAULT_USAGE_SINCE = '24h'
/** Samples older than this many intervals (and STALE_MIN_MS) are stale: the agent is down. */
export const STALE_INTERVALS = 3
export const STALE_MIN_MS = 30_000

export interface GpuLogOptions {
  /** the events log (default: $DS01_EVENTS_FILE, else /var/log/ds01/events.jsonl) */
  eventsPath?: string
  /** the GPU log (default: $DS01_GPU_UTILIZATION_FILE, else /var/log/ds01/gpu-utilization.jsonl) */
  gpuPath?: string
  /** what "now" is (default: the clock); relative WHENs are read from it */
  now?: Date
  /** where warnings go (default: stderr) */
  onWarning?: (message: string) => void
  /** the sampling interval in ms (default: learned from the samples) */
  intervalMs?: number
  signal?: AbortSignal
}

export interface GpuHolder {
  user: string | null
  container: string | null
  /** the device as allocated: "3", "3:1" (a MIG slice), "GPU-..." */
  gpu: string
  slice: boolean
  /** ISO 8601 */
  since: string
}

export interface GpuSampleReport extends Omit<SampleView, 'time'> {
  /** ISO 8601 */
  time: string
  age_s: number
}

export interface GpuStatusRow {
  gpu_index: number | null
  gpu_uuid: string | null
  name: string | null
  /** the whole GPU's holder (or the first slice's), null when free */
  holder: GpuHolder | null
  /** every holder: several when MIG slices are held */
  holders: GpuHolder[]
  /** the last sample within STATUS_SAMPLE_LOOKBACK_MS, or null */
  sample: GpuSampleReport | null
  /** no sample, or the last one older than 3 intervals (at least 30 s) */
  stale: boolean
}

export interface GpuStatusReport {
  /** ISO 8601 */
  now: string
  gpus: GpuStatusRow[]
  /** a GPU's samples are stale, or no GPU sampled at all: the agent is down */
  stale: boolean
  skipped: { events: number; samples: number }
}

export interface GpuUsageOptions extends GpuLogOptions {
  /** a Date or a WHEN text (default '24h': the last 24 hours) */
  since?: Date | string
  /** a Date or a WHEN text (default: now) */
  until?: Date | string
  by?: GroupBy
  /** a sample under this utilization (%) is idle (default 5) */
  threshold?: number
}

export interface GpuUsageRow {
  user: string | null
  container?: string | null
  gpu?: string
  gpu_index?: number | null
  allocated_hours: number
  busy_hours: number
  idle_hours: number
  unknown_hours: number
  /** time-weighted over busy and idle time; null when none */
  mean_util_percent: number | null
}

export interface GpuUsageReport {
  since: string
  until: string
  by: GroupBy
  threshold: number
  /** sorted by idle hours, most first */
  rows: GpuUsageRow[]
  skipped: { events: number; samples: number }
}

type Warn = (message: string) => void

export function warner(options: GpuLogOptions): Warn {
  return (message) => {
    try {
      (options.onWarning ?? stderrSink)(`ds01-events: ${message}`)
    } catch {
      // a throwing onWarning must not break the answer
    }
  }
}

export function timeOption(name: string, value: Date | string | undefined, fallback: number, now: Date): number | string {
  if (value === undefined) return fallback
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? `${name}: an invalid Date` : value.getTime()
  const parsed = parseWhen(String(value), now)
  return parsed === null ? `--${name} ${JSON.stringify(value)}: not a time I can read.\n${WHEN_FORMS}` : parsed.getTime()
}

function iso(ms: number): string {
  return new Date(ms).toISOString()
}

/** Hours, rounded to the microhour (3.6 ms): sums stay exact for the test's hand-worked answers. */
function hours(seconds: number): number {
  return Math.round(seconds / 3600 * 1e6) / 1e6
}

function skippedCount(result: FeedResult & { ok: true }, warn: Warn, paths: LogPaths): { events: number; samples: number } {
  const e = describeSkips(result.skips.events)
  const s = describeSkips(result.skips.samples)
  if (e !== null) warn(`${paths.events}: ${e}`)
  if (s !== null) warn(`${paths.gpu}: ${s}`)
  return {
    events: result.skips.events.unreadable + result.skips.events.torn,
    samples: result.skips.samples.unreadable + result.skips.samples.torn
  }
}

/** Both logs of a call: its options, else the environment, else the defaults. */
export interface LogPaths { events: string; gpu: string }

export interface WindowRead {
  paths: LogPaths
  /** lines skipped in each log (and warned about) */
  skipped: () => { events: number; samples: number }
}

/**
 * Feeds `state` from both logs: allocations from HOLDER_LOOKBACK_MS before `holdersFrom`
 * (one made before the window still holds in it), samples from `samplesSince`, up to
 * `until`. Null, after a warning, when a log cannot be read.
 */
export async function readWindow(state: GpuAccounting, options: GpuLogOptions, warn: Warn,
  w: { holdersFrom: number; samplesSince: number; until: number; readings: boolean }): Promise<WindowRead | null> {
  const paths = { events: resolveEventsFile(options.eventsPath), gpu: resolveGpuUtilizationFile(options.gpuPath) }
  const result = await feedFromLogs(state, {
    eventsPath: paths.events,
    gpuPath: paths.gpu,
    eventsSince: w.holdersFrom - HOLDER_LOOKBACK_MS,
    samplesSince: w.samplesSince,
    until: w.until,
    readings: w.readings,
    signal: options.signal
  })
  if (!result.ok) {
    warn(result.problem)
    return null
  }
  return { paths, skipped: () => skippedCount(result, warn, paths) }
}

function holderOf(h: HolderView): GpuHolder {
  return { user: h.user, container: h.container, gpu: h.gpu, slice: h.slice, since: iso(h.since) }
}

/** Who holds which GPU now, and each GPU's last sample. Null (and a warning) when a log cannot be read. */
export async function gpuStatus(options: GpuLogOptions = {}): Promise<GpuStatusReport | null> {
  const warn = warner(options)
  const now = (options.now ?? new Date()).getTime()
  if (!Number.isFinite(now)) {
    warn('gpuStatus: now is an invalid Date')
    return null
  }
  const state = new GpuAccounting({ from: now, to: now, intervalMs: options.intervalMs })
  const read = await readWindow(state, options, warn, { holdersFrom: now, samplesSince: now - STATUS_SAMPLE_LOOKBACK_MS, until: now, readings: true })
  if (read === null) return null
  // a GPU named by an allocation that has ended, and not sampled within the hour, is not shown
  const gpus: GpuStatusRow[] = state.gpuViews().filter((g) => g.holders.length > 0 || g.sample !== null).map((g) => {
    const holders = g.holders.map(holderOf)
    const sample = g.sample === null ? null : { ...g.sample, time: iso(g.sample.time), age_s: Math.max(0, (now - g.sample.time) / 1000) }
    const staleAfter = Math.max(STALE_INTERVALS * (g.interval_ms ?? 1000), STALE_MIN_MS)
    return {
      gpu_index: g.gpu_index,
      gpu_uuid: g.gpu_uuid,
      name: g.name,
      holder: holders.find((h) => !h.slice) ?? holders[0] ?? null,
      holders,
      sample,
      stale: g.sample === null ? g.gpu_index !== null || g.gpu_uuid !== null : now - g.sample.time > staleAfter
    }
  })
  return {
    now: iso(now),
    gpus,
    stale: gpus.length === 0 || gpus.some((g) => g.stale),
    skipped: read.skipped()
  }
}

/** Hours allocated, busy, idle and unknown per user (container, GPU) over a window. Null (and a warning) on a problem. */
export async function gpuUsage(options: GpuUsageOptions = {}): Promise<GpuUsageReport | null> {
  const warn = warner(options)
  const nowDate = options.now ?? new Date()
  const now = nowDate.getTime()
  const since = timeOption('since', options.since ?? DEFAULT_USAGE_SINCE, now - DAY_MS, nowDate)
  const until = timeOption('until', options.until, now, nowDate)
  if (typeof since === 'string' || typeof until === 'string') {
    warn(`gpuUsage: ${typeof since === 'string' ? since : until}`)
    return null
  }
  if (!(until > since)) {
    warn(`gpuUsage: --until (${iso(until)}) is not after --since (${iso(since)})`)
    return null
  }
  const by = options.by ?? 'user'
  if (by !== 'user' && by !== 'container' && by !== 'gpu') {
    warn(`gpuUsage: by ${JSON.stringify(by)}: expected user, container or gpu`)
    return null
  }
  const threshold = options.threshold ?? DEFAULT_IDLE_THRESHOLD
  if (typeof threshold !== 'number' || !Number.isFinite(threshold)) {
    warn('gpuUsage: threshold must be a number (percent)')
    return null
  }
  const state = new GpuAccounting({ from: since, to: until, threshold, groupBy: by, intervalMs: options.intervalMs })
  const read = await readWindow(state, options, warn, { holdersFrom: since, samplesSince: since - SAMPLE_LOOKBACK_MS, until, readings: false })
  if (read === null) return null
  state.advance(until)
  const rows: GpuUsageRow[] = state.usage().map((c) => {
    const known = c.busy_s + c.idle_s
    return {
      user: c.user,
      ...(by === 'container' ? { container: c.container ?? null } : {}),
      ...(by === 'gpu' ? { gpu: c.gpu, gpu_index: c.gpu_index ?? null } : {}),
      allocated_hours: hours(c.allocated_s),
      busy_hours: hours(c.busy_s),
      idle_hours: hours(c.idle_s),
      unknown_hours: hours(c.unknown_s),
      mean_util_percent: known > 0 ? Math.round(c.util_percent_s / known * 100) / 100 : null
    }
  })
  rows.sort((a, b) => b.idle_hours - a.idle_hours || b.allocated_hours - a.allocated_hours || String(a.user ?? '').localeCompare(String(b.user ?? '')))
  return { since: iso(since), until: iso(until), by, threshold, rows, skipped: read.skipped() }
}
