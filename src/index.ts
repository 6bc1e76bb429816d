// Public surface of ds01-events. Loading it (and logging) does not load zod:
// EVENT_TYPES[type].schema does, on first access.
export { openWriter, MAX_LINE_BYTES, DEFAULT_LOCK_TIMEOUT_MS } from './writer.js'
export type { RawWriter, WriteError, WriteResult, WriterStats, WriterOptions } from './writer.js'
export { nativeFailure, nativeInfo } from './native.js'
export { DEFAULT_EVENTS_FILE, DEFAULT_GPU_UTILIZATION_FILE, resolveEventsFile, resolveGpuUtilizationFile } from './paths.js'
export { logEvent } from './log-event.js'
export { createEventLog, DEFAULT_BATCH } from './event-log.js'
export type { ReadEventsOptions } from './reader/read-events.js'
export type { ParsedEvent, EventRecord } from './reader/record.js'
export type { FilterOptions } from './reader/filter.js'
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

/* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use: writers never pay for the reader */
/**
 * The events of a log and its rotated generations that pass the filters,
 * oldest first; with `follow`, then new ones as they are written, until
 * `signal` aborts or the loop breaks. Never throws: problems are warnings.
 */
export function readEvents(options: import('./reader/read-events.js').ReadEventsOptions = {}): AsyncGenerator<import('./reader/record.js').ParsedEvent, void, undefined> {
  return (require('./reader/read-events.js') as typeof import('./reader/read-events.js')).readEvents(options)
}

/** Like readEvents, with each event's line as stored (`{ line, event }`). */
export function readRecords(options: import('./reader/read-events.js').ReadEventsOptions = {}): AsyncGenerator<import('./reader/record.js').EventRecord, void, undefined> {
  return (require('./reader/read-events.js') as typeof import('./reader/read-events.js')).readRecords(options)
}
/* eslint-enable @typescript-eslint/no-require-imports */
