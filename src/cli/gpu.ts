// `ds01-events gpu status|usage|waste`: GPU accounting from the two logs
// (src/accounting). Exit status: 0 it ran (waste: nothing wasted), 1 waste
// found an allocation wasted or a log could not be read, 2 usage error.
import { parseArgs } from 'node:util'
import { gpuStatus, gpuUsage, gpuWaste, parseDuration, type GpuLogOptions } from '../accounting/index.js'
import { useColour } from '../reader/index.js'
import { GPU_USAGE } from './gpu-help.js'
import { statusText, usageText, wasteText } from './gpu-text.js'
import { quietOnEpipe, writeAndWait } from './query-common.js'

const SUBCOMMANDS = ['status', 'usage', 'waste'] as const
const BY = ['user', 'container', 'gpu'] as const

const OPTIONS = {
  json: { type: 'boolean' },
  file: { type: 'string' },
  'gpu-file': { type: 'string' },
  interval: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  by: { type: 'string' },
  threshold: { type: 'string' },
  window: { type: 'string' },
  share: { type: 'string' },
  'min-samples': { type: 'string' },
  'dry-run': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' }
} as const

/** Which options each subcommand takes (the others are a usage error there). */
const ALLOWED: Record<(typeof SUBCOMMANDS)[number], string[]> = {
  status: ['json', 'file', 'gpu-file', 'interval', 'help'],
  usage: ['json', 'file', 'gpu-file', 'interval', 'since', 'until', 'by', 'threshold', 'help'],
  waste: ['json', 'file', 'gpu-file', 'interval', 'threshold', 'window', 'share', 'min-samples', 'dry-run', 'help']
}

function usageError(problem: string): number {
  process.stderr.write(`ds01-events gpu: ${problem}\n${GPU_USAGE.split('\n\n')[0]}\nRun 'ds01-events gpu --help' for details.\n`)
  return 2
}

/** The closest of `choices` to `word` within two edits, for "did you mean". */
function closest(word: string, choices: readonly string[]): string | null {
  let best: string | null = null
  let bestDistance = 3
  for (const choice of choices) {
    const d = editDistance(word.toLowerCase(), choice)
    if (d < bestDistance) { best = choice; bestDistance = d }
  }
  return best
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const kept = row[j]
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1))
      previous = kept
    }
  }
  return row[b.length]
}

function numberOption(name: string, text: string | undefined): number | undefined | string {
  if (text === undefined) return undefined
  if (!/^\d+(?:\.\d+)?$/.test(text.trim())) return `--${name} ${JSON.stringify(text)}: expected a number`
  return Number(text)
}

export async function runGpu(args: string[]): Promise<number> {
  const [sub, ...rest] = args
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(GPU_USAGE)
    return sub === undefined ? 2 : 0
  }
  if (!(SUBCOMMANDS as readonly string[]).includes(sub)) {
    const guess = closest(sub, SUBCOMMANDS)
    return usageError(`unknown subcommand '${sub}'${guess !== null ? ` (did you mean '${guess}'?)` : ''}; expected status, usage or waste`)
  }
  const command = sub as (typeof SUBCOMMANDS)[number]
  let values
  try {
    values = parseArgs({ args: rest, options: OPTIONS, strict: true, allowPositionals: false }).values
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    const unknown = /Unknown option '--([^']+)'/.exec(message)
    const guess = unknown === null ? null : closest(unknown[1], Object.keys(OPTIONS))
    return usageError(message + (guess !== null ? ` (did you mean --${guess}?)` : ''))
  }
  if (values.help === true) {
    process.stdout.write(GPU_USAGE)
    return 0
  }
  const misplaced = Object.keys(values).filter((k) => !ALLOWED[command].includes(k))
  if (misplaced.length > 0) return usageError(`gpu ${command} does not take --${misplaced[0]}`)
  for (const name of ['file', 'gpu-file'] as const) if (values[name] === '') return usageError(`--${name} needs a path`)

  const problems: string[] = []
  const base: GpuLogOptions = { eventsPath: values.file, gpuPath: values['gpu-file'], onWarning: (m) => problems.push(m) }
  if (values.interval !== undefined) {
    const interval = parseDuration(values.interval)
    if (interval === null) return usageError(`--interval ${JSON.stringify(values.interval)}: expected a duration such as 1s, 10s or 1m`)
    base.intervalMs = interval
  }
  const threshold = numberOption('threshold', values.threshold)
  if (typeof threshold === 'string') return usageError(threshold)
  quietOnEpipe(() => {})
  const colour = useColour(process.stdout)
  const failed = (): number => {
    // warnings that are not about skipped lines mean no answer: a log could not be read
    for (const p of problems) process.stderr.write(`${p.replace(/^ds01-events: /, 'ds01-events gpu: ')}\n`)
    return 1
  }
  const passWarnings = (): void => {
    for (const p of problems) process.stderr.write(`${p.replace(/^ds01-events: /, 'ds01-events gpu: ')}\n`)
  }

  if (command === 'status') {
    const report = await gpuStatus(base)
    if (report === null) return failed()
    passWarnings()
    await writeAndWait(values.json === true ? JSON.stringify(report) + '\n' : statusText(report, process.stdout.columns ?? 100, colour))
    return 0
  }
  if (command === 'usage') {
    if (values.by !== undefined && !(BY as readonly string[]).includes(values.by)) {
      const guess = closest(values.by, BY)
      return usageError(`--by ${JSON.stringify(values.by)}: expected user, container or gpu${guess !== null ? ` (did you mean ${guess}?)` : ''}`)
    }
    const { parseWhen, WHEN_FORMS } = await import('../reader/index.js')
    for (const name of ['since', 'until'] as const) {
      const v = values[name]
      if (v !== undefined && parseWhen(v) === null) return usageError(`--${name} ${JSON.stringify(v)}: not a time I can read.\n${WHEN_FORMS}`)
    }
    const report = await gpuUsage({ ...base, since: values.since, until: values.until, by: values.by as (typeof BY)[number] | undefined, threshold })
    if (report === null) {
      if (problems.some((p) => /is not after --since/.test(p))) return usageError(problems[0].replace(/^ds01-events: gpuUsage: /, ''))
      return failed()
    }
    passWarnings()
    await writeAndWait(values.json === true ? JSON.stringify(report) + '\n' : usageText(report, colour))
    return 0
  }
  // waste
  const share = numberOption('share', values.share)
  if (typeof share === 'string') return usageError(share)
  if (share !== undefined && !(share >= 0 && share < 1)) return usageError(`--share ${values.share}: expected a fraction from 0 to under 1 (0.8: more than 80 % of the samples)`)
  const minSamples = numberOption('min-samples', values['min-samples'])
  if (typeof minSamples === 'string') return usageError(minSamples)
  if (minSamples !== undefined && !(Number.isInteger(minSamples) && minSamples >= 1)) return usageError(`--min-samples ${values['min-samples']}: expected a whole number, 1 or more`)
  if (values.window !== undefined && parseDuration(values.window) === null) return usageError(`--window ${JSON.stringify(values.window)}: expected a duration such as 30m, 1h or 90s`)
  const report = await gpuWaste({ ...base, window: values.window, threshold, share, minSamples, alert: values['dry-run'] !== true })
  if (report === null) return failed()
  passWarnings()
  await writeAndWait(values.json === true ? JSON.stringify(report) + '\n' : wasteText(report, colour))
  return report.wasted.length > 0 ? 1 : 0
}
