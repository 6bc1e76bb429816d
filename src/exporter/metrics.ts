// What /metrics shows, through prom-client. Counters show only values that
// are already saved in the state file (so a restart, SIGKILL included, never
// shows less), and a series that appears with a new label pair is shown at 0
// for one scrape before its count is added, so that increase() sees its
// first event too.
import { Counter, Gauge, Registry } from 'prom-client'
import { splitKey } from './counts.js'

/** A counter family whose true values live elsewhere (the state): name, help, label names. */
export interface FamilySpec {
  name: string
  help: string
  labelNames: string[]
}

type Labels = Record<string, string>

/** Label values joined (the key of a series in the state's `counters`). */
export function labelKey(values: string[]): string {
  return values.join('\u0000')
}

export function labelValues(key: string, n: number): string[] {
  const values = key.split('\u0000')
  while (values.length < n) values.push('')
  return values.slice(0, n)
}

class PublishedFamily {
  readonly counter: Counter
  /** series key -> value shown */
  private readonly shown = new Map<string, number>()
  /** series key -> scrape number at which it was first shown at 0 (its count waits for a later scrape) */
  private readonly waiting = new Map<string, number>()

  constructor(readonly spec: FamilySpec, registry: Registry) {
    this.counter = new Counter({ name: spec.name, help: spec.help, labelNames: spec.labelNames, registers: [registry] })
  }

  private labels(key: string): Labels {
    const values = labelValues(key, this.spec.labelNames.length)
    const out: Labels = {}
    this.spec.labelNames.forEach((name, i) => { out[name] = values[i] })
    return out
  }

  get waitingCount(): number {
    return this.waiting.size
  }

  /** Shows these values; `known` series (restored from the state, or at 0 from the start) are shown at once. */
  publish(values: Iterable<[string, number]>, scrapes: number, known: boolean): void {
    for (const [key, value] of values) {
      const before = this.shown.get(key)
      if (before === undefined) {
        this.counter.inc(this.labels(key), known ? value : 0)
        this.shown.set(key, known ? value : 0)
        if (!known && value > 0) this.waiting.set(key, scrapes)
        continue
      }
      const since = this.waiting.get(key)
      if (since !== undefined) {
        if (scrapes <= since) continue
        this.waiting.delete(key)
      }
      if (value > before) {
        this.counter.inc(this.labels(key), value - before)
        this.shown.set(key, value)
      }
    }
  }
}

export interface GaugeSpec {
  name: string
  help: string
  labelNames: string[]
  /** the current values, read at each scrape */
  read: () => Iterable<[Labels, number]> | Promise<Iterable<[Labels, number]>>
}

export class ExporterMetrics {
  readonly registry = new Registry()
  private readonly families = new Map<string, PublishedFamily>()
  /** scrapes served (a new series waits for one before its count shows) */
  scrapes = 0

  constructor(families: FamilySpec[], gauges: GaugeSpec[], processMetrics = true) {
    for (const spec of families) this.families.set(spec.name, new PublishedFamily(spec, this.registry))
    for (const g of gauges) {
      const gauge: Gauge = new Gauge({
        name: g.name,
        help: g.help,
        labelNames: g.labelNames,
        registers: [this.registry],
        async collect() {
          const values = await g.read()
          gauge.reset()
          for (const [labels, value] of values) gauge.set(labels, value)
        }
      })
    }
    if (processMetrics) processMetricsOf(this.registry)
  }

  /** Shows a family's saved values (`key` as labelKey makes it). */
  publish(name: string, values: Iterable<[string, number]>, known = false): void {
    const family = this.families.get(name)
    if (family === undefined) throw new Error(`no counter family ${name}`)
    family.publish(values, this.scrapes, known)
  }

  /** Whether a new series waits for a scrape before its count shows. */
  get waiting(): boolean {
    for (const family of this.families.values()) if (family.waitingCount > 0) return true
    return false
  }

  /** The text format of everything, for one scrape. */
  async scrape(): Promise<string> {
    const text = await this.registry.metrics()
    this.scrapes++
    return text
  }

  get contentType(): string {
    return this.registry.contentType
  }
}

/** Event counts (pair key -> n) as a family's values: the key's two parts are the labels. */
export function * pairValues(counts: Map<string, number>): Iterable<[string, number]> {
  for (const [key, n] of counts) {
    const [type, source] = splitKey(key)
    yield [labelKey([type, source]), n]
  }
}

/**
 * The process's own numbers, read at each scrape. Not prom-client's default
 * metrics: those keep an event loop histogram ticking (a wake-up every 10 ms)
 * and name three gauges like counters, which promtool refuses.
 */
function processMetricsOf(registry: Registry): void {
  const startedAt = Math.round(Date.now() / 1000 - process.uptime())
  let cpuShown = 0
  const cpu: Counter = new Counter({
    name: 'process_cpu_seconds_total',
    help: 'User and system CPU time of the exporter, in seconds.',
    registers: [registry],
    collect() {
      const u = process.cpuUsage()
      const now = (u.user + u.system) / 1e6
      if (now > cpuShown) {
        cpu.inc(now - cpuShown)
        cpuShown = now
      }
    }
  })
  const gauges: Array<[string, string, () => number]> = [
    ['process_start_time_seconds', 'Start time of the exporter since the epoch, in seconds.', () => startedAt],
    ['process_resident_memory_bytes', 'Resident memory of the exporter, in bytes.', () => process.memoryUsage.rss()],
    ['nodejs_heap_size_used_bytes', 'V8 heap in use, in bytes.', () => process.memoryUsage().heapUsed]
  ]
  for (const [name, help, read] of gauges) {
    const gauge: Gauge = new Gauge({ name, help, registers: [registry], collect() { gauge.set(read()) } })
  }
}
