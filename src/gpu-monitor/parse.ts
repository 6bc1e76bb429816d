// One CSV line of `nvidia-smi --query-gpu=... --format=csv,noheader,nounits`
// -> the details of one gpu.utilization event (events-v1, "The gpu-utilization log").
import type { GpuUtilizationDetails } from '../event/index.js'

/** The query, in the order nvidia-smi prints the columns. */
export const QUERY_FIELDS = [
  'index',
  'uuid',
  'name',
  'utilization.gpu',
  'utilization.memory',
  'memory.used',
  'memory.total',
  'temperature.gpu',
  'power.draw'
] as const

/** Arguments of the long-lived sampler; without `-lms` (intervalMs null) nvidia-smi prints one sample and exits. */
export function nvidiaSmiArgs(intervalMs: number | null): string[] {
  const args = [`--query-gpu=${QUERY_FIELDS.join(',')}`, '--format=csv,noheader,nounits']
  if (intervalMs !== null) args.push('-lms', String(intervalMs))
  return args
}

/** One parsed line of nvidia-smi: a `gpu.utilization` event's details. */
export type GpuUtilization = GpuUtilizationDetails

// What nvidia-smi prints, with or without brackets, for a reading it cannot give:
// [N/A], [Not Supported], [Unknown Error], [Insufficient Permissions], [GPU is lost], ERR!, N/A...
const UNAVAILABLE = /^\[[^\]]*\]$|^(n\/a|not supported|unknown error|err!|unknown|insufficient permissions|gpu is lost|not available)$/i
// Plain decimal, as nvidia-smi prints with nounits (no exponent, no hex, no Infinity),
// blanks around it allowed: Number() ignores them, so the common case trims nothing.
const DECIMAL = /^\s*-?\d+(\.\d+)?\s*$/
const NUMERIC_COLUMNS = 6

/** A reading: its number, null when the driver says it is unavailable, undefined when it is not a reading at all. */
function reading(text: string): number | null | undefined {
  if (DECIMAL.test(text)) return Number(text)
  if (UNAVAILABLE.test(text.trim())) return null
  return undefined
}

/**
 * The details of one line, or null when the line is not a sample (an error message,
 * a truncated line, garbage). nvidia-smi does not quote CSV, so a comma inside the
 * GPU name would add columns: the first two and the last six are fixed, the name
 * is whatever lies between.
 */
export function parseGpuLine(line: string): GpuUtilization | null {
  const columns = line.split(',')
  const count = columns.length
  if (count < QUERY_FIELDS.length) return null
  const index = columns[0].trim()
  const uuid = columns[1].trim()
  const name = (count === QUERY_FIELDS.length ? columns[2] : columns.slice(2, count - NUMERIC_COLUMNS).join(',')).trim()
  if (!/^\d+$/.test(index) || uuid === '' || UNAVAILABLE.test(uuid) || name === '') return null

  const first = count - NUMERIC_COLUMNS
  const gpuUtil = reading(columns[first])
  const memUtil = reading(columns[first + 1])
  const memUsed = reading(columns[first + 2])
  const memTotal = reading(columns[first + 3])
  const temperature = reading(columns[first + 4])
  const power = reading(columns[first + 5])
  if (gpuUtil === undefined || memUtil === undefined || memUsed === undefined || memTotal === undefined ||
    temperature === undefined || power === undefined) return null
  return {
    gpu_index: Number(index),
    gpu_uuid: uuid,
    name,
    gpu_util_percent: gpuUtil,
    mem_util_percent: memUtil,
    mem_used_mb: memUsed,
    mem_total_mb: memTotal,
    temperature_c: temperature,
    power_w: power
  }
}
