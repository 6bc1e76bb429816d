// Writing the two logs GPU accounting joins, line by line as their writers do:
// samples in the GPU agent's exact shape (the reader reads those in place),
// events in the v1 envelope.

export const MIN = 60_000
export const HOUR = 60 * MIN

/** A v1 timestamp of ms since the epoch. */
export function ts (ms) {
  return new Date(ms).toISOString().replace(/Z$/, '000Z')
}

export function uuidOf (index) {
  return `GPU-9e3779b1-79b1-3779-9e37-${String(index).padStart(12, '0')}`
}

/** One sample line, as the agent writes it (`order: 'other'` puts the details in another order: the parsed path). */
export function sampleLine (ms, index, util, { order = 'agent', name = 'NVIDIA H100 80GB HBM3', uuid = uuidOf(index), mem = 1000, temp = 40, power = 120.5 } = {}) {
  const details = order === 'agent'
    ? { gpu_index: index, gpu_uuid: uuid, name, gpu_util_percent: util, mem_util_percent: util === null ? null : Math.min(100, util), mem_used_mb: mem, mem_total_mb: 81559, temperature_c: temp, power_w: power }
    : { gpu_util_percent: util, gpu_index: index, name, gpu_uuid: uuid, power_w: power, temperature_c: temp, mem_used_mb: mem, mem_total_mb: 81559 }
  return JSON.stringify({ timestamp: ts(ms), event_type: 'gpu.utilization', schema_version: '1', source: 'gpu-monitor', details })
}

/** One event line of the events log. */
export function eventLine (ms, type, user, details) {
  const e = { timestamp: ts(ms), event_type: type, schema_version: '1' }
  if (user !== undefined) e.user = user
  e.source = 'test'
  if (details !== undefined) e.details = details
  return JSON.stringify(e)
}

/** Lines sorted by their timestamp (stable), joined with newlines. */
export function logText (lines) {
  const keyed = lines.map((line, i) => ({ line, i, t: line.startsWith('{"timestamp":"') ? line.slice(14, 41) : '' }))
  keyed.sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : a.i - b.i))
  return keyed.map((k) => k.line).join('\n') + '\n'
}
