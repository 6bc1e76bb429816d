// The exporter: follows the event log (and the GPU log), counts, saves the
// counts with the position they end at, then shows them. The order matters:
// a value is shown only once it is saved, so no restart shows less.
import { createServer, type Server } from 'node:http'
import { resolveEventsFile, resolveGpuUtilizationFile } from '../common/index.js'
import { parseEventLine, utf8Text, type LineSink } from '../reader/index.js'
import { EventCounts } from './counts.js'
import { ExporterMetrics, labelKey, labelValues, pairValues, type FamilySpec, type GaugeSpec } from './metrics.js'
import { loadState, positionsOf, savedPositions, saveState, STATE_VERSION, type LogState, type SavedState } from './state.js'
import { LogTail } from './tail.js'
import { ALLOCATED_FAMILY, GpuMetrics, IDLE_FAMILY } from './gpu.js'
import { noSkips } from '../reader/index.js'

export const DEFAULT_LISTEN = { host: '127.0.0.1', port: 19101 }
export const DEFAULT_STATE_DIR = '/var/lib/ds01-events'
/** Components of `events_refused` (system.shutdown) with a series of their own; later ones count under "other". */
const MAX_COMPONENTS = 50

export interface ExporterOptions {
  /** the event log (default $DS01_EVENTS_FILE, else /var/log/ds01/events.jsonl) */
  eventsFile?: string
  /** the GPU log (default $DS01_GPU_UTILIZATION_FILE, else /var/log/ds01/gpu-utilization.jsonl); null: none */
  gpuFile?: string | null
  stateDir?: string
  host?: string
  /** 0: any free port (see address) */
  port?: number
  /** how often the logs are looked at (ms) */
  pollMs?: number
  /** how often new counts are saved, then shown (ms) */
  saveMs?: number
  /** what it says (start, bad state, failures): default stderr */
  onMessage?: (message: string) => void
  /** prom-client's process metrics (default true) */
  processMetrics?: boolean
}

export type StartMode = 'resumed' | 'first_start' | 'bad_state' | 'other_log' | 'position_lost'

const EVENTS_FAMILY: FamilySpec = { name: 'ds01_events_total', help: 'Events appended to the DS01 event log, by type (spellings folded into the registry name) and source; exact across rotations and restarts.', labelNames: ['event_type', 'source'] }
const REFUSED_FAMILY: FamilySpec = { name: 'ds01_events_refused_total', help: 'Events a writer could not log, as its system.shutdown event reports them (kind: refused or dropped).', labelNames: ['component', 'kind'] }
const SKIPPED_FAMILY: FamilySpec = { name: 'ds01_exporter_lines_skipped_total', help: 'Lines of a log the exporter could not read as events, by kind (unreadable: not a JSON event; torn: a last line without its newline).', labelNames: ['log', 'kind'] }
const GENERATIONS_FAMILY: FamilySpec = { name: 'ds01_exporter_generations_read_total', help: 'Rotated files (generations) of a log read to their end.', labelNames: ['log'] }
const SAVES_FAMILY: FamilySpec = { name: 'ds01_exporter_state_saves_total', help: 'State file writes, by result (ok, failed).', labelNames: ['result'] }

interface FollowedLog {
  name: 'events' | 'gpu'
  tail: LogTail
}

export class Exporter {
  readonly counts = new EventCounts()
  /** family name -> series key -> value: counters kept in the state besides the event counts */
  readonly saved = new Map<string, Map<string, number>>([[REFUSED_FAMILY.name, new Map()]])
  readonly metrics: ExporterMetrics
  startMode: StartMode = 'first_start'
  private readonly logs: FollowedLog[] = []
  private readonly stateDir: string
  private readonly say: (message: string) => void
  private server: Server | null = null
  private timer: NodeJS.Timeout | null = null
  private running: Promise<void> | null = null
  private stopped = false
  private following = false
  private lastSave = 0
  private savedTotal = -1
  private savedAt = Date.now()
  private readonly saves = new Map([['ok', 0], ['failed', 0]])
  private lastFailureNote = 0
  private readonly gpu: GpuMetrics | null = null
  private readonly texts = new Map<string, string>()
  private readonly wanted = new Map<string, boolean>()
  /** GPU lines whose envelope reads but whose sample does not */
  private readonly sampleSkips = noSkips()
  /** the values saved last: what /metrics shows */
  private shownCounts = new Map<string, number>()
  private shownSaved = new Map<string, Map<string, number>>()

