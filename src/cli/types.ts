// `ds01-events types [--json]`: the event registry, as text or JSON.
import { parseCommandArgs } from '../common/index.js'
import { EVENT_TYPES, followsNamingRule } from '../event/index.js'
import { runHelp, usageError } from './help.js'

interface TypeEntry {
  description: string
  fields: Record<string, readonly string[]>
}

function entries(): [string, TypeEntry][] {
  return Object.entries(EVENT_TYPES as Record<string, TypeEntry>)
    .map(([type, info]): [string, TypeEntry] => [type, { description: info.description, fields: { ...info.fields } }])
    .sort(([a], [b]) => a.localeCompare(b))
}

function asText(list: [string, TypeEntry][], all: boolean): string {
  const width = Math.max(...list.map(([type]) => type.length))
  const out: string[] = []
  for (const [type, { description, fields }] of list) {
    out.push(`${type.padEnd(width)}  ${description}`)
    const names = Object.keys(fields)
    const shown = names.map((name) => `${name} (${fields[name].join(' or ')})`).join(', ')
    out.push(`${' '.repeat(width)}  details: ${names.length > 0 ? shown : '(none)'}`)
  }
  if (all) out.push('', 'Other types that follow the naming rule (category.action, [a-z][a-z0-9_]* segments) are accepted too.')
  return out.join('\n') + '\n'
}

/** A usage error for TYPE that is not registered: say whether it may still be logged. */
function unknownType(type: string): number {
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
    const type = positionals[0]
    list = list.filter(([name]) => name === type)
    if (list.length === 0) return unknownType(type)
  }
  if (values.json === true) process.stdout.write(JSON.stringify(Object.fromEntries(list), null, 2) + '\n')
  else process.stdout.write(asText(list, positionals.length === 0))
  return 0
}
