// Builds one v1 line from (eventType, fields): validates the envelope
// strictly, the details against the compiled registry (lenient or strict),
// serialises with string concatenation and JSON.stringify, shrinks what is
// too large. Never throws: a refusal is a warning and null.
import { timestamp } from './clock.js'
import { compiledRegistry } from './compiled.js'
import { describeMask, describeValue, fieldMasks, kindOf, type FieldMasks } from './field-check.js'
import { shrinkLine, utf8Bytes } from './shrink.js'
import { closestEventType } from './spelling.js'
import { MAX_LINE_BYTES } from '../writer/index.js'
import type { RateLimitedWarner } from '../common/index.js'

const PREFIX = 'ds01-events: '
const TOO_LARGE = `even with its details cut down to the truncation marker the line would exceed ${MAX_LINE_BYTES} bytes (user or source too long)`
const TYPE_CACHE_LIMIT = 1024

// Characters JSON.stringify escapes in a string (lone surrogates included); most values have none.
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/

// '"key":' per detail key, with a leading comma, computed once per key name.
const KEY_CACHE_LIMIT = 4096
const keyCache = new Map<string, string>()
function keyJson(key: string): string {
  let part = keyCache.get(key)
  if (part === undefined) {
    part = ',' + JSON.stringify(key) + ':'
    if (keyCache.size < KEY_CACHE_LIMIT) keyCache.set(key, part)
  }
  return part
}

function envelopeText(name: string, value: unknown): string {
  if (typeof value !== 'string') throw new Refusal(name, `${name} must be a string, not ${describeValue(value)}`)
  // every UTF-16 unit is at least one byte: longer cannot fit, so it is not serialised at all
  if (value.length > MAX_LINE_BYTES) throw new Refusal('too-large', TOO_LARGE)
  return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : '"' + value + '"'
}

/** Thrown inside build() to refuse; caught there. */
class Refusal {
  constructor(readonly key: string, readonly message: string) {}
}

/**
 * A detail value whose JSON passes this many bytes can never fit in a line:
 * it is cut while it is serialised, so that the work (and the memory, and the
 * getters and toJSON calls run) stays bounded whatever its size. The first
 * MAX_VALUE_JSON bytes are those of the whole value's JSON, far more than the
 * shrinking keeps; original_size then counts what was serialised (a lower bound).
 */
export const MAX_VALUE_JSON = 64 * 1024

/** The first `units` UTF-16 units of text, without splitting a surrogate pair. */
function headOf(text: string, units: number): string {
  const c = text.charCodeAt(units - 1)
  return text.slice(0, c >= 0xd800 && c <= 0xdbff ? units - 1 : units)
}

/**
 * JSON.stringify's replacer for one nested value: refuses what JSON.stringify
 * would silently drop or throw on, and counts a lower bound of the bytes
 * written so far (every key, string unit and element is at least a byte).
 * A string or container met when less room is left than its length is
 * replaced by its head (the first elements, keys or units that may fit), so
 * the text written up to then is exactly the whole value's. onCut says so.
 */
function boundedReplacer(onCut: () => void): (this: unknown, key: string, value: unknown) => unknown {
  let written = 0
  return function (this: unknown, key: string, value: unknown): unknown {
    written += Array.isArray(this) ? 1 : key.length + 3
    if (typeof value === 'object' && value !== null) {
      if (value instanceof String || value instanceof Number || value instanceof Boolean) value = value.valueOf()
      else return boundedContainer(value, Math.max(0, MAX_VALUE_JSON - ++written), onCut)
    }
    const t = typeof value
    if (t === 'string') {
      const room = Math.max(0, MAX_VALUE_JSON - written)
      if ((value as string).length > room) {
        onCut()
        value = headOf(value as string, room)
      }
      written += (value as string).length + 2
      return value
    }
    if (t === 'function' || t === 'symbol' || t === 'bigint') throw new Refusal(`value:${t}`, `a nested ${t} value`)
    written += 1
    return value
  }
}

/** An array or object as it is when it may fit in `room` elements or keys, else its head. */
function boundedContainer(value: object, room: number, onCut: () => void): object {
  if (Array.isArray(value)) {
    if (value.length <= room) return value
    onCut()
    return Array.prototype.slice.call(value, 0, room) // reads only those elements, holes stay holes
  }
  const head = Object.create(null) as Record<string, unknown> // no prototype: a "__proto__" key stays a key
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    // a typed array serialises as {"0":..,"1":..}: its keys are its indices, not to be listed one by one
    const items = value as unknown as ArrayLike<unknown>
    if (items.length <= room) return value
    onCut()
    for (let i = 0; i < room; i++) head[i] = items[i]
    return head
  }
  const keys = Object.keys(value) // names only: no getter runs
  if (keys.length <= room) return value
  onCut()
  for (let i = 0; i < room; i++) head[keys[i]] = (value as Record<string, unknown>)[keys[i]]
  return head
}

