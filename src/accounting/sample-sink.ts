// The GPU log's lines as samples, for the reader's scanner. A line exactly as
// the agent writes it (the v1 envelope, then the details in the agent's fixed
// order, no escapes) is read in place: no JSON.parse, no string per line. Any
// other line is parsed; one that is not an event is counted as damage.
import { canonicalEventType } from '../event/index.js'
import { parseEventLine, type FastEnvelope, type LineSink, type ParsedEvent, type SkipCounts } from '../reader/index.js'
import type { GpuSample } from './state.js'

const DETAILS = Buffer.from(',"details":{"gpu_index":')
/** Where the agent's own lines have their details: after `"schema_version":"1"` (94 bytes in) and its source. */
const AGENT_DETAILS_AT = 94
const AGENT_DETAILS = Buffer.from(',"source":"gpu-monitor","details":{"gpu_index":')
const UUID_LENGTH = 40 // GPU-8-4-4-4-12
const UUID = Buffer.from(',"gpu_uuid":"')
const NAME = Buffer.from(',"name":"')
const UTIL = Buffer.from(',"gpu_util_percent":')
const READING_KEYS = ['mem_util_percent', 'mem_used_mb', 'mem_total_mb', 'temperature_c', 'power_w'] as const
const READINGS = READING_KEYS.map((k) => Buffer.from(`,"${k}":`))
const QUOTE = 0x22

function at(buf: Buffer, pos: number, end: number, literal: Buffer): boolean {
  if (pos + literal.length > end) return false
  for (let i = 0; i < literal.length; i++) if (buf[pos + i] !== literal[i]) return false
  return true
}

/**
 * A key `,"name":` at pos, checked by its ends and its first letter: inside a
 * line already known to be the agent's up to here, that tells the agent's keys
 * apart at a third of a full comparison; a line that is not exactly the
 * agent's fails a later check (the closing `}}` at its end) if not this one.
 */
function keyAt(buf: Buffer, pos: number, end: number, literal: Buffer): boolean {
  const n = literal.length
  return pos + n <= end && buf[pos] === 0x2c && buf[pos + 1] === QUOTE && buf[pos + 2] === literal[2] && buf[pos + n - 2] === literal[n - 2] && buf[pos + n - 1] === literal[n - 1]
}

/** Where a JSON number or null at buf[pos] ends, and its value; NaN value when it is neither. */
class NumberReader {
  value = NaN
  end = 0

  read(buf: Buffer, pos: number, end: number): boolean {
    if (buf[pos] === 0x6e /* n */) {
      if (pos + 4 <= end && buf[pos + 1] === 0x75 && buf[pos + 2] === 0x6c && buf[pos + 3] === 0x6c) {
        this.value = NaN
        this.end = pos + 4
        return true
      }
      return false
    }
    let i = pos
    let negative = false
    if (buf[i] === 0x2d) { negative = true; i++ }
    let int = 0
    const digitsFrom = i
    while (i < end && buf[i] >= 0x30 && buf[i] <= 0x39) int = int * 10 + buf[i++] - 0x30
    if (i === digitsFrom) return false
    let value = int
    if (buf[i] === 0x2e) {
      i++
      let scale = 1
      let frac = 0
      const fracFrom = i
      while (i < end && buf[i] >= 0x30 && buf[i] <= 0x39) { frac = frac * 10 + buf[i++] - 0x30; scale *= 10 }
      if (i === fracFrom) return false
      value = int + frac / scale
    }
    if (buf[i] === 0x65 || buf[i] === 0x45) {
      // an exponent: rare; the exact text decides
      i++
      if (buf[i] === 0x2b || buf[i] === 0x2d) i++
      while (i < end && buf[i] >= 0x30 && buf[i] <= 0x39) i++
      value = Number(buf.toString('latin1', negative ? pos + 1 : pos, i))
    }
    this.value = negative ? -value : value
    this.end = i
    return true
  }
}

/** The v1 timestamp at buf[ts] (27 bytes) in ms; the day's start is cached. */
class TimestampReader {
  private readonly day = Buffer.alloc(10)
  private dayMs = NaN

  read(buf: Buffer, ts: number): number {
    let same = !Number.isNaN(this.dayMs)
    for (let i = 0; same && i < 10; i++) if (buf[ts + i] !== this.day[i]) same = false
    if (!same) {
      buf.copy(this.day, 0, ts, ts + 10)
      this.dayMs = Date.parse(`${buf.toString('latin1', ts, ts + 10)}T00:00:00Z`)
    }
    const h = (buf[ts + 11] - 0x30) * 10 + buf[ts + 12] - 0x30
    const m = (buf[ts + 14] - 0x30) * 10 + buf[ts + 15] - 0x30
    const s = (buf[ts + 17] - 0x30) * 10 + buf[ts + 18] - 0x30
    let micros = 0
    for (let k = 20; k < 26; k++) micros = micros * 10 + buf[ts + k] - 0x30
    return this.dayMs + ((h * 60 + m) * 60 + s) * 1000 + micros / 1000
  }
}

/** Samples of one chunk, in objects reused from chunk to chunk. */
export class SampleBatch {
  readonly items: GpuSample[] = []
  length = 0
  /** lines read in place, and lines that had to be parsed (not exactly the agent's shape) */
  inPlace = 0
  parsed = 0

  next(): GpuSample {
    if (this.length === this.items.length) this.items.push({ time: 0, gpu_index: 0, gpu_util_percent: null })
    return this.items[this.length++]
  }

  clear(): void {
    this.length = 0
  }
}

