// EVENT_TYPES: every registered type with its description, its fields (from
// the compiled registry: no zod) and its zod schema (loaded on first access).
import { compiledRegistry } from './compiled.js'
import { closestEventType } from './spelling.js'
import type { DetailSchemas } from './schemas.js'
import type { EventTypeInfo, EventTypeRegistry, KnownEventType } from './types.js'

let schemas: DetailSchemas | undefined

function detailSchema<T extends KnownEventType>(type: T): EventTypeInfo<T>['schema'] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  schemas ??= (require('./schemas.js') as typeof import('./schemas.js')).detailSchemas
  // Typed structurally in the public API (no zod types there); the compiler
  // checks here that every zod schema fits that shape.
  const all: { [K in KnownEventType]: EventTypeInfo<K>['schema'] } = schemas
  return all[type]
}

let registry: EventTypeRegistry | undefined

export function eventTypes(): EventTypeRegistry {
  if (registry !== undefined) return registry
  const out: Record<string, EventTypeInfo> = {}
  for (const [type, entry] of Object.entries(compiledRegistry().types)) {
    const fields = Object.freeze(Object.fromEntries(Object.entries(entry.fields).map(([k, v]) => [k, Object.freeze([...v])])))
    out[type] = Object.freeze({
      description: entry.description,
      fields,
      get schema() {
        return detailSchema(type as KnownEventType)
      }
    }) as EventTypeInfo
  }
  registry = Object.freeze(out) as EventTypeRegistry
  return registry
}

/** Whether an event type follows the naming rule (`category.action`), as the envelope checks it. */
export function followsNamingRule(type: string): boolean {
  const { eventTypePattern, eventTypeMaxLength } = compiledRegistry().envelope
  return type.length <= eventTypeMaxLength && new RegExp(eventTypePattern).test(type)
}

/** Other spellings of registered types that writers in the field use: alias -> registered name. */
export function eventTypeAliases(): Readonly<Record<string, string>> {
  return compiledRegistry().aliases
}

/**
 * The registered name of a type: an alias (`gpu.allocated`) folds into the
 * type it spells (`gpu.allocate`); any other name is returned as it is. What
 * counts or joins events (summaries, reports, metrics, accounting) counts
 * under this name.
 */
export function canonicalEventType(type: string): string {
  return Object.prototype.hasOwnProperty.call(compiledRegistry().aliases, type) ? compiledRegistry().aliases[type] as string : type
}

/** The spellings of a type, its registered name first: what a filter on that name matches. */
export function eventTypeSpellings(type: string): string[] {
  const name = canonicalEventType(type)
  return [name, ...Object.entries(compiledRegistry().aliases).filter(([, to]) => to === name).map(([alias]) => alias)]
}

/** The registered type a name was probably meant to be (`container.crate`: container.create), or null. */
export function suggestEventType(type: string): string | null {
  return closestEventType(type, Object.keys(compiledRegistry().types))
}
