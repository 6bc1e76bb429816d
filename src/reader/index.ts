// The query reader: filter, records, the file source and output, for the CLI and the library.
export { QueryFilter, v1Timestamp, type FilterOptions, type FilterResult, type WhereClause } from './filter.js'
export { noSkips, parseEventLine, eventOf, timeOf, type EventRecord, type ParsedEvent, type SkipCounts } from './record.js'
export { parseWhen, WHEN_FORMS } from './when.js'
export { DISORDER_SLACK_MS, listGenerations, openGenerations, type Generation } from './file-source.js'
export { drive, type DriveOptions } from './read.js'
export { latin1, recordSink, utf8Text, type FastEnvelope, type LineSink } from './scan.js'
export { HumanFormatter, jsonLine, Ring, Summary, localTime, useColour } from './output.js'
export { readEvents, readRecords, describeSkips, type ReadEventsOptions } from './read-events.js'
