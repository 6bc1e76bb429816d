// The `ds01-events` command. Every bash event pays this process's start-up, so
// the dispatcher loads only the module of the subcommand it runs (`log` never
// loads zod, the registry or the help text).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

type Command = (args: string[]) => number | Promise<number>

function wantsDatabase(args: string[]): boolean {
  if (args.some((a) => /^--db(-file)?(=|$)/.test(a))) return true
  const env = process.env.DS01_EVENTS_DB
  return env !== undefined && env !== '' && !args.some((a) => /^--(file|gpu)(=|$)/.test(a))
}

/* eslint-disable @typescript-eslint/no-require-imports -- lazy loading is the point */
export const COMMANDS: Record<string, () => Command> = {
  log: () => (require('./log.js') as typeof import('./log.js')).runLog,
  types: () => (require('./types.js') as typeof import('./types.js')).runTypes,
  // --db URL, --db-file PATH (or DS01_EVENTS_DB without --file/--gpu): the fleet's PostgreSQL (query-db.ts)
  query: () => (args) => wantsDatabase(args)
    ? (require('./query-db.js') as typeof import('./query-db.js')).runQueryDb(args)
    : (require('./query.js') as typeof import('./query.js')).runQuery(args),
  // --uninstall: the way back (uninstall.ts); --forward/--central: the fleet's rsyslog and PostgreSQL side (setup-fleet.ts)
  setup: () => (args) => args.includes('--uninstall')
    ? (require('./uninstall.js') as typeof import('./uninstall.js')).runUninstall(args)
    : args.some((a) => /^--(forward|central)(=|$)/.test(a))
      ? (require('./setup-fleet.js') as typeof import('./setup-fleet.js')).runFleetSetup(args)
    : (require('./setup.js') as typeof import('./setup.js')).runSetup(args),
  gpu: () => (require('./gpu.js') as typeof import('./gpu.js')).runGpu,
  'gpu-monitor': () => (require('./gpu-monitor.js') as typeof import('./gpu-monitor.js')).runGpuMonitorCommand,
  exporter: () => (require('./exporter.js') as typeof import('./exporter.js')).runExporterCommand,
  report: () => (require('./report.js') as typeof import('./report.js')).runReport,
  help: () => (args) => (require('./help.js') as typeof import('./help.js')).runHelp(args),
  // the bash completion script, its words from the commands' own help (completion.ts)
  completion: () => (require('./completion.js') as typeof import('./completion.js')).runCompletion(COMMANDS)
}
/* eslint-enable @typescript-eslint/no-require-imports */

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: unknown }
    return typeof pkg.version === 'string' ? pkg.version : 'unknown'
  } catch {
    return 'unknown'
  }
}

function dispatch(argv: string[]): number | Promise<number> {
  const [first, ...rest] = argv
  if (first === '--help' || first === '-h') return COMMANDS.help()(rest)
  if (first === undefined) {
    process.stderr.write(`ds01-events: missing command (${Object.keys(COMMANDS).filter((c) => c !== 'help').join(', ')})\nRun 'ds01-events --help' for usage.\n`)
    return 2
  }
  if (first === '--version' || first === '-V' || first === '-v' || first === 'version') {
    process.stdout.write(`ds01-events ${version()}\n`)
    return 0
  }
  // `ds01-events --user alice --since today`: options alone mean query, as the older tool read them
  if (first.startsWith('-')) return COMMANDS.query()(argv)
  const command = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined
  if (command === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- only on this error
    const guess = (require('../common/index.js') as typeof import('../common/index.js')).didYouMean(first, Object.keys(COMMANDS))
    process.stderr.write(`ds01-events: unknown command '${first}'${guess === undefined ? '' : ` (did you mean '${guess}'?)`}\nRun 'ds01-events --help' for the commands.\n`)
    return 2
  }
  return command()(rest)
}

function internalError(err: unknown): number {
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err)
  process.stderr.write(`ds01-events: internal error (please report it): ${text}\n`)
  return 1
}

let stdoutFailed = false

/**
 * Standard output closed early (`setup | head -1`) must not stop a command
 * half-way with a stack trace: what it prints is a report, so the command
 * finishes its work and the rest of the report is dropped (EPIPE, quietly, as
 * a pipe's reader asked). Any other failure to write it (a full disk) is said
 * once on stderr and makes the exit status 1. A command that streams (query)
 * adds its own handler that stops it.
 */
function guardStdout(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || stdoutFailed) return
    stdoutFailed = true
    process.stderr.write(`ds01-events: cannot write to standard output: ${err.code ?? err.message}\n`)
    process.exitCode = Math.max(Number(process.exitCode ?? 0), 1)
  })
}

function finish(code: number): void {
  process.exitCode = stdoutFailed ? Math.max(code, 1) : code
}

/** Runs the command line and sets process.exitCode; the process ends on its own (pending writes flushed). */
export function runCli(argv: string[]): void {
  guardStdout()
  let result: number | Promise<number>
  try {
    result = dispatch(argv)
  } catch (err) {
    result = internalError(err)
  }
  if (typeof result === 'number') {
    finish(result)
    return
  }
  result.then(
    (code) => { finish(code) },
    (err: unknown) => { finish(internalError(err)) }
  )
}
