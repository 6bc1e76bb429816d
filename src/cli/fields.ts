// key=value arguments to the `fields` of logEvent, the way the old CLI read them.

import { parseValue } from '../event/index.js'

export { parseValue }

export interface ParsedFields {
  /** user and source included; no prototype, so a key like __proto__ stays a plain key */
  fields: Record<string, unknown>
  /** one line per argument skipped or overridden */
  warnings: string[]
}

/** Reads `key=value` arguments (the first '=' splits); others are skipped with a warning. */
export function parseFieldArgs(args: readonly string[]): ParsedFields {
  const fields = Object.create(null) as Record<string, unknown>
  const warnings: string[] = []
  for (const arg of args) {
    const eq = arg.indexOf('=')
    if (eq <= 0) {
      const why = eq < 0 ? 'it has no "="' : 'its key is empty'
      warnings.push(`skipped argument ${JSON.stringify(arg)}: ${why} (expected key=value)`)
      continue
    }
    const key = arg.slice(0, eq)
    const text = arg.slice(eq + 1)
    if (Object.hasOwn(fields, key)) warnings.push(`key ${JSON.stringify(key)} given twice: the last value is kept`)
    // user and source are envelope strings: never parsed as JSON
    fields[key] = key === 'user' || key === 'source' ? text : parseValue(text)
  }
  return { fields, warnings }
}