function reading(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

/** A sample from a parsed event (a line that is not the agent's own shape); false when it is none. */
export function sampleFromEvent(event: ParsedEvent, out: GpuSample): boolean {
  if (canonicalEventType(event.event_type) !== 'gpu.utilization' || !Number.isFinite(event.time)) return false
  const d = event.details
  if (typeof d.gpu_index !== 'number' || !Number.isInteger(d.gpu_index) || d.gpu_index < 0) return false
  out.time = event.time
  out.gpu_index = d.gpu_index
  out.gpu_uuid = typeof d.gpu_uuid === 'string' && d.gpu_uuid !== '' ? d.gpu_uuid : undefined
  out.name = typeof d.name === 'string' && d.name !== '' ? d.name : undefined
  out.gpu_util_percent = reading(d.gpu_util_percent)
  out.mem_util_percent = reading(d.mem_util_percent)
  out.mem_used_mb = reading(d.mem_used_mb)
  out.mem_total_mb = reading(d.mem_total_mb)
  out.temperature_c = reading(d.temperature_c)
  out.power_w = reading(d.power_w)
  return true
}

/**
 * A sink that turns matching lines into samples in `batch`. With `readings`,
 * every reading is read (status, the exporter); without, only the index, the
 * UUID (when it changes) and the utilization (usage, waste).
 */
export function sampleSink(batch: SampleBatch, skips: SkipCounts, readings: boolean): LineSink {
  const num = new NumberReader()
  const ts = new TimestampReader()
  // the last UUID and name seen per index, as bytes: a line repeating them makes no string
  const uuids: Array<{ bytes: Buffer; text: string } | undefined> = []
  const names: Array<{ bytes: Buffer; text: string } | undefined> = []
  const cached = (cache: typeof uuids, index: number, buf: Buffer, from: number, to: number): string => {
    const c = cache[index]
    if (c !== undefined && c.bytes.length === to - from) {
      let same = true
      for (let i = 0; i < c.bytes.length; i++) if (buf[from + i] !== c.bytes[i]) { same = false; break }
      if (same) return c.text
    }
    const text = buf.toString('utf8', from, to)
    cache[index] = { bytes: Buffer.from(buf.subarray(from, to)), text }
    return text
  }

  /** The agent's shape, read in place; false when the line is not exactly that. */
  const fast = (buf: Buffer, end: number, env: FastEnvelope): boolean => {
    if (env.type !== 'gpu.utilization') return false
    let p: number
    const start = env.tsStart - 14
    if (env.user === undefined && at(buf, start + AGENT_DETAILS_AT, end, AGENT_DETAILS)) {
      p = start + AGENT_DETAILS_AT + AGENT_DETAILS.length
    } else {
      const d = buf.indexOf(DETAILS, env.tsStart)
      if (d < 0 || d >= end) return false
      p = d + DETAILS.length
    }
    if (!num.read(buf, p, end) || Number.isNaN(num.value) || !Number.isInteger(num.value) || num.value < 0) return false
    const index = num.value
    p = num.end
    if (!keyAt(buf, p, end, UUID)) return false
    const uuidFrom = p + UUID.length
    const uuidTo = buf[uuidFrom + UUID_LENGTH] === QUOTE && uuidFrom + UUID_LENGTH < end ? uuidFrom + UUID_LENGTH : buf.indexOf(QUOTE, uuidFrom)
    if (uuidTo < 0 || uuidTo >= end) return false
    p = uuidTo + 1
    if (!keyAt(buf, p, end, NAME)) return false
    const nameFrom = p + NAME.length
    const known = names[index]
    const nameTo = known !== undefined && nameFrom + known.bytes.length < end && buf[nameFrom + known.bytes.length] === QUOTE ? nameFrom + known.bytes.length : buf.indexOf(QUOTE, nameFrom)
    if (nameTo < 0 || nameTo >= end) return false
    p = nameTo + 1
    if (!keyAt(buf, p, end, UTIL) || !num.read(buf, p + UTIL.length, end)) return false
    const util = Number.isNaN(num.value) ? null : num.value
    p = num.end
    const s = batch.next()
    for (let k = 0; k < READINGS.length; k++) {
      if (!keyAt(buf, p, end, READINGS[k]) || !num.read(buf, p + READINGS[k].length, end)) { batch.length--; return false }
      if (readings) s[READING_KEYS[k]] = Number.isNaN(num.value) ? null : num.value
      p = num.end
    }
    if (p + 2 !== end || buf[p] !== 0x7d || buf[p + 1] !== 0x7d) { batch.length--; return false }
    s.time = ts.read(buf, env.tsStart)
    s.gpu_index = index
    s.gpu_util_percent = util
    s.gpu_uuid = uuidTo > uuidFrom ? cached(uuids, index, buf, uuidFrom, uuidTo) : undefined
    // the name only for readings (status); usage needs only where it ends
    s.name = readings && nameTo > nameFrom ? cached(names, index, buf, nameFrom, nameTo) : undefined
    if (!readings && known === undefined && nameTo > nameFrom) cached(names, index, buf, nameFrom, nameTo)
    if (!readings) s.mem_util_percent = s.mem_used_mb = s.mem_total_mb = s.temperature_c = s.power_w = undefined
    return true
  }

  return (buf, start, end, env, event) => {
    if (env !== null && fast(buf, end, env)) {
      batch.inPlace++
      return
    }
    batch.parsed++
    const parsed = event ?? parseEventLine(buf.toString('utf8', start, end))
    if (parsed === null) {
      skips.unreadable++ // the envelope looked right, the rest is damaged
      return
    }
    const s = batch.next()
    if (!sampleFromEvent(parsed, s)) batch.length--
  }
}
