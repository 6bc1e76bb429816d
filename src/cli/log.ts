// `ds01-events log`: one event from the arguments, or one per line of stdin.
// On the path of every bash event: it loads the writer and the envelope code,
// nothing else (no zod, no registry, no help text unless there is an error).
import { parseArgs } from 'node:util'
import { createEventLog, resolveEventsFile } from '../index.js'
import { parseFieldArgs } from './fields.js'

const LOG_OPTIONS = {
  file: { type: 'string' },
  stdin: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' }
} as const

function usageError(problem: string): number {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('./help.js') as typeof import('./help.js')).usageError('log', problem)
}

function warn(message: string): void {
  process.stderr.write(`ds01-events log: ${message}\n`)
}

export function runLog(args: string[]): number | Promise<number> {
  let parsed
  try {
    parsed = parseArgs({ args, options: LOG_OPTIONS, allowPositionals: true, strict: true })
  } catch (err) {
    return usageError(err instanceof Error ? err.message : String(err))
  }
  const { values, positionals } = parsed
  if (values.help === true) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('./help.js') as typeof import('./help.js')).runHelp(['log'])
  }
  if (values.file === '') return usageError('--file needs a path')
  const path = resolveEventsFile(values.file)
  if (values.stdin === true) {
    if (positionals.length > 0) return usageError('--stdin takes no event arguments (one JSON object per input line)')
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('./stdin.js') as typeof import('./stdin.js')).logLines(path, process.stdin)
  }
  const [eventType, ...pairs] = positionals
  if (eventType === undefined || eventType === '') return usageError('missing <event_type> (for example: container.start)')

  const { fields, warnings } = parseFieldArgs(pairs)
  for (const message of warnings) warn(message)

  const heard: string[] = []
  const log = createEventLog({ path, onWarning: (message: string) => { heard.push(message) } })
  const logged = log.log(eventType, fields)
  log.close()
  for (const message of heard) process.stderr.write(message.endsWith('\n') ? message : message + '\n')
  if (logged) return 0
  // the library's warning already says what happened and what to do
  if (heard.length === 0) warn(`event not logged to ${path}`)
  return 1
}
