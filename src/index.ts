/// <reference lib="es2018.asynciterable" preserve="true" />
/// <reference lib="es2018.asyncgenerator" preserve="true" />
// Public surface of ds01-events. Loading it (and logging) does not load zod:
// EVENT_TYPES[type].schema does, on first access. The lib references above are
// kept in the declarations: readEvents returns an AsyncGenerator, which a
// consumer compiling with TypeScript's defaults (ES5 libs) would not have.
export { openWriter, MAX_LINE_BYTES, DEFAULT_LOCK_TIMEOUT_MS, nativeFailure, nativeInfo } from './writer/index.js'
export type { RawWriter, WriteError, WriteResult, WriterStats, WriterOptions } from './writer/index.js'
export { DEFAULT_EVENTS_FILE, DEFAULT_GPU_UTILIZATION_FILE, resolveEventsFile, resolveGpuUtilizationFile } from './common/index.js'
export { logEvent, createEventLog, DEFAULT_BATCH, QUEUE_FULL_WAIT_MS, SCHEMA_VERSION, EVENT_TYPES, canonicalEventType, eventTypeAliases, eventTypeSpellings } from './event/index.js'
export type { EventRecord, FilterOptions, ParsedEvent, ReadEventsOptions } from './reader/index.js'
export type {
  AccountingOptions,
  GpuAccounting,
  GpuHolder,
  GpuLogOptions,
  GpuSample,
  GpuSampleReport,
  GpuStatusReport,
  GpuStatusRow,
  GpuUsageOptions,
  GpuUsageReport,
  GpuUsageRow,
  GpuView,
  GpuWasteOptions,
  GpuWasteReport,
  GpuWasteRow,
  GroupBy,
  HolderView,
  SampleView,
  UsageCounter
} from './accounting/index.js'
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
  DetailSchema,
  EventDetails,
  GpuReadings,
  GpuUtilizationDetails,
  EventTypeArgument,
  EventTypeCandidate,
  FieldsFor,
  LogFunction
} from './event/index.js'

/* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use: writers never pay for the reader */
/**
 * The events of a log and its rotated generations that pass the filters,
 * oldest first; with `follow`, then new ones as they are written, until
 * `signal` aborts or the loop breaks. Never throws: problems are warnings.
 */
export function readEvents(options: import('./reader/index.js').ReadEventsOptions = {}): AsyncGenerator<import('./reader/index.js').ParsedEvent, void, undefined> {
  return (require('./reader/index.js') as typeof import('./reader/index.js')).readEvents(options)
}

/** Like readEvents, with each event's line as stored (`{ line, event }`). */
export function readRecords(options: import('./reader/index.js').ReadEventsOptions = {}): AsyncGenerator<import('./reader/index.js').EventRecord, void, undefined> {
  return (require('./reader/index.js') as typeof import('./reader/index.js')).readRecords(options)
}

type Accounting = typeof import('./accounting/index.js')
const accounting = (): Accounting => require('./accounting/index.js') as Accounting

/** Who holds which GPU now, and each GPU's last sample (docs/gpu.md). Null and a warning when a log cannot be read. */
export function gpuStatus(options: import('./accounting/index.js').GpuLogOptions = {}): Promise<import('./accounting/index.js').GpuStatusReport | null> {
  return accounting().gpuStatus(options)
}

/** GPU-hours allocated, busy, idle and unknown per user (container, GPU) over a window (default: the last 24 hours). */
export function gpuUsage(options: import('./accounting/index.js').GpuUsageOptions = {}): Promise<import('./accounting/index.js').GpuUsageReport | null> {
  return accounting().gpuUsage(options)
}

/** The allocations idle for a whole window; with `alert: true`, logs alert.gpu_waste once per episode. */
export function gpuWaste(options: import('./accounting/index.js').GpuWasteOptions = {}): Promise<import('./accounting/index.js').GpuWasteReport | null> {
  return accounting().gpuWaste(options)
}

/** The incremental accounting state machine, to feed as logs are followed (docs/gpu.md, "From Node"). */
export function createGpuAccounting(options: import('./accounting/index.js').AccountingOptions = {}): import('./accounting/index.js').GpuAccounting {
  return new (accounting().GpuAccounting)(options)
}
/* eslint-enable @typescript-eslint/no-require-imports */
