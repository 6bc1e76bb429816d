// The monthly report as Markdown, for people (the JSON is for scripts).
import type { MonthlyReport } from './report.js'
import type { UserCount } from './tally.js'

/** A table cell: text from the log, with what Markdown or a terminal would act on escaped. */
function cell(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')).replace(/[|\\`*_[\]<>]/g, '\\$&')
}

/** `3 d 4 h`, `2 h 5 min`, `40 s`. */
export function duration(seconds: number | null): string {
  if (seconds === null) return '-'
  const s = Math.round(seconds)
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min`
  const h = Math.floor(m / 60)
  if (h < 24) return `${h} h ${m % 60} min`
  return `${Math.floor(h / 24)} d ${h % 24} h`
}

function hours(h: number): string {
  return h.toFixed(1)
}

function users(title: string, list: UserCount[]): string[] {
  if (list.length === 0) return []
  return ['', `| ${title} | count |`, '| --- | ---: |', ...list.map((u) => `| ${cell(u.user)} | ${u.count} |`)]
}

export function reportMarkdown(r: MonthlyReport): string {
  const out: string[] = [`# DS01 monthly report: ${r.month}`, '', `From ${r.from} to ${r.to} (UTC, the end excluded); ${r.events} event${r.events === 1 ? '' : 's'} of the report's types.`]
  const section = (title: string, lines: string[]): void => { out.push('', `## ${title}`, '', ...lines) }

  section('New users', [`${r.new_users.count} new user${r.new_users.count === 1 ? '' : 's'}${r.new_users.count > 0 ? ': ' + r.new_users.users.map(cell).join(', ') : ''}.`])

  const created = r.containers_created
  section('Containers created', [`${created.count} created.`,
    ...(created.by_container_type.length === 0 ? [] : ['', '| container type | count |', '| --- | ---: |', ...created.by_container_type.map((t) => `| ${cell(t.container_type)} | ${t.count} |`)]),
    ...users('top 10 users', created.top_users)])

  const exited = r.containers_exited
  section('Containers exited', [`${exited.count} exited; ${exited.with_lifetime} of them discovered in the month too: ` +
    `mean lifetime ${duration(exited.mean_lifetime_seconds)}, median ${duration(exited.median_lifetime_seconds)}.`])

  section('GPU rejections', [`${r.gpu_rejected.count} rejected.`, ...users('top 5 users', r.gpu_rejected.top_users)])
  section('Access denials', [`${r.access_denied.count} denied.`, ...users('top 5 users', r.access_denied.top_users)])
  section('Kills', ['| kind | count |', '| --- | ---: |',
    `| idle (maintenance.idle_kill) | ${r.idle_kills.count} |`,
    `| runtime (maintenance.runtime_kill) | ${r.runtime_kills.count} |`,
    `| out of memory (resource.oom_kill) | ${r.oom_kills.count} |`])
  section('Warnings', [`${r.warnings.count} warning${r.warnings.count === 1 ? '' : 's'} (${r.warnings.bare_metal} bare metal).`,
    ...(r.warnings.by_type.length === 0 ? [] : ['', '| event type | count |', '| --- | ---: |', ...r.warnings.by_type.map((w) => `| ${cell(w.event_type)} | ${w.count} |`)])])

  if (r.gpu_hours === null) {
    section('GPU-hours', ['Not available: the GPU accounting could not read the logs (stderr says why).'])
  } else {
    const g = r.gpu_hours
    section('GPU-hours', [`${hours(g.allocated_hours)} GPU-hours allocated, ${hours(g.idle_hours)} of them idle (under ${g.threshold} % utilization), ` +
      `${hours(g.unknown_hours)} unknown (no GPU sample: the GPU log keeps less history than the events log).`,
    ...(g.by_user.length === 0 ? [] : ['', '| user | allocated | idle | busy | unknown |', '| --- | ---: | ---: | ---: | ---: |',
      ...g.by_user.map((u) => `| ${cell(u.user)} | ${hours(u.allocated_hours)} | ${hours(u.idle_hours)} | ${hours(u.busy_hours)} | ${hours(u.unknown_hours)} |`)])])
  }
  return out.join('\n') + '\n'
}