  constructor(private readonly o: ExporterOptions = {}) {
    this.stateDir = o.stateDir ?? DEFAULT_STATE_DIR
    this.say = o.onMessage ?? ((m) => process.stderr.write(`ds01-events exporter: ${m}\n`))
    const eventsPath = resolveEventsFile(o.eventsFile)
    const gpuPath = o.gpuFile === null ? null : resolveGpuUtilizationFile(o.gpuFile)
    if (gpuPath !== null) this.gpu = new GpuMetrics(eventsPath, gpuPath)
    this.logs.push({ name: 'events', tail: new LogTail({ path: eventsPath, sink: this.eventSink(), onMessage: (m) => this.say(m) }) })
    if (gpuPath !== null) this.logs.push({ name: 'gpu', tail: new LogTail({ path: gpuPath, sink: this.gpuSink(), onChunk: () => this.gpu?.feed(false), onMessage: (m) => this.say(m) }) })
    const gauges: GaugeSpec[] = [
      { name: 'ds01_exporter_read_lag_bytes', help: 'Bytes written to a log that the exporter has not read yet.', labelNames: ['log'], read: () => this.lagBytes() },
      { name: 'ds01_exporter_read_lag_seconds', help: 'Age of the values shown: seconds since the counts were last saved with their position.', labelNames: [], read: () => [[{}, (Date.now() - this.savedAt) / 1000]] },
      { name: 'ds01_exporter_start_info', help: 'How this exporter started: resumed from its state, first_start, bad_state, other_log, position_lost.', labelNames: ['mode'], read: () => [[{ mode: this.startMode }, 1]] }
    ]
    const families = [EVENTS_FAMILY, REFUSED_FAMILY, SKIPPED_FAMILY, GENERATIONS_FAMILY, SAVES_FAMILY]
    if (this.gpu !== null) {
      families.push(ALLOCATED_FAMILY, IDLE_FAMILY)
      gauges.push(...this.gpu.gauges())
      this.saved.set(ALLOCATED_FAMILY.name, new Map())
      this.saved.set(IDLE_FAMILY.name, new Map())
    }
    this.metrics = new ExporterMetrics(families, gauges, o.processMetrics !== false)
  }

  private async lagBytes(): Promise<Array<[Record<string, string>, number]>> {
    const out: Array<[Record<string, string>, number]> = []
    for (const log of this.logs) out.push([{ log: log.name }, await log.tail.lagBytes()])
    return out
  }

  /** The text of an envelope field read in place (latin1), cached: a log repeats a few types and sources. */
  private text(raw: string): string {
    let t = this.texts.get(raw)
    if (t === undefined) {
      t = utf8Text(raw)
      if (this.texts.size < 4096) this.texts.set(raw, t)
    }
    return t
  }

  private wants(type: string): boolean {
    let w = this.wanted.get(type)
    if (w === undefined) {
      w = this.gpu?.wants(type) ?? false
      if (this.wanted.size < 4096) this.wanted.set(type, w)
    }
    return w
  }

  private eventSink(): LineSink {
    return (buf, start, end, fast, event) => {
      if (fast !== null) {
        const type = this.text(fast.type)
        this.counts.add(type, fast.source === undefined ? undefined : this.text(fast.source))
        if (type === 'system.shutdown') this.onShutdown(parseEventLine(buf.toString('utf8', start, end))?.details)
        if (this.wants(type)) this.gpu?.eventLine(buf, start, end, null)
      } else if (event !== null) {
        this.counts.add(event.event_type, event.source)
        if (event.event_type === 'system.shutdown') this.onShutdown(event.details)
        if (this.wants(event.event_type)) this.gpu?.eventLine(buf, start, end, event)
      }
    }
  }

  private gpuSink(): LineSink {
    const samples = this.gpu?.sampleSink(this.sampleSkips)
    return (buf, start, end, fast, event) => {
      if (fast !== null) this.counts.add(this.text(fast.type), fast.source === undefined ? undefined : this.text(fast.source))
      else if (event !== null) this.counts.add(event.event_type, event.source)
      samples?.(buf, start, end, fast, event)
    }
  }

