// The deployed log directory (/var/log/ds01) is made by `ds01-events setup`,
// never by a writer on the way. A writer's mkdir gives root:root 0775 (or the
// caller's own user), so on a fresh host the first event, logged as root, left
// a directory that the docker group's members could not write to, and told
// them to join a group they were already in. Other paths are still created
// with their parents (a user's own file, tests).
import { existsSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { DEFAULT_EVENTS_FILE } from '../common/index.js'
import type { RawWriter, WriteError, WriteResult, WriterStats } from '../writer/index.js'

/** The directory `setup` owns: root:GROUP 2775. */
export const DEPLOYED_DIR = dirname(DEFAULT_EVENTS_FILE)

/** Our own code, like the writer's ENOTREGULAR: the deployed directory is missing. */
export const NOT_SET_UP = 'ENOTSETUP'

/**
 * The writer, or, for a file directly in the deployed directory, the writer
 * behind a check that the directory exists: made by setup, not by this write.
 * The check runs until it first passes (one stat), then never again.
 */
export function guardDeployedDir(writer: RawWriter, path: string): RawWriter {
  if (typeof path !== 'string' || path === '' || dirname(resolve(path)) !== DEPLOYED_DIR) return writer
  return new SetUpFirst(writer)
}

class SetUpFirst implements RawWriter {
  private setUp = false
  /** A refusal of appendAsync that neither its callback nor drain() has reported yet. */
  private unreported: WriteError | null = null
  constructor(private readonly writer: RawWriter) {}

  get native(): boolean {
    return this.writer.native
  }

  get path(): string {
    return this.writer.path
  }

  private missing(): WriteError | null {
    if (this.setUp) return null
    if (existsSync(DEPLOYED_DIR)) {
      this.setUp = true
      return null
    }
    return { code: NOT_SET_UP, errno: 0, message: `${DEPLOYED_DIR} does not exist` }
  }

  append(data: string | Uint8Array): WriteResult {
    return this.missing() ?? this.writer.append(data)
  }

  /** A refusal is job 0, reported to the callback, as the writers do. Refusals only come before the first job is handed over. */
  appendAsync(data: string | Uint8Array, callback: (result: WriteResult) => void): number {
    const missing = this.missing()
    if (missing === null) return this.writer.appendAsync(data, callback)
    this.unreported ??= missing
    queueMicrotask(() => {
      if (this.unreported === missing) this.unreported = null
      callback(missing)
    })
    return 0
  }

  drain(): WriteResult {
    const refused = this.unreported
    this.unreported = null
    const result = this.writer.drain()
    return refused ?? result
  }

  waitIdle(timeoutMs: number): boolean {
    return this.writer.waitIdle(timeoutMs)
  }

  lastLanded(): number {
    return this.writer.lastLanded()
  }

  stats(): WriterStats {
    return this.writer.stats()
  }

  close(): void {
    this.writer.close()
  }
}
