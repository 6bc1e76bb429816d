// Drives a GpuAccounting over the two logs in one streaming pass: the events
// log's allocation events and the GPU log's samples, merged by time (an event
// before a sample of the same instant). Both go through the reader: rotated
// generations, .gz, generations outside the range never opened, --since by
// bisection. Memory: one chunk of samples at a time, never the window.
import { canonicalEventType } from '../event/index.js'
import {
  drive,
  noSkips,
  openGenerations,
  QueryFilter,
  recordSink,
  type EventRecord,
  type ParsedEvent,
  type SkipCounts
} from '../reader/index.js'
import { SampleBatch, sampleSink } from './sample-sink.js'
import type { GpuAccounting } from './state.js'

/** The event types the accounting reads from the events log (prefixes, as the reader's --type takes them). */
export const ACCOUNTING_EVENT_TYPES = ['gpu.', 'container.remove', 'detection.container_exited', 'alert.gpu_waste', 'system.startup']

export interface FeedOptions {
  eventsPath: string
  gpuPath: string
  /** events are read from here (ms): far enough back for allocations still held */
  eventsSince: number
  /** samples are read from here (ms) */
  samplesSince: number
  /** both are read up to here (ms) */
  until: number
  /** read every reading of each sample (status), not only the utilization */
  readings: boolean
  signal?: AbortSignal
}

export type FeedResult =
  | { ok: true; skips: { events: SkipCounts; samples: SkipCounts } }
  | { ok: false; problem: string }

async function * eventsOf(path: string, generations: Parameters<typeof drive>[0]['generations'], filter: QueryFilter, skips: SkipCounts, signal?: AbortSignal): AsyncGenerator<ParsedEvent> {
  const out: EventRecord[] = []
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  for await (const _ of drive({ path, generations, filter, sink: recordSink(out), skips, signal })) {
    if (out.length === 0) continue
    const batch = out.splice(0)
    for (const record of batch) {
      const event = record.event
      if (canonicalEventType(event.event_type) !== 'gpu.utilization') yield event // samples come from the GPU log
    }
  }
}

function filterFor(since: number, until: number, type?: string[]): QueryFilter | string {
  const parsed = QueryFilter.parse({ since: new Date(since), until: new Date(Math.min(until, 8.64e15)), type })
  return parsed.ok ? parsed.filter : parsed.problem
}

/** Feeds `state` with both logs over their ranges; never throws (a problem comes back as text). */
export async function feedFromLogs(state: GpuAccounting, o: FeedOptions): Promise<FeedResult> {
  const eventsFilter = filterFor(o.eventsSince, o.until, ACCOUNTING_EVENT_TYPES)
  const samplesFilter = filterFor(o.samplesSince, o.until) // no type filter: every line is looked at, so damage is counted
  if (typeof eventsFilter === 'string') return { ok: false, problem: eventsFilter }
  if (typeof samplesFilter === 'string') return { ok: false, problem: samplesFilter }
  const eventGens = await openGenerations(o.eventsPath, false)
  if (!eventGens.ok) return { ok: false, problem: eventGens.problem }
  const sampleGens = await openGenerations(o.gpuPath, false)
  if (!sampleGens.ok) return { ok: false, problem: sampleGens.problem.replace('DS01_EVENTS_FILE', 'DS01_GPU_UTILIZATION_FILE') }
  const skips = { events: noSkips(), samples: noSkips() }
  const events = eventsOf(o.eventsPath, eventGens.generations, eventsFilter, skips.events, o.signal)
  const batch = new SampleBatch()
  try {
    let head = await events.next()
    for await (const _ of drive({ path: o.gpuPath, generations: sampleGens.generations, filter: samplesFilter, sink: sampleSink(batch, skips.samples, o.readings), skips: skips.samples, signal: o.signal })) { // eslint-disable-line @typescript-eslint/no-unused-vars
      const items = batch.items
      for (let i = 0; i < batch.length; i++) {
        const s = items[i]
        while (!head.done && !(head.value.time > s.time)) {
          state.feed(head.value)
          head = await events.next()
        }
        state.sample(s)
      }
      batch.clear()
    }
    while (!head.done) {
      state.feed(head.value)
      head = await events.next()
    }
  } catch (err) {
    return { ok: false, problem: `reading the logs failed: ${err instanceof Error ? err.message : String(err)}` }
  } finally {
    await events.return(undefined)
  }
  return { ok: true, skips }
}

/**
 * The last sample at or over `threshold` per GPU index in (since, until], from
 * the GPU log alone: whether an allocation was busy between its last waste
 * alert and the window. Null on a problem.
 */
export async function lastBusyTimes(gpuPath: string, since: number, until: number, threshold: number, signal?: AbortSignal): Promise<Map<number, number> | string> {
  const filter = filterFor(since, until)
  if (typeof filter === 'string') return filter
  const gens = await openGenerations(gpuPath, false)
  if (!gens.ok) return gens.problem
  const busy = new Map<number, number>()
  const batch = new SampleBatch()
  const skips = noSkips()
  try {
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    for await (const _ of drive({ path: gpuPath, generations: gens.generations, filter, sink: sampleSink(batch, skips, false), skips, signal })) {
      for (let i = 0; i < batch.length; i++) {
        const s = batch.items[i]
        if (s.time > since && s.gpu_util_percent !== null && s.gpu_util_percent >= threshold) busy.set(s.gpu_index, Math.max(s.time, busy.get(s.gpu_index) ?? -Infinity))
      }
      batch.clear()
    }
  } catch (err) {
    return `reading ${gpuPath} failed: ${err instanceof Error ? err.message : String(err)}`
  }
  return busy
}
