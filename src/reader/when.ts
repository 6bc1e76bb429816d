// WHEN for --since/--until, the forms `journalctl --since` users and the older
// jq-based tool's users type. Times without a zone are local time, as in journalctl.

export const WHEN_FORMS = `WHEN is one of:
  2026-01-30                    local midnight of that day
  2026-01-30T12:00:00Z          ISO 8601, with Z or an offset (+02:00), seconds and fraction optional
  "2026-01-30 12:00"            ISO 8601 without a zone: local time
  now, today, yesterday, tomorrow
  "1 hour ago", "3 days ago"    N second|minute|hour|day|week[s] ago
  90s, 15m, 2h, 7d, 1w          that long ago (a leading - is allowed: -2h)
  @1769776200                   seconds since the epoch`

const UNIT_MS: Record<string, number> = {
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hr: 3_600_000, hrs: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
  w: 604_800_000, week: 604_800_000, weeks: 604_800_000
}

function localMidnight(now: Date, dayOffset: number): Date {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() + dayOffset)
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i

/** The instants a WHEN may name: those a v1 timestamp can write, years 0000 to 9999 (UTC). */
export const EARLIEST_WHEN_MS = Date.parse('0000-01-01T00:00:00.000Z')
export const LATEST_WHEN_MS = Date.parse('9999-12-31T23:59:59.999Z')

type Parts = readonly [number, number, number, number, number, number, number]

/** Date.UTC / new Date(...) without their reading of years 0-99 as 1900-1999. */
function fromParts(parts: Parts, utc: boolean): Date {
  const [y, mo, d, h, mi, sec, ms] = parts
  if (y >= 100) return utc ? new Date(Date.UTC(y, mo, d, h, mi, sec, ms)) : new Date(y, mo, d, h, mi, sec, ms)
  const date = utc ? new Date(Date.UTC(2000, mo, d, h, mi, sec, ms)) : new Date(2000, mo, d, h, mi, sec, ms)
  if (utc) date.setUTCFullYear(y, mo, d)
  else date.setFullYear(y, mo, d)
  return date
}

function parseIso(text: string): Date | null {
  const m = ISO.exec(text)
  if (m === null) return null
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone] = m
  const ms = frac === '' ? 0 : Math.floor(Number('0' + frac) * 1000)
  const parts = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms] as const
  let date: Date
  if (zone === undefined) {
    date = fromParts(parts, false)
  } else {
    let offsetMin = 0
    if (zone.toUpperCase() !== 'Z') {
      const sign = zone[0] === '-' ? -1 : 1
      const digits = zone.slice(1).replace(':', '')
      const hours = Number(digits.slice(0, 2))
      const minutes = Number(digits.slice(2))
      if (hours > 23 || minutes > 59) return null // +99:99 is no offset
      offsetMin = sign * (hours * 60 + minutes)
    }
    date = new Date(fromParts(parts, true).getTime() - offsetMin * 60_000)
  }
  // reject 2026-02-31 and 25:00 rather than rolling them over
  const check = zone === undefined ? date : fromParts(parts, true)
  const [cy, cmo, cd, ch, cmi] = zone === undefined
    ? [check.getFullYear(), check.getMonth(), check.getDate(), check.getHours(), check.getMinutes()]
    : [check.getUTCFullYear(), check.getUTCMonth(), check.getUTCDate(), check.getUTCHours(), check.getUTCMinutes()]
  if (cy !== parts[0] || cmo !== parts[1] || cd !== parts[2] || ch !== parts[3] || cmi !== parts[4] || parts[5] > 59) return null
  return date
}

export type WhenResult = { ok: true; date: Date } | { ok: false; problem: 'unreadable' | 'out of range' }

/** The instant WHEN names: unreadable when it is none of WHEN_FORMS, out of range outside years 0000-9999. */
export function readWhen(input: string, now: Date = new Date()): WhenResult {
  const date = parseForm(input, now)
  if (date === null) return { ok: false, problem: 'unreadable' }
  const t = date.getTime()
  if (!(t >= EARLIEST_WHEN_MS && t <= LATEST_WHEN_MS)) return { ok: false, problem: 'out of range' }
  return { ok: true, date }
}

/** The instant WHEN names, or null when it is none of WHEN_FORMS or lies outside years 0000-9999. */
export function parseWhen(input: string, now: Date = new Date()): Date | null {
  const r = readWhen(input, now)
  return r.ok ? r.date : null
}

function parseForm(input: string, now: Date): Date | null {
  const text = input.trim().toLowerCase()
  if (text === 'now') return new Date(now.getTime())
  if (text === 'today') return localMidnight(now, 0)
  if (text === 'yesterday') return localMidnight(now, -1)
  if (text === 'tomorrow') return localMidnight(now, 1)
  const epoch = /^@(\d+(?:\.\d+)?)$/.exec(text)
  if (epoch !== null) return new Date(Number(epoch[1]) * 1000)
  const ago = /^(\d+(?:\.\d+)?)\s*([a-z]+)\s+ago$/.exec(text) ?? /^-?(\d+(?:\.\d+)?)([a-z]+)$/.exec(text)
  if (ago !== null) {
    const unit = UNIT_MS[ago[2]]
    if (unit === undefined) return null
    return new Date(now.getTime() - Number(ago[1]) * unit)
  }
  return parseIso(input.trim())
}
