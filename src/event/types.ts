// The public types of the envelope layer. Known event types get their detail
// fields checked by the compiler (details.ts: plain types, no zod); other types
// must follow the `category.action` rule.
import type { DetailsOf, KnownEventType } from './details.js'

export type { KnownEventType, DetailsOf, EventDetails, GpuReadings, GpuUtilizationDetails } from './details.js'

/** Envelope fields a caller may pass next to the details (like Python's user=, source=). */
export interface EnvelopeFields {
  user?: string | null
  source?: string | null
}

/** Fields for a known type: its registered details typed, other detail keys allowed. */
export type KnownEventFields<T extends KnownEventType> = EnvelopeFields & DetailsOf<T> & { [detail: string]: unknown }

/** Fields for any other type. */
export type EventFields = EnvelopeFields & { [detail: string]: unknown }

type Segment = Lowercase<string>
/** The compile-time approximation of `category.action` (the runtime checks the exact rule). */
export type EventTypeName = `${Segment}.${Segment}`

/**
 * The event type argument: a registered type, another literal that follows the
 * naming rule, or a value known only at run time (`string`, `unknown`: checked
 * then). Anything else (a number, `'Bad.Type'`) becomes `never`, an error.
 */
export type EventTypeArgument<T> = T extends KnownEventType ? T : T extends EventTypeName ? T : string extends T ? T : never

/** The fields argument for that type: a registered type's details are typed; others are free. */
export type FieldsFor<T> = T extends KnownEventType ? KnownEventFields<T> : string extends T ? unknown : EventFields

/**
 * What the type parameter of logEvent may be: any value (`{} | null | undefined`
 * is `unknown`), spelled as a union that lists the registered names, so that
 * editors offer them as completions for the first argument.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- `{}`: any non-nullish value, on purpose
export type EventTypeCandidate = KnownEventType | (string & {}) | {} | null | undefined

/**
 * logEvent and EventLog.log: never throw; true when the event was written (or
 * queued, in batched mode). One signature, not overloads, so that a wrong
 * detail is reported at the field (`priority`) with the expected type.
 */
export type LogFunction = <const T extends EventTypeCandidate>(eventType: EventTypeArgument<T>, fields?: FieldsFor<T>) => boolean

export interface BatchOptions {
  /** Write when this many events are queued (default 256). */
  maxEvents?: number
  /** Write at most this long after the first queued event (default 200 ms). */
  maxDelayMs?: number
  /** Queue bound, in-flight batch included; past it events are dropped and counted (default 10000). */
  maxQueue?: number
}

export interface EventLogOptions {
  /** Default: DS01_EVENTS_FILE, else /var/log/ds01/events.jsonl. */
  path?: string
  /** true or BatchOptions: log() queues, writes go out in batches on the thread pool. */
  batch?: boolean | BatchOptions
  /** Longest wait for the file lock before writing without it (default 100 ms). */
  lockTimeoutMs?: number
  /** Refuse known types whose details do not match the registry (default: log them, warn once per type and field). */
  strict?: boolean
  /** Where warnings go (default stderr); each kind at most once a minute. */
  onWarning?: (message: string) => void
}

export interface EventLogStats {
  /** Events on disk. */
  written: number
  /** Events rejected before writing: bad type, bad values, too large even bare, strict mismatch. */
  refused: number
  /** Events written shrunk (`truncated: true`). */
  truncated: number
  /** Valid events lost: a failed write, a full queue. */
  dropped: number
  /** Writes made without the lock after lockTimeoutMs (from the writer). */
  lockTimeouts: number
  /** Times the file was reopened after rotation or deletion (from the writer). */
  reopens: number
  /** Events queued or in flight, not yet confirmed on disk. */
  queued: number
}

export interface EventLog {
  /** Logs one event (see LogFunction). */
  log: LogFunction
  /** Writes everything queued, synchronously; true when all of it is on disk. */
  flush(): boolean
  /** flush(), then closes the file; later log() calls return false. */
  close(): void
  stats(): EventLogStats
  readonly path: string
  readonly native: boolean
}

/**
 * What EVENT_TYPES[type].schema offers, written without zod's types (it is a
 * zod schema at run time; import zod yourself for the rest of its API).
 */
export interface DetailSchema<Details> {
  readonly description?: string | undefined
  /** The details, or throws a ZodError naming each mismatched field. */
  parse(data: unknown): Details
  safeParse(data: unknown): { success: true; data: Details } | { success: false; error: Error & { readonly issues: readonly unknown[] } }
}

/** One registry entry: what EVENT_TYPES holds for each known type. */
export interface EventTypeInfo<T extends KnownEventType = KnownEventType> {
  readonly description: string
  /** Each detail field and the JSON kinds it accepts (compiled from the schema). */
  readonly fields: Readonly<Record<string, readonly string[]>>
  /** The zod schema of the details (loads zod on first access). */
  readonly schema: DetailSchema<DetailsOf<T> & { [detail: string]: unknown }>
}

export type EventTypeRegistry = { readonly [T in KnownEventType]: EventTypeInfo<T> }
