// Warnings that cannot flood: each key speaks at most once per interval, and
// the next time it speaks it says how many it held back. Every warner that
// writes to the same sink (stderr: the whole process) shares one budget of
// lines per interval, whatever the number of logs and keys; the tables behind
// both are bounded, so a stream of distinct keys costs no memory either.
export type WarningSink = (message: string) => void

export const stderrSink: WarningSink = (message) => {
  try {
    process.stderr.write(message.endsWith('\n') ? message : message + '\n')
  } catch {
    // stderr closed or broken: nothing better to do with a warning
  }
}

/** Keys remembered per warner; the least recently spoken is forgotten first. */
export const MAX_WARNING_KEYS = 256
/** Lines per interval per sink, all keys and all logs together. */
export const MAX_WARNINGS_PER_INTERVAL = 20

interface KeyState {
  lastAt: number
  suppressed: number
}

interface SinkBudget {
  windowStart: number
  spent: number
  /** Warnings the budget stopped (or keys forgotten with a count), said with the next line. */
  held: number
}

const budgets = new WeakMap<WarningSink, SinkBudget>()

function budgetFor(sink: WarningSink): SinkBudget {
  let budget = budgets.get(sink)
  if (budget === undefined) {
    budget = { windowStart: -Infinity, spent: 0, held: 0 }
    budgets.set(sink, budget)
  }
  return budget
}

export class RateLimitedWarner {
  private readonly keys = new Map<string, KeyState>()
  private readonly budget: SinkBudget
  constructor(
    private readonly sink: WarningSink = stderrSink,
    private readonly intervalMs = 60_000,
    private readonly now: () => number = Date.now
  ) {
    this.budget = budgetFor(sink)
  }

  /**
   * Once per process for `key` (a fact that stays true: a type's other
   * spelling), through this warner's sink and its budget.
   */
  warnOnce(key: string, message: string): void {
    if (onceKeys.has(key)) return
    onceKeys.add(key)
    this.warn(key, message)
  }

  /** Emits now, or counts it for the next emission of the same key (or of the sink). */
  warn(key: string, message: string): void {
    const t = this.now()
    const state = this.keys.get(key)
    if (state !== undefined && t - state.lastAt < this.intervalMs) {
      state.suppressed++
      return
    }
    const budget = this.budget
    if (t - budget.windowStart >= this.intervalMs) {
      budget.windowStart = t
      budget.spent = 0
    }
    if (budget.spent >= MAX_WARNINGS_PER_INTERVAL) {
      budget.held++
      return
    }
    budget.spent++
    const seconds = Math.round(this.intervalMs / 1000)
    let suffix = state !== undefined && state.suppressed > 0 ? ` (${state.suppressed} more like this in the last ${seconds} s)` : ''
    if (budget.held > 0) suffix += ` (and ${budget.held} other warning(s) held back: at most ${MAX_WARNINGS_PER_INTERVAL} per ${seconds} s)`
    budget.held = 0
    this.keys.delete(key) // re-inserted last: the Map's order is the order keys last spoke
    this.keys.set(key, { lastAt: t, suppressed: 0 })
    if (this.keys.size > MAX_WARNING_KEYS) {
      const [oldestKey, oldest] = this.keys.entries().next().value as [string, KeyState]
      this.keys.delete(oldestKey)
      budget.held += oldest.suppressed
    }
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
