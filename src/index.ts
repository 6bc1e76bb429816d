// Public surface of ds01-events. Loading it (and logging) does not load zod:
// EVENT_TYPES[type].schema does, on first access.
export { openWriter, MAX_LINE_BYTES, DEFAULT_LOCK_TIMEOUT_MS, nativeFailure, nativeInfo } from './writer/index.js'
export type { RawWriter, WriteError, WriteResult, WriterStats, WriterOptions } from './writer/index.js'
export { DEFAULT_EVENTS_FILE, DEFAULT_GPU_UTILIZATION_FILE, resolveEventsFile, resolveGpuUtilizationFile } from './common/index.js'
export { logEvent, createEventLog, DEFAULT_BATCH, SCHEMA_VERSION, EVENT_TYPES } from './event/index.js'
export type {
  BatchOptions,
  EnvelopeFields,
  EventFields,
  EventLog,
  EventLogOptions,
  EventLogStats,
  EventTypeInfo,
  EventTypeName,
  EventTypeRegistry,
  KnownEventFields,
  KnownEventType,
  DetailsOf,
  LogFunction
} from './event/index.js'
