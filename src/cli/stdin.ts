// `ds01-events log --stdin`: one JSON object per line, all through one process
// and one open event log. Synchronous appends (a few microseconds each) so that
// every failure is reported against its own line number.
import type { Readable } from 'node:stream'
import { createEventLog } from '../event/index.js'
import { boundedLines } from './lines.js'

const LINE_KEYS = new Set(['event_type', 'user', 'source', 'details'])
/** Past this many, failures are only counted: a broken log must not flood the terminal. */
const MAX_REPORTED_LINES = 50
/**
 * An input line past this is skipped unread: memory stays bounded whatever
 * comes in, and a line this long could only be logged cut to 4096 bytes anyway.
 */
export const MAX_INPUT_LINE_BYTES = 1 << 20

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The event_type and fields of one input line, or why it cannot be one. */
export function readLine(text: string): { eventType: string; fields: Record<string, unknown> } | string {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    return `not JSON (${err instanceof Error ? err.message : String(err)})`
  }
  if (!isPlainObject(value)) return 'not a JSON object'
  for (const key of Object.keys(value)) {
    if (!LINE_KEYS.has(key)) return `unknown key ${JSON.stringify(key)} (expected event_type, user, source, details)`
  }
  const { event_type: eventType, user, source, details } = value
  if (typeof eventType !== 'string' || eventType === '') return 'missing "event_type" (a string such as "container.start")'
  for (const [name, field] of [['user', user], ['source', source]] as const) {
    if (field !== undefined && field !== null && typeof field !== 'string') return `"${name}" must be a string`
  }
  if (details !== undefined && details !== null && !isPlainObject(details)) return '"details" must be a JSON object'
  const fields = Object.create(null) as Record<string, unknown>
  if (isPlainObject(details)) {
    for (const [key, field] of Object.entries(details)) {
      if (key === 'user' || key === 'source') return `"details" may not hold "${key}": put it at the top level of the line`
      fields[key] = field
    }
  }
  if (typeof user === 'string') fields.user = user
  if (typeof source === 'string') fields.source = source
  return { eventType, fields }
}

export async function logLines(path: string, input: Readable): Promise<number> {
  const pending: string[] = []
  const log = createEventLog({ path, onWarning: (message: string) => { pending.push(message) } })
  let lineNumber = 0
  let events = 0
  let failed = 0
  const report = (message: string): void => {
    failed++
    if (failed <= MAX_REPORTED_LINES) process.stderr.write(`ds01-events log --stdin: line ${lineNumber}: ${message}\n`)
    else if (failed === MAX_REPORTED_LINES + 1) process.stderr.write('ds01-events log --stdin: more lines failed; counting only\n')
  }
  for await (const text of boundedLines(input, MAX_INPUT_LINE_BYTES)) {
    lineNumber++
    if (typeof text !== 'string') {
      events++
      report(`skipped: ${text.overlong} bytes, over the ${MAX_INPUT_LINE_BYTES}-byte limit for one input line (log large payloads by reference: a path or an id)`)
      continue
    }
    if (text.trim() === '') continue
    events++
    const line = readLine(text)
    if (typeof line === 'string') {
      report(`skipped: ${line}`)
      continue
    }
    const logged = log.log(line.eventType, line.fields)
    const reasons = pending.splice(0).map((m) => m.replace(/\n$/, ''))
    if (logged) {
      for (const reason of reasons) process.stderr.write(`ds01-events log --stdin: line ${lineNumber}: ${reason}\n`)
    } else {
      report(`not logged${reasons.length > 0 ? ': ' + reasons.join('; ') : ''}`)
    }
  }
  log.close()
  if (failed > 0) {
    process.stderr.write(`ds01-events log --stdin: ${failed} of ${events} events not logged to ${path}\n`)
    return 1
  }
  return 0
}
