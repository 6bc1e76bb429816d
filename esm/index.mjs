// ESM entry: the package is compiled to CommonJS; this re-exports it by name.
import cjs from '../dist/index.js'

export const {
  openWriter,
  MAX_LINE_BYTES,
  DEFAULT_LOCK_TIMEOUT_MS,
  nativeFailure,
  nativeInfo,
  DEFAULT_EVENTS_FILE,
  DEFAULT_GPU_UTILIZATION_FILE,
  resolveEventsFile,
  resolveGpuUtilizationFile,
  logEvent,
  createEventLog,
  readEvents,
  readRecords,
  gpuStatus,
  gpuUsage,
  gpuWaste,
  createGpuAccounting,
  DEFAULT_BATCH,
  QUEUE_FULL_WAIT_MS,
  SCHEMA_VERSION,
  EVENT_TYPES,
  canonicalEventType,
  eventTypeAliases,
  eventTypeSpellings
} = cjs
export default cjs
