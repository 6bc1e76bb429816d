// Public surface of ds01-events. Loading it (and logging) does not load zod:
// EVENT_TYPES[type].schema does, on first access.
export { openWriter, MAX_LINE_BYTES, DEFAULT_LOCK_TIMEOUT_MS } from './writer.js'
export type { RawWriter, WriteError, WriteResult, WriterStats, WriterOptions } from './writer.js'
export { nativeFailure, nativeInfo } from './native.js'
export { DEFAULT_EVENTS_FILE, DEFAULT_GPU_UTILIZATION_FILE, resolveEventsFile, resolveGpuUtilizationFile } from './paths.js'
export { logEvent } from './log-event.js'
export { createEventLog, DEFAULT_BATCH, QUEUE_FULL_WAIT_MS } from './event-log.js'
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
} from './types.js'
import { eventTypes } from './registry.js'
import type { EventTypeRegistry } from './types.js'

export const SCHEMA_VERSION = '1'

/** Every registered type: description, fields, and (lazily) its zod schema. */
export const EVENT_TYPES: EventTypeRegistry = eventTypes()
