// `ds01-events log`: one event from the arguments, or one per line of stdin.
// On the path of every bash event: it loads the writer and the envelope code,
// nothing else (no zod, no registry, no help text unless there is an error).
import { parseArgs } from 'node:util'
import { resolveEventsFile } from '../common/index.js'
import { createEventLog } from '../event/index.js'
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

/**
 * Options go before <event_type>, and --file anywhere. Every other argument
 * after the event type is a key=value, one that starts with '-' included
 * (`-x=1` is a detail; `--rm` is warned about and skipped like any argument
 * without '='). A `--` ends the options.
 */
function separate(args: string[]): { optionArgs: string[]; positionals: string[] } {
  const optionArgs: string[] = []
  const positionals: string[] = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]
    if (arg === '--') {
      positionals.push(...args.slice(i + 1))
      break
    }
    if (arg === '--file' || arg.startsWith('--file=')) {
      optionArgs.push(arg)
      if (arg === '--file' && i + 1 < args.length) optionArgs.push(args[++i])
    } else if (positionals.length === 0 && arg.startsWith('-') && arg !== '-') {
      optionArgs.push(arg)
    } else {
      positionals.push(arg)
    }
  }
  return { optionArgs, positionals }
}

export function runLog(args: string[]): number | Promise<number> {
  const { optionArgs, positionals } = separate(args)
  let parsed
  try {
    parsed = parseArgs({ args: optionArgs, options: LOG_OPTIONS, allowPositionals: true, strict: true })
  } catch (err) {
    return usageError(err instanceof Error ? err.message : String(err))
  }
  const { values } = parsed
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