/** The masks of a valid type name that is not in the registry: nothing to check. */
const UNKNOWN: FieldMasks = new Map()

export class EnvelopeBuilder {
  /** Set by build(): the last line was shrunk. */
  truncated = false
  /** Set while building: a value was cut while serialised (its size is a lower bound). */
  private valueCut = false
  private readonly onCut = (): void => {
    this.valueCut = true
  }
  private readonly pattern: RegExp
  private readonly maxTypeLength: number
  private readonly version: string
  private readonly aliases: Readonly<Record<string, string>>
  private readonly known = new Map<string, FieldMasks>()
  private readonly seen = new Map<string, FieldMasks>()
  private readonly typeParts = new Map<string, string>()
  private readonly mismatchWarned = new Set<string>()
  private readonly keyLiterals: string[] = []
  private readonly valueLiterals: string[] = []

  constructor(
    private readonly strict: boolean,
    private readonly warner: RateLimitedWarner
  ) {
    const registry = compiledRegistry()
    this.pattern = new RegExp(registry.envelope.eventTypePattern)
    this.maxTypeLength = registry.envelope.eventTypeMaxLength
    this.version = registry.envelope.schemaVersion
    this.aliases = registry.aliases
    for (const [type, entry] of Object.entries(registry.types)) this.known.set(type, fieldMasks(entry.fields))
  }

  /** The line (with its newline), or null when refused (a warning said why). */
  build(eventType: unknown, fields: unknown): string | null {
    this.truncated = false
    this.valueCut = false
    try {
      return this.buildOrThrow(eventType, fields, false)
    } catch (err) {
      const refusal = asRefusal(err, (text) => new Refusal('error', `cannot be serialised (${text})`))
      const type = typeof eventType === 'string' && eventType.length <= this.maxTypeLength ? eventType : '?'
      this.warner.warn(`refused:${refusal.key}`, `${PREFIX}event ${JSON.stringify(type)} refused: ${refusal.message}`)
      return null
    }
  }

  /** '","event_type":"T","schema_version":"1"', once per type name (the name needs no escaping: it matched the pattern). */
  private typePart(type: string): string {
    let part = this.typeParts.get(type)
    if (part === undefined) {
      part = '","event_type":"' + type + '","schema_version":"' + this.version + '"'
      if (this.typeParts.size < TYPE_CACHE_LIMIT) this.typeParts.set(type, part)
    }
    return part
  }

  private masksFor(eventType: unknown): FieldMasks {
    if (typeof eventType === 'string') {
      const cached = this.seen.get(eventType)
      if (cached !== undefined) return cached
      if (eventType.length <= this.maxTypeLength && this.pattern.test(eventType)) {
        const masks = this.known.get(eventType) ?? this.unregistered(eventType)
        if (this.seen.size < TYPE_CACHE_LIMIT) this.seen.set(eventType, masks)
        return masks
      }
      const shown = eventType.length > 40 ? JSON.stringify(eventType.slice(0, 40)) + '...' : JSON.stringify(eventType)
      throw new Refusal('event_type', `event_type ${shown} must be category.action: dot-separated lowercase segments [a-z][a-z0-9_]*, at most ${this.maxTypeLength} characters`)
    }
    throw new Refusal('event_type', `event_type must be a string, not ${describeValue(eventType)}`)
  }

  /**
   * A valid name that is not registered, met for the first time: another
   * spelling in the field (logged as given, checked as the type it spells), a
   * slip of the keyboard (logged as given, with a "did you mean"), or a type
   * of its own. Each is said once per process.
   */
  private unregistered(type: string): FieldMasks {
    const name = Object.prototype.hasOwnProperty.call(this.aliases, type) ? this.aliases[type] : undefined
    if (name !== undefined) {
      this.warner.warnOnce(`alias:${type}`, `${PREFIX}event type ${JSON.stringify(type)} is another spelling of ${name}: logged as given, counted as ${name} by query, report and accounting; new code should log ${name}`)
      return this.known.get(name) ?? UNKNOWN
    }
    const close = closestEventType(type, this.known.keys())
    if (close !== null) {
      this.warner.warnOnce(`unknown:${type}`, `${PREFIX}event type ${JSON.stringify(type)} is not registered: did you mean ${close}? Logged as given, without field checks (registered types: ds01-events types)`)
    }
    return UNKNOWN
  }

