// The public types of the envelope layer. Known event types get their detail
// fields checked by the compiler (from the zod schemas, type-only import: no
// zod at run time); other types must follow the `category.action` rule.
import type { DetailSchemas, DetailsOf, KnownEventType } from './schemas.js'

export type { KnownEventType, DetailsOf } from './schemas.js'

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

/** A literal type that is not registered but follows the naming rule. */
export type OtherEventType<T extends string> = T extends KnownEventType ? never : T extends EventTypeName ? T : never

/** A type only known at run time, `string` (not a literal): checked then, not now. */
export type RuntimeString<T extends string> = string extends T ? T : never

/** A value of static type `unknown` or `any` (a literal or `string` is not): checked at run time. */
export type RuntimeUnknown<T> = unknown extends T ? T : never

/** logEvent and EventLog.log: never throw; true when the event was written (or queued, in batched mode). */
export interface LogFunction {
  <T extends KnownEventType>(eventType: T, fields?: KnownEventFields<T>): boolean
  <T extends string>(eventType: OtherEventType<T>, fields?: EventFields): boolean
  <T extends string>(eventType: RuntimeString<T>, fields?: unknown): boolean
  <T>(eventType: RuntimeUnknown<T>, fields?: unknown): boolean
}

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
  log<T extends KnownEventType>(eventType: T, fields?: KnownEventFields<T>): boolean
  log<T extends string>(eventType: OtherEventType<T>, fields?: EventFields): boolean
  log<T extends string>(eventType: RuntimeString<T>, fields?: unknown): boolean
  log<T>(eventType: RuntimeUnknown<T>, fields?: unknown): boolean
  /** Writes everything queued, synchronously; true when all of it is on disk. */
  flush(): boolean
  /** flush(), then closes the file; later log() calls return false. */
  close(): void
  stats(): EventLogStats
  readonly path: string
  readonly native: boolean
}

/** One registry entry: what EVENT_TYPES holds for each known type. */
export interface EventTypeInfo<T extends KnownEventType = KnownEventType> {
  readonly description: string
  /** Each detail field and the JSON kinds it accepts (compiled from the schema). */
  readonly fields: Readonly<Record<string, readonly string[]>>
  /** The zod schema of the details (loads zod on first access). */
  readonly schema: DetailSchemas[T]
}

export type EventTypeRegistry = { readonly [T in KnownEventType]: EventTypeInfo<T> }
