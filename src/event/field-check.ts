// Plain-code checks of detail values against the compiled registry: one
// bitmask per field, one typeof per value. No zod on this path.
import type { FieldKind } from './compile-schema.js'

const STRING = 1
const NUMBER = 2
const BOOLEAN = 4
const NULL = 8
const ARRAY = 16
const OTHER = 32 // objects, and numbers that JSON writes as null (NaN, Infinity)
const ANY = STRING | NUMBER | BOOLEAN | NULL | ARRAY | OTHER

const BITS: Record<FieldKind, number> = { string: STRING, number: NUMBER, boolean: BOOLEAN, null: NULL, array: ARRAY, any: ANY }

/** Field name -> accepted kinds as a bitmask. */
export type FieldMasks = Map<string, number>

export function fieldMasks(fields: Record<string, readonly FieldKind[]>): FieldMasks {
  const masks: FieldMasks = new Map()
  for (const [name, kinds] of Object.entries(fields)) masks.set(name, kinds.reduce((m, k) => m | BITS[k], 0))
  return masks
}

/** The kind bit of a value as zod sees it (z.number() rejects NaN and Infinity). */
export function kindOf(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return STRING
    case 'number':
      return Number.isFinite(value) ? NUMBER : OTHER
    case 'boolean':
      return BOOLEAN
    case 'object':
      return value === null ? NULL : Array.isArray(value) ? ARRAY : OTHER
    default:
      return OTHER
  }
}

/** What a mask accepts, for warnings: "string or number". */
export function describeMask(mask: number): string {
  if (mask === ANY) return 'any value'
  const names = (Object.keys(BITS) as FieldKind[]).filter((k) => k !== 'any' && (mask & BITS[k]) !== 0)
  return names.join(' or ')
}

/** The kind of a value, for warnings. */
export function describeValue(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value)
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  return typeof value
}
