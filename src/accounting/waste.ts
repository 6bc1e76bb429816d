// gpuWaste: the allocations held for a whole window whose samples in it were
// mostly idle, and their alert.gpu_waste events, once per episode. The state
// between runs is the events log itself: an allocation's last alert, and
// whether a busy sample of its GPU followed it.
import { createEventLog } from '../event/index.js'
import { parseWhen } from '../reader/index.js'
import { readWindow, warner, type GpuLogOptions } from './commands.js'
import { lastBusyTimes } from './feed.js'
import { DEFAULT_IDLE_THRESHOLD, GpuAccounting } from './state.js'

/** The defaults of the older `gpu-utilization-monitor.py --check-waste`. */
export const WASTE_DEFAULTS = { window: '30m', threshold: 5, share: 0.8, minSamples: 3 } as const
export const WASTE_SOURCE = 'gpu-waste'

export interface GpuWasteOptions extends GpuLogOptions {
  /** ms, or a duration text: 30m, 1h, 90s (default 30m) */
  window?: number | string
  /** a sample under this utilization (%) is low (default 5) */
  threshold?: number
  /** wasted when more than this share of the window's samples are low (default 0.8) */
  share?: number
  /** and at least this many samples (default 3) */
  minSamples?: number
  /** log an alert.gpu_waste event for each allocation newly wasted (default false; the CLI logs) */
  alert?: boolean
}

export interface GpuWasteRow {
  user: string | null
  container: string | null
  /** the device as allocated */
  gpu: string
  gpu_index: number
  /** ISO 8601: when it was allocated */
  since: string
  samples: number
  low_samples: number
  /** low_samples / samples */
  idle_share: number
  /** logged: this run logged its alert; already: an earlier run did, and it stayed idle since; none: not logged (alert off, or the write failed) */
  alert: 'logged' | 'already' | 'none'
}

export interface GpuWasteReport {
  now: string
  window: string
  window_s: number
  threshold: number
  share: number
  min_samples: number
  wasted: GpuWasteRow[]
  skipped: { events: number; samples: number }
}

const UNITS: Array<[number, string]> = [[86_400_000, 'd'], [3_600_000, 'h'], [60_000, 'm'], [1000, 's']]

/** A duration text (30m, 1h, 90s, "2 hours") in ms, or null. */
export function parseDuration(value: number | string): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value : null
  const text = value.trim()
  if (!/^\d+(?:\.\d+)?\s*[a-z]+$/i.test(text)) return null
  const now = new Date(0)
  const at = parseWhen(text, now)
  return at === null || !(-at.getTime() > 0) ? null : -at.getTime()
}

export function formatDuration(ms: number): string {
  for (const [unit, name] of UNITS) if (ms % unit === 0) return `${ms / unit}${name}`
  return `${ms}ms`
}

function problem(options: GpuWasteOptions): string | null {
  const { threshold, share, minSamples } = options
  if (threshold !== undefined && !(typeof threshold === 'number' && Number.isFinite(threshold))) return '--threshold must be a number (percent)'
  if (share !== undefined && !(typeof share === 'number' && share >= 0 && share < 1)) return '--share must be a number from 0 to under 1 (0.8: more than 80 % of the samples low)'
  if (minSamples !== undefined && !(Number.isInteger(minSamples) && minSamples >= 1)) return '--min-samples must be a whole number, 1 or more'
  return null
}

/** The wasted allocations now; with `alert`, logs alert.gpu_waste once per episode. Null (and a warning) on a problem. */
export async function gpuWaste(options: GpuWasteOptions = {}): Promise<GpuWasteReport | null> {
  const warn = warner(options)
  const bad = problem(options)
  const windowMs = parseDuration(options.window ?? WASTE_DEFAULTS.window)
  if (bad !== null || windowMs === null) {
    warn(`gpuWaste: ${bad ?? `--window ${JSON.stringify(options.window)}: expected a duration such as 30m, 1h or 90s`}`)
    return null
  }
  const threshold = options.threshold ?? DEFAULT_IDLE_THRESHOLD
  const share = options.share ?? WASTE_DEFAULTS.share
  const minSamples = options.minSamples ?? WASTE_DEFAULTS.minSamples
  const now = (options.now ?? new Date()).getTime()
  const windowStart = now - windowMs
  const state = new GpuAccounting({ from: windowStart, to: now, threshold, countSamplesFrom: windowStart, intervalMs: options.intervalMs })
  const read = await readWindow(state, options, warn, { holdersFrom: now, samplesSince: windowStart, until: now, readings: false })
  if (read === null) return null
  const paths = read.paths
  const wasted = state.holders().filter((h) => !h.slice && h.gpu_index !== null && h.since <= windowStart &&
    h.samples >= minSamples && h.low_samples / h.samples > share)
  // alerted before the window and not busy inside it: was it busy between the alert and the window?
  const older = wasted.filter((h) => h.last_alert_at !== null && h.last_alert_at < windowStart && !h.busy_after_alert)
  let busyBefore = new Map<number, number>()
  if (older.length > 0) {
    const found = await lastBusyTimes(paths.gpu, Math.min(...older.map((h) => h.last_alert_at as number)), windowStart, threshold, options.signal)
    if (typeof found === 'string') {
      warn(found)
      return null
    }
    busyBefore = found
  }
  const windowText = typeof options.window === 'string' ? options.window.trim() : formatDuration(windowMs)
  const log = options.alert === true ? createEventLog({ path: paths.events }) : null
  const rows: GpuWasteRow[] = []
  try {
    for (const h of wasted) {
      const idleShare = Math.round(h.low_samples / h.samples * 1000) / 1000
      const sameEpisode = h.last_alert_at !== null && !h.busy_after_alert &&
        !((busyBefore.get(h.gpu_index as number) ?? -Infinity) > h.last_alert_at)
      let alert: GpuWasteRow['alert'] = sameEpisode ? 'already' : 'none'
      if (!sameEpisode && log !== null) {
        const ok = log.log('alert.gpu_waste', {
          user: h.user ?? undefined,
          source: WASTE_SOURCE,
          container: h.container ?? undefined,
          gpu: h.gpu,
          gpu_index: h.gpu_index as number,
          window: windowText,
          samples: h.samples,
          low_samples: h.low_samples,
          idle_share: idleShare
        })
        if (ok) alert = 'logged'
        else warn(`could not log alert.gpu_waste for ${h.container ?? '?'} on GPU ${h.gpu} to ${paths.events}`)
      }
      rows.push({ user: h.user, container: h.container, gpu: h.gpu, gpu_index: h.gpu_index as number, since: new Date(h.since).toISOString(), samples: h.samples, low_samples: h.low_samples, idle_share: idleShare, alert })
    }
  } finally {
    log?.close()
  }
  return { now: new Date(now).toISOString(), window: windowText, window_s: windowMs / 1000, threshold, share, min_samples: minSamples, wasted: rows, skipped: read.skipped() }
}
