// `ds01-events types [--json]`: the event registry, as text or JSON.
import { parseArgs } from 'node:util'
import { EVENT_TYPES } from '../event/index.js'
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

function asText(list: [string, TypeEntry][]): string {
  const width = Math.max(...list.map(([type]) => type.length))
  const out: string[] = []
  for (const [type, { description, fields }] of list) {
    out.push(`${type.padEnd(width)}  ${description}`)
    const names = Object.keys(fields)
    const shown = names.map((name) => `${name} (${fields[name].join(' or ')})`).join(', ')
    out.push(`${' '.repeat(width)}  details: ${names.length > 0 ? shown : '(none)'}`)
  }
  out.push('', 'Other types that follow the naming rule (category.action, [a-z][a-z0-9_]* segments) are accepted too.')
  return out.join('\n') + '\n'
}

export function runTypes(args: string[]): number {
  let values
  try {
    values = parseArgs({ args, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true }).values
  } catch (err) {
    return usageError('types', err instanceof Error ? err.message : String(err))
  }
  if (values.help === true) return runHelp(['types'])
  const list = entries()
  if (values.json === true) process.stdout.write(JSON.stringify(Object.fromEntries(list), null, 2) + '\n')
  else process.stdout.write(asText(list))
  return 0
}
