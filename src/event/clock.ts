// Timestamps with exactly six fractional digits, cheaply: the date-and-second
// prefix is formatted once per second, microseconds come from the monotonic
// clock against a wall-clock anchor that is re-checked each new second.
import { performance } from 'node:perf_hooks'

let anchorMs = Date.now() - performance.now()
let cachedSecond = -1
let cachedPrefix = ''

/** Set by atCallTime(): the time an event was called at, used instead of now. */
let callTime: string | null = null

/** `2026-01-30T14:30:00.123456Z`, UTC. */
export function timestamp(): string {
  if (callTime !== null) return callTime
  let micros = Math.floor((anchorMs + performance.now()) * 1000)
  let second = Math.floor(micros / 1e6)
  if (second !== cachedSecond) {
    // Follow wall-clock steps (NTP, suspend) beyond 2 ms; below that the two clocks agree.
    const drift = Date.now() - (anchorMs + performance.now())
    if (drift > 2 || drift < -2) {
      anchorMs += drift
      micros = Math.floor((anchorMs + performance.now()) * 1000)
      second = Math.floor(micros / 1e6)
    }
    cachedSecond = second
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20)
  }
  return cachedPrefix + String(1e6 + (micros - second * 1e6)).slice(1) + 'Z'
}

/**
 * `2026-01-30T14:30:00.123456Z` for bash's $EPOCHREALTIME (`1769783400.123456`;
 * the separator is the locale's decimal point), or null when it is not one.
 */
export function epochTimestamp(epoch: string): string | null {
  const m = /^(\d{1,12})[.,](\d{6})$/.exec(epoch)
  if (m === null) return null
  const date = new Date(Number(m[1]) * 1000)
  if (Number.isNaN(date.getTime())) return null
  return date.toISOString().slice(0, 20) + m[2] + 'Z'
}

/**
 * Runs `fn` with every timestamp it builds set to `at` (one from
 * epochTimestamp): the bash wrapper's events carry the time of their call,
 * not of the moment its helper writes them.
 */
export function atCallTime<T>(at: string, fn: () => T): T {
  callTime = at
  try {
    return fn()
  } finally {
    callTime = null
  }
}
