// `ds01-events log`: one event from the arguments, or one per line of stdin.
// On the path of every bash event: it loads the writer and the envelope code,
// nothing else (no zod, no registry, no help text unless there is an error).
import { parseCommandArgs, resolveEventsFile } from '../common/index.js'
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

/** A value as the user would type it in a shell: quoted when it has to be. */
function shellWord(text: string): string {
  return /^[\w.:/@%+,=-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`
}

/**
 * The usage error for an option-like argument after the event type, with the
 * form that works: `--user alice` and `--user=alice` both mean `user=alice`.
 */
function misplacedOption(arg: string, next: string | undefined): string {
  const name = arg.replace(/^-+/, '')
  const eq = name.indexOf('=')
  if (eq < 0 && (name === 'stdin' || name === 'help' || name === 'h')) return `${arg} goes before <event_type>`
  const key = eq >= 0 ? name.slice(0, eq) : name
  const takesNext = eq < 0 && next !== undefined && !next.startsWith('-') && !next.includes('=')
  const value = eq >= 0 ? name.slice(eq + 1) : takesNext ? next : 'VALUE'
  const given = takesNext ? `${arg} ${next}` : arg
  const right = key === '' ? 'key=value' : shellWord(`${key}=${value}`)
  return `'${given}' looks like an option; after <event_type>, details are key=value: write ${right}`
}

/**
 * Options go before <event_type>, and --file anywhere. After the event type,
 * any other argument that starts with '-' is a usage error (it is almost
 * always `--user alice` meant as `user=alice`). A `--` ends the options: every
 * argument after it is <event_type> or a key=value, as given.
 */
function separate(args: string[]): { optionArgs: string[]; positionals: string[]; misplaced?: string } {
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
    } else if (arg.startsWith('-') && arg !== '-') {
      if (positionals.length > 0) return { optionArgs, positionals, misplaced: misplacedOption(arg, args[i + 1]) }
      optionArgs.push(arg)
    } else {
      positionals.push(arg)
    }
  }
  return { optionArgs, positionals }
}

export function runLog(args: string[]): number | Promise<number> {
  // `log --spool FILE --pid PID`: the bash wrapper's helper (spool.ts), not for people
  if (args[0] === '--spool') {
    const spool = parseCommandArgs(args, { spool: { type: 'string' }, pid: { type: 'string' }, stderr: { type: 'boolean' } } as const)
    if (!spool.ok) return usageError(spool.problem)
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('./spool.js') as typeof import('./spool.js')).runSpool(spool.values.spool ?? '', spool.values.pid, spool.values.stderr === true)
  }
  const { optionArgs, positionals, misplaced } = separate(args)
  if (misplaced !== undefined) return usageError(misplaced)
  const parsed = parseCommandArgs(optionArgs, LOG_OPTIONS, true)
  if (!parsed.ok) {
    const detail = /^unknown option '--?([a-z][\w-]*)'/.exec(parsed.problem)
    return usageError(detail === null ? parsed.problem : `${parsed.problem}; details are key=value after <event_type> (${detail[1]}=VALUE)`)
  }
  const { values } = parsed
  if (parsed.help) {
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
