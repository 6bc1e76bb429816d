// Turns the zod schemas into a small JSON descriptor that plain code checks
// against (field-check.ts). Used by the build (tools/compile-registry.ts) and,
// where the build output is missing, once at run time. Anything it does not
// know how to compile is an error, so the two can never silently disagree.
import type { z } from 'zod'

/** One accepted shape of a field value. */
export type FieldKind = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'any'

export interface CompiledRegistry {
  format: 2
  envelope: { eventTypePattern: string; eventTypeMaxLength: number; schemaVersion: string }
  types: Record<string, { description: string; fields: Record<string, FieldKind[]> }>
  /** Other spellings of registered types: alias -> registered name. */
  aliases: Record<string, string>
}

interface ZodDef {
  type: string
  checks?: { _zod: { def: Record<string, unknown> } }[]
  innerType?: ZodLike
  options?: ZodLike[]
  element?: ZodLike
  shape?: Record<string, ZodLike>
  catchall?: ZodLike
  values?: unknown[]
}
interface ZodLike {
  _zod: { def: ZodDef }
  description?: string
}

function fail(where: string, what: string): never {
  throw new Error(`compile-schema: ${where}: ${what} is not supported by the compiled checker`)
}

/** The kinds a value schema accepts (undefined is always dropped before checking). */
export function compileField(schema: ZodLike, where: string): FieldKind[] {
  const def = schema._zod.def
  if (def.checks !== undefined && def.checks.length > 0) fail(where, `a ${def.type} with checks`)
  switch (def.type) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'null':
      return [def.type]
    case 'unknown':
    case 'any':
      return ['any']
    case 'array': {
      const element = compileField(def.element as ZodLike, `${where}[]`)
      if (element.length !== 1 || element[0] !== 'any') fail(where, 'an array of a specific type')
      return ['array']
    }
    case 'optional':
      return compileField(def.innerType as ZodLike, where)
    case 'nullable':
      return union([compileField(def.innerType as ZodLike, where), ['null']])
    case 'union':
      return union((def.options ?? []).map((option) => compileField(option, where)))
    default:
      return fail(where, `zod type '${def.type}'`)
  }
}

function union(parts: FieldKind[][]): FieldKind[] {
  const all = new Set(parts.flat())
  return all.has('any') ? ['any'] : [...all]
}

function compileDetails(schema: ZodLike, type: string): Record<string, FieldKind[]> {
  const def = schema._zod.def
  if (def.type !== 'object' || def.catchall?._zod.def.type !== 'unknown') fail(type, 'details that are not a loose object')
  const fields: Record<string, FieldKind[]> = {}
  for (const [name, field] of Object.entries(def.shape ?? {})) {
    if (field._zod.def.type !== 'optional') fail(`${type}.${name}`, 'a required field')
    fields[name] = compileField(field, `${type}.${name}`)
  }
  return fields
}

function eventTypeRules(envelope: ZodLike): { pattern: string; maxLength: number } {
  const eventType = envelope._zod.def.shape?.event_type
  let pattern: string | undefined
  let maxLength: number | undefined
  for (const check of eventType?._zod.def.checks ?? []) {
    const c = check._zod.def
    if (c.check === 'max_length') maxLength = c.maximum as number
    else if (c.check === 'string_format' && c.format === 'regex') pattern = (c.pattern as RegExp).source
    else fail('envelope.event_type', `check '${String(c.check)}'`)
  }
  if (pattern === undefined || maxLength === undefined) return fail('envelope.event_type', 'a rule without pattern and max length')
  return { pattern, maxLength }
}

export function compileRegistry(envelope: z.ZodType, detailSchemas: Record<string, z.ZodType>, aliases: Record<string, string> = {}): CompiledRegistry {
  const env = envelope as unknown as ZodLike
  const { pattern, maxLength } = eventTypeRules(env)
  const version = env._zod.def.shape?.schema_version?._zod.def.values?.[0]
  if (typeof version !== 'string') fail('envelope.schema_version', 'a version that is not a string literal')
  const types: CompiledRegistry['types'] = {}
  for (const [type, schema] of Object.entries(detailSchemas)) {
    const zl = schema as unknown as ZodLike
    types[type] = { description: zl.description ?? '', fields: compileDetails(zl, type) }
  }
  for (const [alias, name] of Object.entries(aliases)) {
    if (types[alias] !== undefined) fail(`aliases.${alias}`, 'an alias that is itself a registered type')
    if (types[name] === undefined) fail(`aliases.${alias}`, `an alias of an unregistered type '${name}'`)
    if (!new RegExp(pattern).test(alias)) fail(`aliases.${alias}`, 'an alias outside the naming rule')
  }
  return { format: 2, envelope: { eventTypePattern: pattern, eventTypeMaxLength: maxLength, schemaVersion: version }, types, aliases: { ...aliases } }
}
