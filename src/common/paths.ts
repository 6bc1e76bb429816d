// Where the logs live: an explicit path beats the environment, which beats the default.
export const DEFAULT_EVENTS_FILE = '/var/log/ds01/events.jsonl'
export const DEFAULT_GPU_UTILIZATION_FILE = '/var/log/ds01/gpu-utilization.jsonl'

function resolve(explicit: string | undefined, envName: string, fallback: string): string {
  if (typeof explicit === 'string' && explicit !== '') return explicit
  const fromEnv = process.env[envName]
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : fallback
}

/** The event file: `explicit`, else DS01_EVENTS_FILE, else /var/log/ds01/events.jsonl. */
export function resolveEventsFile(explicit?: string): string {
  return resolve(explicit, 'DS01_EVENTS_FILE', DEFAULT_EVENTS_FILE)
}

/** The GPU sample file: `explicit`, else DS01_GPU_UTILIZATION_FILE, else /var/log/ds01/gpu-utilization.jsonl. */
export function resolveGpuUtilizationFile(explicit?: string): string {
  return resolve(explicit, 'DS01_GPU_UTILIZATION_FILE', DEFAULT_GPU_UTILIZATION_FILE)
}