  private buildOrThrow(eventType: unknown, fields: unknown, collect: boolean): string | null {
    const masks = this.masksFor(eventType)
    const type = eventType as string
    let user: unknown
    let source: unknown
    let body = '' // ',"key":value' per detail
    if (fields !== undefined && fields !== null) {
      if (typeof fields !== 'object' || Array.isArray(fields)) {
        throw new Refusal('fields', `fields must be an object of envelope and detail fields, not ${describeValue(fields)}`)
      }
      const record = fields as Record<string, unknown>
      const keys = Object.keys(record)
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]
        const value = record[key]
        if (key === 'user') {
          user = value
          continue
        }
        if (key === 'source') {
          source = value
          continue
        }
        if (key === '') {
          this.warner.warn('empty-key', `${PREFIX}event ${JSON.stringify(type)}: a detail with an empty key was skipped (detail keys must be non-empty strings)`)
          continue
        }
        let json: string | undefined
        switch (typeof value) {
          case 'string': {
            const text = value.length > MAX_VALUE_JSON ? this.cut(headOf(value, MAX_VALUE_JSON)) : value
            json = NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : '"' + text + '"'
            break
          }
          case 'number':
            json = Number.isFinite(value) ? '' + value : 'null'
            break
          case 'boolean':
            json = value ? 'true' : 'false'
            break
          case 'undefined':
            continue
          case 'object':
            json = value === null ? 'null' : this.nested(key, value)
            if (json === undefined) continue // toJSON gave undefined: dropped, as JSON.stringify does
            break
          default:
            throw new Refusal(`value:${typeof value}`, `details.${key} is a ${typeof value}; only JSON values can be logged`)
        }
        if (masks !== UNKNOWN) {
          const mask = masks.get(key)
          if (mask !== undefined && (mask & kindOf(value)) === 0) this.mismatch(type, key, value, mask)
        }
        const keyPart = keyJson(key)
        body += keyPart + json
        if (collect) {
          this.keyLiterals.push(keyPart.slice(1, -1))
          this.valueLiterals.push(json)
        }
      }
    }
    let head = '{"timestamp":"' + timestamp() + this.typePart(type)
    if (user !== undefined && user !== null && user !== '') head += ',"user":' + envelopeText('user', user)
    if (source !== undefined && source !== null && source !== '') head += ',"source":' + envelopeText('source', source)
    if (collect) return head
    const line = body === '' ? head + '}\n' : head + ',"details":{' + body.substring(1) + '}}\n'
    if (line.length * 3 <= MAX_LINE_BYTES) return line
    const size = utf8Bytes(line)
    if (size <= MAX_LINE_BYTES) return line
    return this.shrink(type, eventType, fields, size)
  }

  /** Notes that a value was cut before being serialised whole; returns what was kept. */
  private cut(text: string): string {
    this.valueCut = true
    return text
  }

  private nested(key: string, value: object): string | undefined {
    try {
      return JSON.stringify(value, boundedReplacer(this.onCut))
    } catch (err) {
      const inner = asRefusal(err, (text) => new Refusal('value', `details.${key} cannot be serialised (${text})`))
      if (inner.message.startsWith('a nested')) {
        throw new Refusal(inner.key, `details.${key} holds ${inner.message}; only JSON values can be logged`)
      }
      throw inner
    }
  }

  private mismatch(type: string, key: string, value: unknown, mask: number): void {
    const what = `details.${key} of ${type} should be ${describeMask(mask)}, not ${describeValue(value)}`
    if (this.strict) throw new Refusal(`mismatch:${type}:${key}`, `${what} (strict mode)`)
    const once = type + '\0' + key
    if (this.mismatchWarned.has(once)) return
    if (this.mismatchWarned.size < TYPE_CACHE_LIMIT) this.mismatchWarned.add(once) // past it, the warner's rate limit applies
    this.warner.warn(`mismatch:${once}`, `${PREFIX}${what}; logged anyway (what ${type} carries: ds01-events types ${type})`)
  }

  /** Builds again, collecting each detail's JSON (rare: only too-large events pay for it). */
  private shrink(type: string, eventType: unknown, fields: unknown, size: number): string | null {
    this.keyLiterals.length = 0
    this.valueLiterals.length = 0
    const head = this.buildOrThrow(eventType, fields, true) as string
    const line = shrinkLine(head, this.keyLiterals, this.valueLiterals, size)
    this.keyLiterals.length = 0
    this.valueLiterals.length = 0
    if (line === null) {
      throw new Refusal('too-large', TOO_LARGE)
    }
    this.truncated = true
    const was = this.valueCut ? `at least ${size}` : `${size}`
    this.warner.warn(`truncated:${type}`, `${PREFIX}event ${JSON.stringify(type)} was ${was} bytes, over the ${MAX_LINE_BYTES}-byte line limit; its details were shortened (truncated: true). Log large payloads by reference (a path or an id) instead`)
    return line
  }
}

/** The Refusal itself, or one made from whatever else was thrown (which may itself throw when looked at). */
function asRefusal(err: unknown, make: (text: string) => Refusal): Refusal {
  try {
    if (err instanceof Refusal) return err
  } catch {
    // a Proxy whose getPrototypeOf trap throws
  }
  return make(errorText(err))
}

function errorText(err: unknown): string {
  try {
    const text = err instanceof Error ? err.message : String(err)
    return text.length > 200 ? text.slice(0, 200) + '...' : text
  } catch {
    return 'an unprintable error'
  }
}
