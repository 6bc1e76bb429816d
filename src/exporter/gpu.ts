// The GPU metrics, from the GPU accounting's state machine (src/accounting):
// it is primed from the logs at start (holders from the allocation events of
// the last 31 days, the last samples of the last 10 minutes), then fed the
// lines the exporter follows, events and samples merged by time. The
// allocated and idle GPU-seconds counters continue from the saved values:
// counting starts where the saved ones stopped, so none goes down or counts twice.
import { ACCOUNTING_EVENT_TYPES, GpuAccounting, HOLDER_LOOKBACK_MS, SAMPLE_LOOKBACK_MS, SampleBatch, feedFromLogs, sampleSink, type GpuView } from '../accounting/index.js'
import { canonicalEventType } from '../event/index.js'
import { parseEventLine, type FastEnvelope, type LineSink, type ParsedEvent, type SkipCounts } from '../reader/index.js'
import { labelKey } from './metrics.js'
import type { GaugeSpec } from './metrics.js'

/** Users with counters of their own; later ones count under user "other". */
export const MAX_USERS = 500
export const ALLOCATED_FAMILY = { name: 'ds01_gpu_allocated_seconds_total', help: 'GPU-seconds allocated (held), by user: from the allocation events (gpu.allocate until gpu.release or the container\'s end).', labelNames: ['user'] }
export const IDLE_FAMILY = { name: 'ds01_gpu_idle_seconds_total', help: 'GPU-seconds allocated while the GPU\'s samples were under the idle threshold (5 %), by user.', labelNames: ['user'] }

const MIB = 1024 * 1024

function wanted(type: string): boolean {
  const name = canonicalEventType(type)
  return ACCOUNTING_EVENT_TYPES.some((t) => t.endsWith('.') ? name.startsWith(t) : name === t) && name !== 'gpu.utilization'
}

export class GpuMetrics {
  private acc: GpuAccounting
  private readonly batch = new SampleBatch()
  private readonly pending: ParsedEvent[] = []
  /** the saved counters that counting continues from: family -> user -> seconds */
  private base = new Map<string, Map<string, number>>([[ALLOCATED_FAMILY.name, new Map()], [IDLE_FAMILY.name, new Map()]])
  /** what usage() counted is counted from here (ms) */
  countedFrom = Date.now()

  constructor(private readonly eventsPath: string, private readonly gpuPath: string) {
    this.acc = new GpuAccounting({ from: this.countedFrom })
  }

  /** Primes holders and last samples from the logs up to `until`; counting starts at `from` (where the saved counters end). */
  async prime(from: number, until: number, base: Map<string, Map<string, number>> | null): Promise<string | null> {
    this.countedFrom = from
    this.acc = new GpuAccounting({ from })
    if (base !== null) {
      for (const [name, series] of base) this.base.set(name, new Map(series))
    }
    const r = await feedFromLogs(this.acc, { eventsPath: this.eventsPath, gpuPath: this.gpuPath, eventsSince: until - HOLDER_LOOKBACK_MS, samplesSince: until - SAMPLE_LOOKBACK_MS, until, readings: true })
    return r.ok ? null : r.problem
  }

  /** Whether the accounting reads events of this type. */
  wants(type: string): boolean {
    return wanted(type)
  }

  /** For the events log's sink: keeps an event the accounting reads (parsed) for the next feed. */
  eventLine(buf: Buffer, start: number, end: number, event: ParsedEvent | null): void {
    const parsed = event ?? parseEventLine(buf.toString('utf8', start, end))
    if (parsed !== null) this.pending.push(parsed)
  }

  /** A sink for the GPU log's lines: samples read in place into the batch. */
  sampleSink(skips: SkipCounts): LineSink {
    const sink = sampleSink(this.batch, skips, true)
    return (buf: Buffer, start: number, end: number, fast: FastEnvelope | null, event: ParsedEvent | null) => sink(buf, start, end, fast, event)
  }

