// Timestamps with exactly six fractional digits, cheaply: the date-and-second
// prefix is formatted once per second, microseconds come from the monotonic
// clock against a wall-clock anchor that is re-checked each new second.
import { performance } from 'node:perf_hooks'

let anchorMs = Date.now() - performance.now()
let cachedSecond = -1
let cachedPrefix = ''

/** `2026-01-30T14:30:00.123456Z`, UTC. */
export function timestamp(): string {
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
