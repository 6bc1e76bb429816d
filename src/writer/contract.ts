// The writer contract both implementations keep: whole lines in, bytes on
// disk, a result out. It knows bytes and paths, never events or JSON.

/** Why an append did not land. `code` is an errno name (EACCES, ENOSPC...) or one of our own. */
export interface WriteError {
  code: string
  errno: number
  message: string
}

/** null: every byte landed. */
export type WriteResult = WriteError | null

export interface WriterStats {
  appends: number
  bytes: number
  reopens: number
  /** Waits for the flock that reached the bound (the line was then written without it). */
  lockTimeouts: number
  /** Lines written without the lock and without waiting, for 100 bounds (10 s) after a lock timeout. */
  lockSkips: number
  /** Partial writes cut back (last resort: readers see the file shrink). */
  rollbacks: number
  /** Space reservations ahead of the end (native: fallocate; JS: free-space checks). */
  reservations: number
  /** Appends refused whole for lack of space, before any byte was written. */
  noSpace: number
  /**
   * Torn last lines ended before an append: the file did not end in '\n' (a
   * writer killed in the middle of its write(2) left part of a line), so one
   * '\n' went first, in the same write, and our lines stayed lines of their own.
   */
  seals: number
}

export interface RawWriter {
  readonly native: boolean
  readonly path: string
  /** Appends whole lines (each ending in '\n', at most 4096 bytes) in one write, under the lock. */
  append(data: string | Uint8Array): WriteResult
  /**
   * The same, off the event loop. Any number may be queued: they are written
   * in order, and keep their order with later `append` calls. After a failure,
   * the jobs handed over before its callback runs (or drain() reports it) fail
   * too, untried, so a caller that retries failed data never sees later data
   * land before it. A Uint8Array is written in place, not copied: leave it
   * unchanged until the callback runs. Returns the job's number (1, 2, ... in
   * the order accepted), or 0 for a refusal (reported to the callback).
   */
  appendAsync(data: string | Uint8Array, callback: (result: WriteResult) => void): number
  /**
   * Writes, synchronously, what appendAsync holds and has not started (and
   * waits for one in progress): then everything handed to appendAsync is on
   * disk or has failed. null when all of it landed, else the first failure
   * not yet reported (by an earlier drain() or by its callback). The
   * callbacks still run later, as usual.
   */
  drain(): WriteResult
  /**
   * Waits, at most `timeoutMs`, until every appendAsync job has been written
   * or has failed, without writing anything itself: a stalled disk costs the
   * caller at most the bound. true when nothing is left to write.
   */
  waitIdle(timeoutMs: number): boolean
  /**
   * The number of the newest appendAsync job that landed (0: none). Once
   * nothing is left to write (drain(), or waitIdle() true), a job landed if
   * and only if its number is at most this: jobs are written in order, and
   * after a failure none lands until the caller has heard of it.
   */
  lastLanded(): number
  stats(): WriterStats
  /** Writes what appendAsync still holds, then closes the descriptor. */
  close(): void
}

export interface WriterOptions {
  /** Longest wait for the flock before writing without it (default 100 ms). */
  lockTimeoutMs?: number
}

export const MAX_LINE_BYTES = 4096
/**
 * The native writer looks at the path (renamed away by rotation, deleted, given
 * a second link) at most this often, not before every append: an append made
 * within this many milliseconds of the last look may still land in the file
 * it holds (see docs/design.md, "Follow rotation"). The JavaScript writer
 * looks before every append.
 */
export const PATH_CHECK_MS = 1
export const DEFAULT_LOCK_TIMEOUT_MS = 100
