// The incremental state machine of GPU accounting (see index.ts for the rules).
// Fed in time order with allocation events and GPU samples, it keeps per GPU
// its holders and its last sample, and per group (user, container or GPU) the
// seconds allocated, busy, idle and unknown. No sample is kept once counted.
import { canonicalEventType, type GpuReadings } from '../event/index.js'
import type { ParsedEvent } from '../reader/index.js'
import { parseDevices, type Device } from './device.js'

export const DEFAULT_IDLE_THRESHOLD = 5
/** The agent's default interval: what a GPU's first sample stands for before a gap is seen. */
export const DEFAULT_INTERVAL_MS = 1000
/** A sample stands for the time to the next one, at most this many intervals. */
export const COVER_INTERVALS = 2
const GAP_RING = 15
const MEDIAN_EVERY = 60

export type GroupBy = 'user' | 'container' | 'gpu'

export interface AccountingOptions {
  /** counting starts here (ms since the epoch); default: from the first record */
  from?: number
  /** counting stops here (ms); default: never */
  to?: number
  /** a sample under this utilization (%) is idle; default 5 */
  threshold?: number
  /** how the second counters are grouped; default 'user' */
  groupBy?: GroupBy
  /** the sampling interval (ms); default: learned per GPU, the median of its last 15 gaps */
  intervalMs?: number
  /** allocations count their samples from here (ms), for the waste check; default `from` */
  countSamplesFrom?: number
}

/** One GPU sample; readings other than the utilization are optional (counting needs only it). */
export type GpuSample = { time: number; gpu_index: number; gpu_uuid?: string; name?: string; gpu_util_percent: number | null } &
  Partial<Omit<GpuReadings, 'gpu_util_percent'>>

/** The last sample of a GPU, as kept: when (ms since the epoch), and every reading. */
export type SampleView = { time: number } & GpuReadings

/** An allocation that is held now. */
export interface HolderView {
  user: string | null
  container: string | null
  /** the device as allocated, in its normal spelling ("3", "3:1", "GPU-...") */
  gpu: string
  /** the physical GPU's index, when known */
  gpu_index: number | null
  /** a MIG slice (or MIG UUID): its utilization is unknown */
  slice: boolean
  /** ms since the epoch */
  since: number
  /** samples of its GPU counted while it was held (from countSamplesFrom), and those under the threshold */
  samples: number
  low_samples: number
  /** the time of the last alert.gpu_waste logged for it, or null */
  last_alert_at: number | null
  /** whether a busy sample of its GPU came after that alert */
  busy_after_alert: boolean
}

export interface GpuView {
  gpu_index: number | null
  gpu_uuid: string | null
  name: string | null
  holders: HolderView[]
  sample: SampleView | null
  /** the sampling interval in use for this GPU (ms), or null before its first gap */
  interval_ms: number | null
  /** the last sample at or over the threshold (ms), or null */
  last_busy_at: number | null
}

/** Seconds per group, counted over [from, to). */
export interface UsageCounter {
  user: string | null
  /** when grouped by container */
  container?: string | null
  /** when grouped by GPU: the device as allocated */
  gpu?: string
  gpu_index?: number | null
  allocated_s: number
  busy_s: number
  idle_s: number
  unknown_s: number
  /** the sum of utilization × seconds over busy and idle time (mean = this / (busy + idle)) */
  util_percent_s: number
}

interface Counter {
  user: string | null
  container: string | null
  gpu: string | null
  allocated: number
  busy: number
  idle: number
  unknown: number
  utilSum: number
}

interface Span {
  user: string | null
  container: string | null
  device: Device
  since: number
  counter: Counter
  samples: number
  lowSamples: number
  lastAlertAt: number
  busyAfterAlert: boolean
}

class Gpu {
  index: number | undefined
  uuid: string | undefined
  name: string | undefined
  readonly spans: Span[] = []
  /** the time up to which the holders' counters are counted */
  advancedTo = -Infinity
  sampleTime = NaN
  util: number | null = null
  memUtil: number | null = null
  memUsed: number | null = null
  memTotal: number | null = null
  temperature: number | null = null
  power: number | null = null
  /** the current sample stands until here (provisional until the next sample) */
  coverEnd = -Infinity
  readonly gaps = new Float64Array(GAP_RING)
  gapCount = 0
  interval = NaN
  lastBusyAt = NaN

