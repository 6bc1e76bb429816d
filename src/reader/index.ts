// The query reader: filter, records, the file source and output, for the CLI and the library.
// The re-exports tagged internal below are for the CLI only: the published declarations
// leave them out (stripInternal), so a TypeScript user's compiler never reads
// their Node-specific types (Buffer, FileHandle) without @types/node.

export { QueryFilter, v1Timestamp, type FilterOptions, type FilterResult, type TypePattern, type WhereClause, type WhereGroup, type WhereOp } from './filter.js'
export { NUMBER_TEXT } from './where.js'
export { noSkips, parseEventLine, eventOf, timeOf, type EventRecord, type ParsedEvent, type SkipCounts } from './record.js'
export { parseWhen, WHEN_FORMS } from './when.js'
/** @internal */
export { DISORDER_SLACK_MS, openGenerations } from './file-source.js'
/** @internal */
export { listGenerations, listOrderedGenerations, parseGenerationName, type Generation, type Listing } from './generations.js'
/** @internal */
export { drive, LogReading, type DriveOptions } from './read.js'
/** @internal */
export { LineScanner, latin1, recordSink, utf8Text, type FastEnvelope, type LineSink } from './scan.js'
/** @internal */
export { HumanFormatter, jsonLine, Ring, Summary, localTime, useColour } from './output.js'
export { readEvents, readRecords, describeSkips, type ReadEventsOptions } from './read-events.js'
/** @internal */
export { RawLines, summarySink } from './sinks.js'
/** @internal */
export { QueryOutput, type OutputWriter, type QueryOutputOptions, type RecordFormatter } from './query-output.js'
export { CURSOR_FILES, decodeCursor, encodeCursor, FINGERPRINT_BYTES, type FileIdentity, type Position } from './cursor-text.js'
/** @internal */
export { Progress } from './cursor.js'
/** @internal */
export { checkFieldName, FieldGroups, FieldsFormatter, fieldOf, parseFieldList, ValueCounts } from './fields.js'
