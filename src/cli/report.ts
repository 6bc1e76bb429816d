// `ds01-events report --month YYYY-MM [--json] [--file PATH] [--gpu-file PATH]`:
// one UTC month's figures from the logs alone (docs/report.md). Exit status:
// 0 it ran, 1 the events log could not be read, 2 usage error.
import { parseArgs } from 'node:util'
import { monthlyReport, parseMonth, reportMarkdown } from '../report/index.js'
import { runHelp, usageError } from './help.js'

const OPTIONS = {
  month: { type: 'string' },
  json: { type: 'boolean' },
  file: { type: 'string' },
  'gpu-file': { type: 'string' },
  help: { type: 'boolean', short: 'h' }
} as const

export async function runReport(args: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: false, strict: true })
  } catch (err) {
    return usageError('report', err instanceof Error ? err.message : String(err))
  }
  const v = parsed.values
  if (v.help === true) return runHelp(['report'])
  if (v.month === undefined) return usageError('report', "--month YYYY-MM is needed (last month: --month \"$(date -u -d 'last month' +%Y-%m)\")")
  const month = parseMonth(v.month)
  if (month === null) return usageError('report', `--month ${JSON.stringify(v.month)}: expected YYYY-MM, a month in UTC (for example 2026-11)`)
  if (v.file === '' || v['gpu-file'] === '') return usageError('report', '--file and --gpu-file need a path')
  // a part of the log that could not be read (a generation, damage in a .gz) makes the figures incomplete: said, and status 1
  let incomplete = false
  const onWarning = (message: string): void => {
    if (/\bnot read\b/.test(message)) incomplete = true
    process.stderr.write(message.endsWith('\n') ? message : message + '\n')
  }
  const result = await monthlyReport({ month, eventsPath: v.file, gpuPath: v['gpu-file'], onWarning })
  if (!result.ok) {
    process.stderr.write(`ds01-events report: ${result.problem}\n`)
    return 1
  }
  process.stdout.write(v.json === true ? JSON.stringify(result.report) + '\n' : reportMarkdown(result.report))
  if (incomplete) {
    process.stderr.write('ds01-events report: incomplete: part of the log could not be read (above); the figures are missing its events\n')
    return 1
  }
  return 0
}