  constructor(readonly key: string) {}
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null
}

function reading(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

function median(values: Float64Array, n: number): number {
  const sorted = Array.from(values.subarray(0, n)).sort((a, b) => a - b)
  return n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
}

export class GpuAccounting {
  private readonly from: number
  private readonly to: number
  private readonly threshold: number
  private readonly groupBy: GroupBy
  private readonly fixedInterval: number
  private readonly countFrom: number
  private readonly gpus = new Map<string, Gpu>()
  /** the physical GPUs by index: the per-sample lookup makes no string */
  private readonly byIndex: Array<Gpu | undefined> = []
  private readonly uuidIndex = new Map<string, number>()
  private readonly counters = new Map<string, Counter>()
  private defaultInterval = DEFAULT_INTERVAL_MS
  private latest = -Infinity

  constructor(options: AccountingOptions = {}) {
    const finite = (v: unknown): v is number => typeof v === 'number' && !Number.isNaN(v)
    this.from = finite(options.from) ? options.from : -Infinity
    this.to = finite(options.to) ? options.to : Infinity
    this.threshold = finite(options.threshold) ? options.threshold : DEFAULT_IDLE_THRESHOLD
    this.groupBy = options.groupBy === 'container' || options.groupBy === 'gpu' ? options.groupBy : 'user'
    this.fixedInterval = finite(options.intervalMs) && options.intervalMs > 0 ? options.intervalMs : NaN
    this.countFrom = finite(options.countSamplesFrom) ? options.countSamplesFrom : this.from
  }

  /** The newest time fed so far (ms), or -Infinity. */
  get now(): number {
    return this.latest
  }

  /**
   * One event of either log, routed by its type (spellings folded):
   * gpu.allocate, gpu.release, container.remove, detection.container_exited,
   * alert.gpu_waste, gpu.utilization (a sample), system.startup of the GPU
   * agent (its interval). Returns whether it changed anything.
   */
  feed(event: ParsedEvent): boolean {
    if (!Number.isFinite(event.time)) return false
    const d = event.details
    switch (canonicalEventType(event.event_type)) {
      case 'gpu.utilization': {
        const index = d.gpu_index
        if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) return false
        return this.sample({
          time: event.time,
          gpu_index: index,
          gpu_uuid: text(d.gpu_uuid) ?? undefined,
          name: text(d.name) ?? undefined,
          gpu_util_percent: reading(d.gpu_util_percent),
          mem_util_percent: reading(d.mem_util_percent),
          mem_used_mb: reading(d.mem_used_mb),
          mem_total_mb: reading(d.mem_total_mb),
          temperature_c: reading(d.temperature_c),
          power_w: reading(d.power_w)
        })
      }
      case 'gpu.allocate': return this.allocate(event.time, event.user ?? null, text(d.container), d.gpu)
      case 'gpu.release': return this.release(event.time, text(d.container), d.gpu)
      case 'container.remove': return this.containerEnded(event.time, [text(d.container)])
      case 'detection.container_exited': return this.containerEnded(event.time, [text(d.name), text(d.container_id), text(d.container)])
      case 'alert.gpu_waste': return this.alerted(event.time, text(d.container), d.gpu)
      case 'system.startup':
        if (d.component === 'gpu-monitor' && typeof d.interval_ms === 'number' && d.interval_ms > 0) {
          this.defaultInterval = d.interval_ms
          return true
        }
        return false
      default: return false
    }
  }

  /** A GPU sample. Returns false for one it cannot use (no index, no time). */
  sample(s: GpuSample): boolean {
    const t = s.time
    if (!Number.isFinite(t) || !Number.isInteger(s.gpu_index) || s.gpu_index < 0) return false
    const g = this.physical(s.gpu_index, t)
    if (t < g.sampleTime) return false // older than the GPU's last sample: out of order, already stood for
    this.seen(t)
    if (s.gpu_uuid !== undefined && s.gpu_uuid !== g.uuid) this.learnUuid(g, s.gpu_index, s.gpu_uuid, t)
    if (s.name !== undefined) g.name = s.name
    if (!Number.isNaN(g.sampleTime) && t > g.sampleTime) {
      const gap = t - g.sampleTime
      this.learnGap(g, gap)
      g.coverEnd = g.sampleTime + COVER_INTERVALS * this.intervalOf(g, gap)
    }
    this.advanceGpu(g, t)
    const util = s.gpu_util_percent
    g.sampleTime = t
    g.util = util
    g.coverEnd = t + COVER_INTERVALS * this.intervalOf(g, this.defaultInterval)
    if (s.mem_util_percent !== undefined) g.memUtil = s.mem_util_percent
    if (s.mem_used_mb !== undefined) g.memUsed = s.mem_used_mb
    if (s.mem_total_mb !== undefined) g.memTotal = s.mem_total_mb
    if (s.temperature_c !== undefined) g.temperature = s.temperature_c
    if (s.power_w !== undefined) g.power = s.power_w
    const busy = util !== null && util >= this.threshold
    if (busy) g.lastBusyAt = t
    if (t >= this.countFrom && t <= this.to) {
      const low = util !== null && util < this.threshold
      for (const span of g.spans) {
        if (span.device.kind === 'slice') continue
        span.samples++
        if (low) span.lowSamples++
      }
    }
    if (busy) {
      for (const span of g.spans) if (span.lastAlertAt < t && span.device.kind !== 'slice') span.busyAfterAlert = true
    }
    return true
  }

  /** A `gpu.allocate`: a span starts on each device the `gpu` detail names. */
  allocate(time: number, user: string | null, container: string | null, gpu: unknown): boolean {
    const devices = parseDevices(gpu)
    if (devices.length === 0 || !Number.isFinite(time)) return false
    this.seen(time)
    for (const device of devices) {
      const g = this.recordOf(device, time)
      this.advanceGpu(g, time)
      const held = g.spans.findIndex((s) => s.device.label === device.label)
      if (held >= 0) {
        if (g.spans[held].container === container && g.spans[held].user === user) continue // logged twice: one span
        g.spans.splice(held, 1) // its release was lost: the newer allocation holds it now
      }
      g.spans.push({ user, container, device, since: time, counter: this.counterFor(user, container, device), samples: 0, lowSamples: 0, lastAlertAt: Infinity, busyAfterAlert: false })
    }
    return true
  }

  /** A `gpu.release`: ends the container's spans, on the named devices only when it names some. */
  release(time: number, container: string | null, gpu: unknown): boolean {
    if (!Number.isFinite(time)) return false
    const devices = parseDevices(gpu)
    if (container === null && devices.length === 0) return false
    this.seen(time)
    const labels = devices.map((d) => this.labelOf(d))
    return this.endSpans(time, (span) => (container === null || span.container === container) &&
      (labels.length === 0 || labels.includes(this.labelOf(span.device))))
  }

  /** The container is gone (`container.remove`, `detection.container_exited`): all its spans end. */
  containerEnded(time: number, names: Array<string | null>): boolean {
    const known = names.filter((n): n is string => n !== null)
    if (known.length === 0 || !Number.isFinite(time)) return false
    this.seen(time)
    return this.endSpans(time, (span) => span.container !== null && known.includes(span.container))
  }

  /** An `alert.gpu_waste` was logged for the allocation (container, gpu as allocated). */
  alerted(time: number, container: string | null, gpu: unknown): boolean {
    const labels = parseDevices(gpu).map((d) => this.labelOf(d))
    let found = false
    for (const g of this.gpus.values()) {
      for (const span of g.spans) {
        if (span.container === container && labels.includes(this.labelOf(span.device)) && span.since <= time) {
          span.lastAlertAt = time
          span.busyAfterAlert = false
          found = true
        }
      }
    }
    return found
  }

  /** Counts every GPU's holders up to `time` (ms): call it before reading counters at the end of a window. */
  advance(time: number): void {
    for (const g of this.gpus.values()) this.advanceGpu(g, time)
  }

  /** The GPUs seen in either log, by index (then the others), with holders and last sample. */
  gpuViews(): GpuView[] {
    const out: GpuView[] = []
    for (const g of this.gpus.values()) {
      out.push({
        gpu_index: g.index ?? null,
        gpu_uuid: g.uuid ?? null,
        name: g.name ?? null,
        holders: g.spans.map((s) => this.holderView(g, s)),
        sample: Number.isNaN(g.sampleTime)
          ? null
          : { time: g.sampleTime, gpu_util_percent: g.util, mem_util_percent: g.memUtil, mem_used_mb: g.memUsed, mem_total_mb: g.memTotal, temperature_c: g.temperature, power_w: g.power },
        interval_ms: Number.isNaN(g.interval) ? (Number.isNaN(this.fixedInterval) ? null : this.fixedInterval) : g.interval,
        last_busy_at: Number.isNaN(g.lastBusyAt) ? null : g.lastBusyAt
      })
    }
    return out.sort((a, b) => (a.gpu_index ?? Infinity) - (b.gpu_index ?? Infinity) || String(a.gpu_uuid).localeCompare(String(b.gpu_uuid)))
  }

  /** Every allocation held now. */
  holders(): HolderView[] {
    return this.gpuViews().flatMap((g) => g.holders)
  }

  /** The counters so far, grouped as `groupBy` (counted up to the last advance or record). */
  usage(): UsageCounter[] {
    const merged = new Map<string, UsageCounter>()
    for (const c of this.counters.values()) {
      const gpu = c.gpu === null ? undefined : this.resolveLabel(c.gpu)
      const key = this.groupBy === 'gpu' ? `${gpu}` : this.groupBy === 'container' ? `${c.user}\u0000${c.container}` : `${c.user}`
      let row = merged.get(key)
      if (row === undefined) {
        row = { user: c.user, allocated_s: 0, busy_s: 0, idle_s: 0, unknown_s: 0, util_percent_s: 0 }
        if (this.groupBy === 'container') row.container = c.container
        if (this.groupBy === 'gpu') {
          row.user = null
          row.gpu = gpu
          row.gpu_index = gpu === undefined ? null : this.indexOfLabel(gpu)
        }
        merged.set(key, row)
      }
      row.allocated_s += c.allocated / 1000
      row.busy_s += c.busy / 1000
      row.idle_s += c.idle / 1000
      row.unknown_s += c.unknown / 1000
      row.util_percent_s += c.utilSum / 1000
    }
    return [...merged.values()].filter((r) => r.allocated_s > 0)
  }

  // ---- inside ----

  private seen(time: number): void {
    if (time > this.latest) this.latest = time
  }

  private intervalOf(g: Gpu, fallback: number): number {
    if (!Number.isNaN(this.fixedInterval)) return this.fixedInterval
    return Number.isNaN(g.interval) ? fallback : g.interval
  }

  private learnGap(g: Gpu, gap: number): void {
    g.gaps[g.gapCount % GAP_RING] = gap
    g.gapCount++
    // the median of the last 15 gaps: one long outage or a restart's short gap does not move it
    // (taken after each of the first 15 gaps, then every 60th: a sort per sample would cost more than the rest)
    if (g.gapCount <= GAP_RING || g.gapCount % MEDIAN_EVERY === 0) g.interval = median(g.gaps, Math.min(g.gapCount, GAP_RING))
  }

  private physical(index: number, time: number): Gpu {
    let g = this.byIndex[index]
    if (g === undefined) {
      const key = String(index)
      g = new Gpu(key)
      g.index = index
      g.advancedTo = time
      this.gpus.set(key, g)
      this.byIndex[index] = g
    }
    return g
  }

  /** A sample names the UUID of GPU `index`: allocations made by that UUID join it. */
  private learnUuid(g: Gpu, index: number, uuid: string, time: number): void {
    if (g.uuid !== undefined && this.uuidIndex.get(g.uuid) === index) this.uuidIndex.delete(g.uuid)
    g.uuid = uuid
    this.uuidIndex.set(uuid, index)
    const pending = this.gpus.get(`uuid:${uuid}`)
    if (pending !== undefined) {
      this.advanceGpu(pending, time)
      this.advanceGpu(g, time)
      g.spans.push(...pending.spans)
      this.gpus.delete(pending.key)
    }
  }

  private recordOf(device: Device, time: number): Gpu {
    if (device.kind === 'index' || device.kind === 'slice') return this.physical(device.index, time)
    if (device.kind === 'uuid') {
      const index = this.uuidIndex.get(device.uuid)
      if (index !== undefined) return this.physical(index, time)
    }
    const key = device.kind === 'uuid' ? `uuid:${device.uuid}` : `other:${device.label}`
    let g = this.gpus.get(key)
    if (g === undefined) {
      g = new Gpu(key)
      if (device.kind === 'uuid') g.uuid = device.uuid
      g.advancedTo = time
      this.gpus.set(key, g)
    }
    return g
  }

  /** A device's label with a known UUID turned into its index: what a release or alert is compared by. */
  private labelOf(device: Device): string {
    return this.resolveLabel(device.label)
  }

  private resolveLabel(label: string): string {
    const index = this.uuidIndex.get(label)
    return index === undefined ? label : String(index)
  }

  private indexOfLabel(label: string): number | null {
    const m = /^(\d+)(?::\d+)?$/.exec(label)
    return m === null ? null : Number(m[1])
  }

  private counterFor(user: string | null, container: string | null, device: Device): Counter {
    const gpu = this.groupBy === 'gpu' ? device.label : null
    const c = this.groupBy === 'user' ? null : container
    const key = `${user}\u0000${c}\u0000${gpu}`
    let counter = this.counters.get(key)
    if (counter === undefined) {
      counter = { user, container: c, gpu, allocated: 0, busy: 0, idle: 0, unknown: 0, utilSum: 0 }
      this.counters.set(key, counter)
    }
    return counter
  }

  private endSpans(time: number, matches: (span: Span) => boolean): boolean {
    let ended = false
    for (const g of this.gpus.values()) {
      if (!g.spans.some(matches)) continue
      this.advanceGpu(g, time)
      for (let i = g.spans.length - 1; i >= 0; i--) {
        if (matches(g.spans[i])) {
          g.spans.splice(i, 1)
          ended = true
        }
      }
    }
    return ended
  }

  /** Counts [advancedTo, time) of the window for every holder of g. A time before it (disorder) counts nothing. */
  private advanceGpu(g: Gpu, time: number): void {
    if (!(time > g.advancedTo)) return
    const a = Math.max(g.advancedTo, this.from)
    const b = Math.min(time, this.to)
    g.advancedTo = time
    if (!(b > a) || g.spans.length === 0) return
    const length = b - a
    const covered = Number.isNaN(g.sampleTime) ? 0 : Math.max(0, Math.min(b, g.coverEnd) - a)
    const util = g.util
    for (const span of g.spans) {
      const c = span.counter
      c.allocated += length
      if (span.device.kind === 'slice' || span.device.kind === 'other' || g.index === undefined || util === null) {
        c.unknown += length
        continue
      }
      if (util < this.threshold) c.idle += covered
      else c.busy += covered
      c.utilSum += util * covered
      c.unknown += length - covered
    }
  }

  private holderView(g: Gpu, s: Span): HolderView {
    return {
      user: s.user,
      container: s.container,
      gpu: s.device.label,
      gpu_index: s.device.kind === 'slice' ? s.device.index : g.index ?? null,
      slice: s.device.kind === 'slice' || (s.device.kind === 'other' && /^MIG-/i.test(s.device.label)),
      since: s.since,
      samples: s.samples,
      low_samples: s.lowSamples,
      last_alert_at: Number.isFinite(s.lastAlertAt) ? s.lastAlertAt : null,
      busy_after_alert: s.busyAfterAlert
    }
  }
}
