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

function parseIso(text: string): Date | null {
  const m = ISO.exec(text)
  if (m === null) return null
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone] = m
  const ms = frac === '' ? 0 : Math.floor(Number('0' + frac) * 1000)
  const parts = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms] as const
  let date: Date
  if (zone === undefined) {
    date = new Date(...parts)
  } else {
    let offsetMin = 0
    if (zone.toUpperCase() !== 'Z') {
      const sign = zone[0] === '-' ? -1 : 1
      const digits = zone.slice(1).replace(':', '')
      offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)))
    }
    date = new Date(Date.UTC(...parts) - offsetMin * 60_000)
  }
  // reject 2026-02-31 and 25:00 rather than rolling them over
  const check = zone === undefined ? date : new Date(Date.UTC(...parts))
  const [cy, cmo, cd, ch, cmi] = zone === undefined
    ? [check.getFullYear(), check.getMonth(), check.getDate(), check.getHours(), check.getMinutes()]
    : [check.getUTCFullYear(), check.getUTCMonth(), check.getUTCDate(), check.getUTCHours(), check.getUTCMinutes()]
  if (cy !== parts[0] || cmo !== parts[1] || cd !== parts[2] || ch !== parts[3] || cmi !== parts[4] || parts[5] > 59) return null
  return date
}

/** The instant WHEN names, or null when it is none of WHEN_FORMS. */
export function parseWhen(input: string, now: Date = new Date()): Date | null {
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
