// A report month: `YYYY-MM`, in UTC, from its first millisecond to its last.

export interface Month {
  /** `2026-11` */
  name: string
  /** 00:00:00.000 UTC of the month's first day */
  since: Date
  /** 23:59:59.999 UTC of its last day */
  until: Date
}

/** The month named `YYYY-MM` (years 1970-9999), or null. */
export function parseMonth(text: string): Month | null {
  const m = /^(\d{4})-(\d{2})$/.exec(text)
  if (m === null) return null
  const year = Number(m[1])
  const month = Number(m[2])
  if (year < 1970 || month < 1 || month > 12) return null
  const since = new Date(Date.UTC(year, month - 1, 1))
  const until = new Date(Date.UTC(year, month, 1) - 1)
  return { name: text, since, until }
}

/** The month before the one `now` is in (UTC): what a report on the first of a month is about. */
export function lastMonth(now: Date = new Date()): Month {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1))
  return parseMonth(`${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`) as Month
}
