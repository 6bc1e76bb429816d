// How long to wait before starting nvidia-smi again after it exited: exponential, so a
// broken driver is not hammered, and back to the start once a run has proved healthy.

export interface BackoffOptions {
  /** First wait (default 500 ms). */
  initialMs: number
  /** Longest wait (default 30 s). */
  maxMs: number
  /** A run at least this long counts as healthy and resets the wait (default 60 s). */
  stableAfterMs: number
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, stableAfterMs: 60_000 }

export class Backoff {
  private readonly options: BackoffOptions
  private nextMs: number

  constructor(options: Partial<BackoffOptions> = {}) {
    this.options = { ...DEFAULT_BACKOFF, ...options }
    this.nextMs = this.options.initialMs
  }

  /** The wait before the next start, given how long the run that just ended lasted. */
  next(ranForMs: number): number {
    if (ranForMs >= this.options.stableAfterMs) this.nextMs = this.options.initialMs
    const delay = this.nextMs
    this.nextMs = Math.min(this.nextMs * 2, this.options.maxMs)
    return delay
  }
}
