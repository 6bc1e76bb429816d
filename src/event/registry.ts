// EVENT_TYPES: every registered type with its description, its fields (from
// the compiled registry: no zod) and its zod schema (loaded on first access).
import { compiledRegistry } from './compiled.js'
import type { DetailSchemas } from './schemas.js'
import type { EventTypeInfo, EventTypeRegistry, KnownEventType } from './types.js'

let schemas: DetailSchemas | undefined

function detailSchema<T extends KnownEventType>(type: T): DetailSchemas[T] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  schemas ??= (require('./schemas.js') as typeof import('./schemas.js')).detailSchemas
  return schemas[type]
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