  /**
   * Feeds what was read: events and samples merged by time (an event first at
   * the same instant). Not `final` (a chunk of the GPU log): events after its
   * last sample wait for the next chunk.
   */
  feed(final: boolean): void {
    const events = this.pending
    events.sort((a, b) => a.time - b.time)
    let e = 0
    const items = this.batch.items
    for (let i = 0; i < this.batch.length; i++) {
      const s = items[i]
      while (e < events.length && !(events[e].time > s.time)) this.acc.feed(events[e++])
      this.acc.sample(s)
    }
    if (final) while (e < events.length) this.acc.feed(events[e++])
    events.splice(0, e)
    this.batch.clear()
  }

  /** The counters' values now (base + what was counted since): family -> series key -> seconds. */
  counters(now: number): Map<string, Map<string, number>> {
    this.acc.advance(now)
    const out = new Map<string, Map<string, number>>()
    for (const [name, series] of this.base) out.set(name, new Map(series))
    const allocated = out.get(ALLOCATED_FAMILY.name) as Map<string, number>
    const idle = out.get(IDLE_FAMILY.name) as Map<string, number>
    for (const row of this.acc.usage()) {
      let user = row.user ?? ''
      if (!allocated.has(labelKey([user])) && allocated.size >= MAX_USERS) user = 'other'
      const key = labelKey([user])
      allocated.set(key, (allocated.get(key) ?? 0) + row.allocated_s)
      idle.set(key, (idle.get(key) ?? 0) + row.idle_s)
    }
    return out
  }

  /** The gauges, read from the state machine at each scrape. */
  gauges(): GaugeSpec[] {
    const views = (): GpuView[] => this.acc.gpuViews().filter((g) => g.gpu_index !== null)
    const ids = (g: GpuView): Record<string, string> => ({ gpu_index: String(g.gpu_index), gpu_uuid: g.gpu_uuid ?? '' })
    const reading = (name: string, help: string, pick: (s: NonNullable<GpuView['sample']>) => number | null, scale = 1): GaugeSpec => ({
      name,
      help,
      labelNames: ['gpu_index', 'gpu_uuid'],
      read: () => {
        const out: Array<[Record<string, string>, number]> = []
        for (const g of views()) {
          const v = g.sample === null ? null : pick(g.sample)
          if (v !== null) out.push([ids(g), v * scale])
        }
        return out
      }
    })
    return [
      reading('ds01_gpu_utilization_percent', 'GPU utilization of the last sample (%); absent when the driver gives none (a MIG-enabled GPU).', (s) => s.gpu_util_percent),
      reading('ds01_gpu_memory_utilization_percent', 'GPU memory controller utilization of the last sample (%).', (s) => s.mem_util_percent),
      reading('ds01_gpu_memory_used_bytes', 'GPU memory used, last sample.', (s) => s.mem_used_mb, MIB),
      reading('ds01_gpu_memory_total_bytes', 'GPU memory in all, last sample.', (s) => s.mem_total_mb, MIB),
      reading('ds01_gpu_temperature_celsius', 'GPU temperature of the last sample.', (s) => s.temperature_c),
      reading('ds01_gpu_power_watts', 'GPU power draw of the last sample.', (s) => s.power_w),
      {
        name: 'ds01_gpu_sample_age_seconds',
        help: 'Seconds since the GPU\'s last sample: large when the GPU agent is down.',
        labelNames: ['gpu_index', 'gpu_uuid'],
        read: () => views().filter((g) => g.sample !== null).map((g) => [ids(g), Math.max(0, (Date.now() - (g.sample?.time ?? 0)) / 1000)])
      },
      {
        name: 'ds01_gpu_allocation_info',
        help: '1 for each GPU held: gpu_index, the device as allocated (gpu: "3", "3:1", a UUID), user, container.',
        labelNames: ['gpu_index', 'gpu', 'user', 'container'],
        read: () => this.acc.holders().map((h) => [{ gpu_index: h.gpu_index === null ? '' : String(h.gpu_index), gpu: h.gpu, user: h.user ?? '', container: h.container ?? '' }, 1])
      }
    ]
  }
}
