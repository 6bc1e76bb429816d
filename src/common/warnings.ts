// Warnings that cannot flood: each key speaks at most once per interval, and
// the next time it speaks it says how many it held back.
export type WarningSink = (message: string) => void

export const stderrSink: WarningSink = (message) => {
  try {
    process.stderr.write(message.endsWith('\n') ? message : message + '\n')
  } catch {
    // stderr closed or broken: nothing better to do with a warning
  }
}

interface KeyState {
  lastAt: number
  suppressed: number
}

export class RateLimitedWarner {
  private readonly keys = new Map<string, KeyState>()
  constructor(
    private readonly sink: WarningSink = stderrSink,
    private readonly intervalMs = 60_000,
    private readonly now: () => number = Date.now
  ) {}

  /** Emits now, or counts it for the next emission of the same key. */
  warn(key: string, message: string): void {
    const t = this.now()
    const state = this.keys.get(key)
    if (state !== undefined && t - state.lastAt < this.intervalMs) {
      state.suppressed++
      return
    }
    const held = state?.suppressed ?? 0
    this.keys.set(key, { lastAt: t, suppressed: 0 })
    const suffix = held > 0 ? ` (${held} more like this in the last ${Math.round(this.intervalMs / 1000)} s)` : ''
    try {
      this.sink(message + suffix)
    } catch {
      // a throwing onWarning must not break the caller either
    }
  }
}

const onceKeys = new Set<string>()

/** Process-wide, once per key: for facts that do not change (the native writer could not load). */
export function warnOnce(key: string, message: string, sink: WarningSink = stderrSink): void {
  if (onceKeys.has(key)) return
  onceKeys.add(key)
  sink(message)
}
