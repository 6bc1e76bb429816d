// The reader's options checked before anything reads them: a wrong type is a
// clear problem (warned, and the iteration ends), never a TypeError or
// RangeError from deep inside (`{ user: 5 }`, `{ where: { k: 1n } }`).

/** How deep a `where` value may nest (a deeper one is refused, not walked). */
export const MAX_WHERE_DEPTH = 100
/** How many arrays and objects a `where` value may hold. */
export const MAX_WHERE_VALUES = 10_000
/** The longest pollMs a timer keeps (a longer one would fire at once). */
const MAX_POLL_MS = 2 ** 31 - 1

function kind(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (value instanceof Date) return 'a Date'
  return typeof value
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

function texts(o: Record<string, unknown>, name: string): string | null {
  const v = o[name]
  if (v === undefined || typeof v === 'string') return null
  if (Array.isArray(v)) {
    const bad = v.findIndex((x) => typeof x !== 'string')
    return bad < 0 ? null : `${name}[${bad}] must be a string, not ${kind(v[bad])}`
  }
  return `${name} must be a string or a list of strings, not ${kind(v)}`
}

/** Where a `where` value is not JSON data (a string, finite number, boolean, null, or arrays and plain objects of them), what is wrong. */
function jsonValueProblem(root: unknown, name: string): string | null {
  let visited = 0
  const open = new Set<object>() // the containers around the value being looked at
  type Frame = { value: unknown; path: string; depth: number } | { leave: object }
  const stack: Frame[] = [{ value: root, path: name, depth: 0 }]
  while (stack.length > 0) {
    const frame = stack.pop() as Frame
    if ('leave' in frame) { open.delete(frame.leave); continue }
    const { value, path, depth } = frame
    if (value === null || typeof value === 'string' || typeof value === 'boolean') continue
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return `${path} must be a finite number, not ${value}`
      continue
    }
    if (typeof value !== 'object' || (!Array.isArray(value) && !isPlainObject(value))) {
      return `${path} must be JSON data (a string, number, boolean, null, array or plain object), not ${kind(value)}`
    }
    if (open.has(value)) return `${path} refers back to itself (a cycle is not JSON data)`
    if (depth >= MAX_WHERE_DEPTH) return `${path} nests deeper than ${MAX_WHERE_DEPTH} levels`
    if (++visited > MAX_WHERE_VALUES) return `${name} holds more than ${MAX_WHERE_VALUES} values`
    open.add(value)
    stack.push({ leave: value })
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: `${path}[${i}]`, depth: depth + 1 })
    } else {
      const entries = Object.entries(value)
      for (let i = entries.length - 1; i >= 0; i--) stack.push({ value: entries[i][1], path: `${path}.${entries[i][0]}`, depth: depth + 1 })
    }
  }
  return null
}

function whenProblem(o: Record<string, unknown>, name: 'since' | 'until'): string | null {
  const v = o[name]
  if (v === undefined || typeof v === 'string') return null
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? `${name} is an invalid Date` : null
  return `${name} must be a Date or a WHEN text ('2026-01-30', '1 hour ago', ...), not ${kind(v)}`
}

/** What is wrong with filter options (user, type, container, source, where, since, until), or null. */
export function filterOptionsProblem(options: unknown): string | null {
  if (options === undefined || options === null) return null
  if (typeof options !== 'object' || Array.isArray(options)) return `options must be an object, not ${kind(options)}`
  const o = options as Record<string, unknown>
  for (const name of ['user', 'type', 'notType', 'container', 'source']) {
    const problem = texts(o, name)
    if (problem !== null) return problem
  }
  const where = o.where
  if (where !== undefined && typeof where !== 'string') {
    if (Array.isArray(where)) {
      const problem = texts(o, 'where')
      if (problem !== null) return `${problem} (KEY=VALUE), or give where as an object: { gpu: 0 }`
    } else if (isPlainObject(where)) {
      for (const [key, value] of Object.entries(where)) {
        const problem = jsonValueProblem(value, `where.${key}`)
        if (problem !== null) return problem
      }
    } else {
      return `where must be KEY=VALUE text, a list of them, or an object ({ gpu: 0 }), not ${kind(where)}`
    }
  }
  return whenProblem(o, 'since') ?? whenProblem(o, 'until')
}

/** What is wrong with readEvents()/readRecords() options, or null. */
export function readOptionsProblem(options: unknown): string | null {
  const filter = filterOptionsProblem(options)
  if (filter !== null || options === undefined || options === null) return filter
  const o = options as Record<string, unknown>
  if (o.path !== undefined && (typeof o.path !== 'string' || o.path === '')) return `path must be a non-empty string, not ${o.path === '' ? 'an empty one' : kind(o.path)}`
  for (const name of ['gpu', 'follow']) {
    if (o[name] !== undefined && typeof o[name] !== 'boolean') return `${name} must be a boolean, not ${kind(o[name])}`
  }
  const poll = o.pollMs
  if (poll !== undefined && (typeof poll !== 'number' || !(poll >= 1 && poll <= MAX_POLL_MS))) {
    return `pollMs must be a number of milliseconds from 1 to ${MAX_POLL_MS}, not ${typeof poll === 'number' ? poll : kind(poll)}`
  }
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) return `signal must be an AbortSignal, not ${kind(o.signal)}`
  if (o.after !== undefined && typeof o.after !== 'string') return `after must be a cursor text (as --show-cursor prints it), not ${kind(o.after)}`
  if (o.onWarning !== undefined && typeof o.onWarning !== 'function') return `onWarning must be a function, not ${kind(o.onWarning)}`
  if (o.now !== undefined && !(o.now instanceof Date && !Number.isNaN(o.now.getTime()))) return `now must be a valid Date, not ${o.now instanceof Date ? 'an invalid one' : kind(o.now)}`
  return null
}