  /** events_refused / events_dropped of a writer's system.shutdown. */
  private onShutdown(details: Record<string, unknown> | undefined): void {
    if (details === undefined) return
    const family = this.saved.get(REFUSED_FAMILY.name) as Map<string, number>
    let component = typeof details.component === 'string' && details.component !== '' && details.component.length <= 128 ? details.component : 'unknown'
    for (const kind of ['refused', 'dropped']) {
      const n = details[`events_${kind}`]
      if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) continue
      if (!family.has(labelKey([component, kind])) && family.size >= 2 * MAX_COMPONENTS) component = 'other'
      const key = labelKey([component, kind])
      family.set(key, (family.get(key) ?? 0) + n)
    }
  }

  /** Listens, loads the state, resumes reading; then follows until stop(). */
  async start(): Promise<{ ok: true; host: string; port: number } | { ok: false; problem: string }> {
    const host = this.o.host ?? DEFAULT_LISTEN.host
    const port = this.o.port ?? DEFAULT_LISTEN.port
    const listened = await this.listen(host, port)
    if (!listened.ok) return listened
    await this.resume()
    this.following = true
    try {
      this.save()
    } catch (err) {
      this.say(`cannot write its state in ${this.stateDir}: ${(err as Error).message}; the counters shown stay where the last saved state left them`)
    }
    this.publishHealth()
    this.schedule()
    return listened
  }

  private listen(host: string, port: number): Promise<{ ok: true; host: string; port: number } | { ok: false; problem: string }> {
    const server = createServer((req, res) => {
      const url = (req.url ?? '/').split('?')[0]
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end()
        return
      }
      if (url === '/metrics') {
        this.metrics.scrape().then(
          (text) => res.writeHead(200, { 'content-type': this.metrics.contentType }).end(req.method === 'HEAD' ? undefined : text),
          (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(err)}\n`)
        )
      } else if (url === '/') {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ds01-events exporter: metrics at /metrics\n')
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: metrics are at /metrics\n')
      }
    })
    return new Promise((resolve) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        const problem = err.code === 'EADDRINUSE'
          ? `${host}:${port} is already in use (another exporter, or another program): stop it, or choose another address with --listen ADDR:PORT`
          : err.code === 'EADDRNOTAVAIL'
            ? `cannot listen on ${host}:${port}: no such local address (--listen ADDR:PORT)`
            : err.code === 'EACCES'
              ? `cannot listen on ${host}:${port}: permission denied (ports below 1024 need privileges)`
              : `cannot listen on ${host}:${port}: ${err.message}`
        resolve({ ok: false, problem })
      })
      server.listen({ host, port }, () => {
        this.server = server
        const address = server.address()
        resolve({ ok: true, host, port: typeof address === 'object' && address !== null ? address.port : port })
      })
    })
  }

  private async resume(): Promise<void> {
    await this.resumeLogs()
    this.gpu?.feed(true)
  }

  /** The GPU accounting primed from the logs: counting from `from` (where saved counters end), on top of `base`. */
  private async primeGpu(from: number, base: Map<string, Map<string, number>> | null): Promise<void> {
    if (this.gpu === null) return
    const problem = await this.gpu.prime(from, from, base)
    if (problem !== null) this.say(`GPU accounting: ${problem} (the GPU metrics start from what is logged from now on)`)
  }

  private async resumeLogs(): Promise<void> {
    const loaded = loadState(this.stateDir)
    if (loaded.kind !== 'ok' || loaded.state.events.path !== this.logs[0].tail.path) await this.primeGpu(Date.now(), null)
    if (loaded.kind === 'none') {
      this.startMode = 'first_start'
      this.say(`no state in ${this.stateDir} (a first start, or it was deleted): counting from the end of the logs, counters from 0`)
      for (const log of this.logs) await log.tail.startAtEnd()
      return
    }
    if (loaded.kind === 'bad') {
      this.startMode = 'bad_state'
      this.say(`${loaded.problem}${loaded.movedTo === null ? '' : `; moved to ${loaded.movedTo}`}. Starting fresh: counters from 0, counting from the end of the logs (nothing is counted twice; events written since the last good state are not counted)`)
      for (const log of this.logs) await log.tail.startAtEnd()
      return
    }
    const state = loaded.state
    if (state.events.path !== this.logs[0].tail.path) {
      this.startMode = 'other_log'
      this.say(`the state in ${this.stateDir} belongs to another log (${state.events.path}, not ${this.logs[0].tail.path}). Starting fresh: counters from 0, counting from the end of the logs`)
      for (const log of this.logs) await log.tail.startAtEnd()
      return
    }
    this.counts.restore(state.counts)
    for (const [name, series] of Object.entries(state.counters)) {
      const family = this.saved.get(name)
      if (family !== undefined) for (const [key, value] of Object.entries(series)) family.set(key, value)
    }
    const accounting = state.accounting as { counted_to?: unknown } | undefined
    const countedTo = typeof accounting?.counted_to === 'number' ? accounting.counted_to : Date.parse(state.saved_at)
    await this.primeGpu(Number.isFinite(countedTo) ? countedTo : Date.now(), new Map([ALLOCATED_FAMILY.name, IDLE_FAMILY.name].map((n) => [n, new Map(this.saved.get(n) ?? [])])))
    this.snapshot()
    this.publishSaved(true)
    this.startMode = 'resumed'
    for (const log of this.logs) {
      const saved: LogState | undefined = log.name === 'events' ? state.events : state.gpu
      if (saved === undefined || saved.path !== log.tail.path) {
        await log.tail.startAtEnd()
        continue
      }
      const r = await log.tail.resume(positionsOf(saved))
      if (!r.resumed) {
        // (it started at the end of the log instead)
        this.startMode = 'position_lost'
        this.say(`${r.problem}: it was replaced, or rotated out before the exporter ran again. Keeping the counters (they never go down), counting from the end of ${log.tail.path}; events written to the lost file after the saved position are not counted`)
      }
    }
  }

  private schedule(): void {
    if (this.stopped) return
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => {
        this.running = null
        this.schedule()
      })
    }, this.o.pollMs ?? 500)
  }

  private async tick(): Promise<void> {
    try {
      for (const log of this.logs) await log.tail.poll()
    } catch (err) {
      this.say(`reading failed (it goes on at the next look): ${(err as Error).message}`)
    }
    this.gpu?.feed(true)
    if (Date.now() - this.lastSave >= (this.o.saveMs ?? 5000)) this.saveAndPublish()
    if (this.metrics.waiting) this.publishSaved(false)
    this.publishHealth()
  }

  private saveAndPublish(): void {
    if (this.counts.total === this.savedTotal && this.gpu === null) return
    try {
      this.save()
    } catch (err) {
      this.saves.set('failed', (this.saves.get('failed') ?? 0) + 1)
      if (Date.now() - this.lastFailureNote > 60_000) {
        this.lastFailureNote = Date.now()
        this.say(`cannot save its state in ${this.stateDir}: ${(err as Error).message}; the counters shown wait until it can (at most one note a minute)`)
      }
    }
  }

  private state(): SavedState {
    const now = Date.now()
    if (this.gpu !== null) for (const [name, series] of this.gpu.counters(now)) this.saved.set(name, series)
    const counters: Record<string, Record<string, number>> = {}
    for (const [name, series] of this.saved) counters[name] = Object.fromEntries(series)
    const logState = (log: FollowedLog | undefined): LogState | undefined => log === undefined ? undefined : { path: log.tail.path, position: savedPositions(log.tail.position()) }
    return {
      version: STATE_VERSION,
      saved_at: new Date().toISOString(),
      events: logState(this.logs[0]) as LogState,
      gpu: logState(this.logs[1]),
      counts: this.counts.entries(),
      counters,
      accounting: this.gpu === null ? undefined : { counted_to: now }
    }
  }

  /** Saves counts and positions together, then shows the counts. */
  private save(): void {
    const total = this.counts.total
    saveState(this.stateDir, this.state())
    this.saves.set('ok', (this.saves.get('ok') ?? 0) + 1)
    this.lastSave = Date.now()
    this.savedAt = this.lastSave
    this.savedTotal = total
    this.snapshot()
    this.publishSaved(false)
  }

  /** Shows the values as last saved (a new series shows at 0 until a scrape has seen it). */
  private publishSaved(known: boolean): void {
    this.metrics.publish(EVENTS_FAMILY.name, pairValues(this.shownCounts), known)
    for (const [name, series] of this.shownSaved) this.metrics.publish(name, series, known)
  }

  private snapshot(): void {
    this.shownCounts = new Map(this.counts.counts)
    this.shownSaved = new Map([...this.saved].map(([name, series]) => [name, new Map(series)]))
  }

  private publishHealth(): void {
    const skipped: Array<[string, number]> = []
    const generations: Array<[string, number]> = []
    for (const log of this.logs) {
      const unreadable = log.tail.skips.unreadable + (log.name === 'gpu' ? this.sampleSkips.unreadable : 0)
      skipped.push([labelKey([log.name, 'unreadable']), unreadable], [labelKey([log.name, 'torn']), log.tail.skips.torn])
      generations.push([labelKey([log.name]), log.tail.generations])
    }
    this.metrics.publish(SKIPPED_FAMILY.name, skipped, true)
    this.metrics.publish(GENERATIONS_FAMILY.name, generations, true)
    this.metrics.publish(SAVES_FAMILY.name, [...this.saves].map(([k, v]) => [labelKey([k]), v]), true)
  }

  /** Stops following, saves a last time, closes the server. */
  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer !== null) clearTimeout(this.timer)
    if (this.running !== null) await this.running
    try {
      // (only once it has resumed: a start that failed saves nothing)
      if (this.following) {
        for (const log of this.logs) await log.tail.poll()
        this.gpu?.feed(true)
        if (this.counts.total !== this.savedTotal || this.gpu !== null) this.save()
      }
    } catch (err) {
      this.say(`the last save failed: ${(err as Error).message}`)
    }
    for (const log of this.logs) await log.tail.close()
    const server = this.server
    this.server = null
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

export { labelValues }
