// The event layer's entry: envelopes built and checked, one log per file
// (synchronous or batched), the registry of event types. Loading it does not
// load zod: EVENT_TYPES[type].schema does, on first access.
import { eventTypes } from './registry.js'
import type { EventTypeRegistry } from './types.js'

export { canonicalEventType, eventTypeAliases, eventTypeSpellings, followsNamingRule, suggestEventType } from './registry.js'
export { logEvent } from './log-event.js'
export { createEventLog, DEFAULT_BATCH, QUEUE_FULL_WAIT_MS } from './event-log.js'
export type * from './types.js'

export const SCHEMA_VERSION = '1'

/** Every registered type: description, fields, and (lazily) its zod schema. */
export const EVENT_TYPES: EventTypeRegistry = eventTypes()
export { parseValue } from './field-value.js'
/** @internal the bash wrapper's helper (src/cli/spool.ts) */
export { atCallTime, epochTimestamp } from './clock.js'
