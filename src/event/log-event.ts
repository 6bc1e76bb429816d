// logEvent: the Python log_event(event_type, user=None, source=None, **details)
// for Node. Synchronous, one shared log per path (DS01_EVENTS_FILE or the default).
import { createEventLog } from './event-log.js'
import { resolveEventsFile } from '../common/index.js'
import type { EventLog, LogFunction } from './types.js'

const logs = new Map<string, EventLog>()
let lastPath = ''
let lastLog: EventLog | undefined

function logFor(path: string): EventLog {
  if (path === lastPath && lastLog !== undefined) return lastLog
  let log = logs.get(path)
  if (log === undefined) {
    log = createEventLog({ path })
    logs.set(path, log)
  }
  lastPath = path
  lastLog = log
  return log
}

/** Writes one event now; true when it is on disk. Never throws. */
export const logEvent: LogFunction = (eventType: unknown, fields?: unknown): boolean => {
  try {
    return logFor(resolveEventsFile()).log(eventType as string, fields)
  } catch {
    return false
  }
}
