// `ds01-events types [--json]`: the event registry, as text or JSON.
import { parseCommandArgs } from '../common/index.js'
import { canonicalEventType, EVENT_TYPES, eventTypeAliases, eventTypeSpellings, followsNamingRule, suggestEventType } from '../event/index.js'
import { runHelp, usageError } from './help.js'

interface TypeEntry {
  description: string
  fields: Record<string, readonly string[]>
  /** other spellings in the field (docs/format.md), counted as this type */
  aliases: string[]
}

function entries(): [string, TypeEntry][] {
  return Object.entries(EVENT_TYPES as Record<string, Omit<TypeEntry, 'aliases'>>)
    .map(([type, info]): [string, TypeEntry] => [type, { description: info.description, fields: { ...info.fields }, aliases: eventTypeSpellings(type).slice(1) }])
    .sort(([a], [b]) => a.localeCompare(b))
}

function asText(list: [string, TypeEntry][], all: boolean): string {
  const width = Math.max(...list.map(([type]) => type.length))
  const out: string[] = []
  for (const [type, { description, fields, aliases }] of list) {
    out.push(`${type.padEnd(width)}  ${description}`)
    const names = Object.keys(fields)
    const shown = names.map((name) => `${name} (${fields[name].join(' or ')})`).join(', ')
    out.push(`${' '.repeat(width)}  details: ${names.length > 0 ? shown : '(none)'}`)
    if (aliases.length > 0) out.push(`${' '.repeat(width)}  also spelled: ${aliases.join(', ')} (logged as given, counted as ${type})`)
  }
  if (all) {
    const spellings = Object.entries(eventTypeAliases()).sort(([a], [b]) => a.localeCompare(b))
    if (spellings.length > 0) {
      const w = Math.max(...spellings.map(([alias]) => alias.length))
      out.push('', 'Other spellings in the field (logged as given; query, report and accounting count them as the registered type):')
      for (const [alias, name] of spellings) out.push(`  ${alias.padEnd(w)}  -> ${name}`)
    }
    out.push('', 'Other types that follow the naming rule (category.action, [a-z][a-z0-9_]* segments) are accepted too.')
  }
  return out.join('\n') + '\n'
}

/** A usage error for TYPE that is not registered: say whether it may still be logged. */
function unknownType(type: string): number {
  const close = suggestEventType(type)
  if (close !== null) return usageError('types', `'${type}' is not a registered event type: did you mean ${close}? Run 'ds01-events types' for the list.`)
  const rule = followsNamingRule(type)
    ? '; it may still be logged (it follows the naming rule), without field checks'
    : ', nor does it follow the naming rule (category.action, [a-z][a-z0-9_]* segments): it cannot be logged'
  return usageError('types', `'${type}' is not a registered event type${rule}. Run 'ds01-events types' for the list.`)
}

export function runTypes(args: string[]): number {
  const parsed = parseCommandArgs(args, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, true)
  if (!parsed.ok) return usageError('types', parsed.problem)
  const { values, positionals } = parsed
  if (parsed.help) return runHelp(['types'])
  if (positionals.length > 1) return usageError('types', `one TYPE at most (got ${positionals.length})`)
  let list = entries()
  if (positionals.length === 1) {
    const type = canonicalEventType(positionals[0]) // an alias shows the type it spells
    list = list.filter(([name]) => name === type)
    if (list.length === 0) return unknownType(positionals[0])
  }
  if (values.json === true) process.stdout.write(JSON.stringify(Object.fromEntries(list), null, 2) + '\n')
  else process.stdout.write(asText(list, positionals.length === 0))
  return 0
}
