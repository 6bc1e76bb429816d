// The terminal text of `ds01-events gpu`: a utilization bar per GPU fitted to
// the terminal's width, the usage table sorted by idle GPU-hours, the waste
// list. Colour only when asked (a terminal, no NO_COLOR); control characters
// from the logs are shown escaped, never sent to the terminal.
import type { GpuStatusReport, GpuStatusRow, GpuUsageReport, GpuWasteReport } from '../accounting/index.js'

const RESET = '\x1b[0m'
const RED = '\x1b[31m'
const GREEN = '\x1b[32m'
const YELLOW = '\x1b[33m'
const DIM = '\x1b[2m'

/** Text from a log, safe for a terminal: control characters escaped. */
export function safe(text: string | null | undefined): string {
  // eslint-disable-next-line no-control-regex
  return (text ?? '-').replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

function paint(colour: boolean, code: string, text: string): string {
  return colour ? `${code}${text}${RESET}` : text
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length)
}

function padStart(text: string, width: number): string {
  return text.length >= width ? text : ' '.repeat(width - text.length) + text
}

function localTime(iso: string): string {
  const d = new Date(iso)
  const two = (n: number): string => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`
}

function age(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`
  if (seconds < 172800) return `${Math.round(seconds / 3600)} h`
  return `${Math.round(seconds / 86400)} days`
}

function bar(util: number | null, width: number, colour: boolean): string {
  if (util === null) return '[' + pad(' n/a', width) + ']'
  const filled = Math.max(0, Math.min(width, Math.round(util / 100 * width)))
  const code = util < 5 ? YELLOW : GREEN
  return '[' + paint(colour, code, '#'.repeat(filled)) + '.'.repeat(width - filled) + ']'
}

function holderText(g: GpuStatusRow): string {
  if (g.holders.length === 0) return 'free'
  return g.holders.map((h) => `${safe(h.user)} (${safe(h.container)}${h.slice ? `, MIG ${safe(h.gpu)}` : ''}) since ${localTime(h.since)}`).join('; ')
}

/** `gpu status`: one line per GPU, a bar that takes what the terminal's width leaves. */
export function statusText(report: GpuStatusReport, columns: number, colour: boolean): string {
  if (report.gpus.length === 0) {
    return paint(colour, RED, 'no GPU seen: no sample in the last hour and no allocation held (is ds01-gpu-monitor running?)') + '\n'
  }
  const lines: string[] = []
  const holders = report.gpus.map(holderText)
  // id, the bar's brackets, the utilization, memory, temperature and power take 41 columns; the bar what the holder leaves
  const width = Math.max(10, Math.min(40, columns - 41 - Math.max(...holders.map((h) => h.length))))
  report.gpus.forEach((g, i) => {
    const id = g.gpu_index === null ? safe(g.gpu_uuid ?? '?') : String(g.gpu_index)
    const s = g.sample
    const util = s === null ? '   - %' : s.gpu_util_percent === null ? '  n/a ' : padStart(`${Math.round(s.gpu_util_percent)} %`, 6)
    const mem = s === null || s.mem_used_mb === null || s.mem_total_mb === null ? '' : `${(s.mem_used_mb / 1024).toFixed(1)}/${(s.mem_total_mb / 1024).toFixed(0)} GB`
    const temp = s === null || s.temperature_c === null ? '' : `${Math.round(s.temperature_c)} C`
    const power = s === null || s.power_w === null ? '' : `${Math.round(s.power_w)} W`
    let line = `${padStart(id, 3)} ${s === null ? '[' + pad(' -', width) + ']' : bar(s.gpu_util_percent, width, colour)} ${util}  ${pad(mem, 12)} ${pad(temp, 5)} ${pad(power, 6)} ${holders[i]}`
    if (g.stale) line += '  ' + paint(colour, RED, s === null ? 'no recent sample' : `stale: last sample ${age(s.age_s)} ago`)
    lines.push(line)
  })
  const names = [...new Set(report.gpus.map((g) => g.name).filter((n): n is string => n !== null))]
  let out = (names.length > 0 ? paint(colour, DIM, names.map(safe).join(', ')) + '\n' : '') + lines.join('\n') + '\n'
  if (report.stale) out += paint(colour, RED, 'Samples are stale: the GPU agent seems down (systemctl status ds01-gpu-monitor).') + '\n'
  return out
}

function hours(h: number): string {
  return h.toFixed(2)
}

/** `gpu usage`: a table per user (container, GPU), sorted by idle GPU-hours. */
export function usageText(report: GpuUsageReport, colour: boolean): string {
  const key = report.by === 'gpu' ? 'GPU' : report.by === 'container' ? 'USER' : 'USER'
  const head = [key, ...(report.by === 'container' ? ['CONTAINER'] : []), 'ALLOCATED', 'BUSY', 'IDLE', 'UNKNOWN', 'MEAN UTIL']
  const rows = report.rows.map((r) => [
    report.by === 'gpu' ? safe(r.gpu) : safe(r.user),
    ...(report.by === 'container' ? [safe(r.container)] : []),
    hours(r.allocated_hours), hours(r.busy_hours), hours(r.idle_hours), hours(r.unknown_hours),
    r.mean_util_percent === null ? '-' : `${r.mean_util_percent.toFixed(0)} %`
  ])
  const labels = report.by === 'container' ? 2 : 1
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const line = (cells: string[]): string => cells.map((c, i) => (i < labels ? pad(c, widths[i]) : padStart(c, widths[i]))).join('  ').trimEnd()
  const title = `GPU-hours from ${localTime(report.since)} to ${localTime(report.until)} (idle: under ${report.threshold} %)`
  if (rows.length === 0) return `${title}\nno GPU was allocated in this window\n`
  const total = report.rows.reduce((t, r) => [t[0] + r.allocated_hours, t[1] + r.busy_hours, t[2] + r.idle_hours, t[3] + r.unknown_hours], [0, 0, 0, 0])
  const totalRow = ['total', ...(report.by === 'container' ? [''] : []), ...total.map(hours), '']
  return [paint(colour, DIM, title), paint(colour, DIM, line(head)), ...rows.map(line), paint(colour, DIM, line(totalRow))].join('\n') + '\n'
}

/** `gpu waste`: each wasted allocation, or that there is none. */
export function wasteText(report: GpuWasteReport, colour: boolean): string {
  if (report.wasted.length === 0) return `no allocation wasted in the last ${report.window} (under ${report.threshold} % for more than ${report.share * 100} % of at least ${report.min_samples} samples)\n`
  const lines = report.wasted.map((w) => {
    const alert = w.alert === 'logged' ? 'alert logged' : w.alert === 'already' ? 'already alerted' : 'no alert logged'
    return paint(colour, RED, 'wasted') + ` GPU ${safe(w.gpu)} (index ${w.gpu_index}): ${safe(w.user)} ${safe(w.container)}, held since ${localTime(w.since)}; ` +
      `${w.low_samples} of ${w.samples} samples under ${report.threshold} % in the last ${report.window} (${alert})`
  })
  return lines.join('\n') + '\n'
}
