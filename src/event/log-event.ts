// logEvent: the Python log_event(event_type, user=None, source=None, **details)
// for Node. Synchronous, one shared log per path (DS01_EVENTS_FILE or the default).
import { createEventLog } from './event-log.js'
import { resolveEventsFile } from '../common/index.js'
import type { EventLog, LogFunction } from './types.js'

/**
 * Open logs kept, most recently used last. A host that changes
 * DS01_EVENTS_FILE per call (one file per job, per test) must not run out of
 * descriptors: the least recently used log is closed when a new one comes in.
 */
export const MAX_OPEN_LOGS = 8
const logs = new Map<string, EventLog>()
let lastPath = ''
let lastLog: EventLog | undefined

function logFor(path: string): EventLog {
  if (path === lastPath && lastLog !== undefined) return lastLog
  let log = logs.get(path)
  if (log !== undefined) {
    logs.delete(path) // moved to the most recent end
  } else {
    log = createEventLog({ path })
    while (logs.size >= MAX_OPEN_LOGS) {
      const [oldestPath, oldest] = logs.entries().next().value as [string, EventLog]
      logs.delete(oldestPath)
      oldest.close()
    }
  }
  logs.set(path, log)
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
