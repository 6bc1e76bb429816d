// The exporter's reading of one log, exactly once across rotations and
// restarts: the reader's own follower (LogReading, the code of `query
// --follow` and of cursors), stepped by the exporter's polls. Its position is
// the reader's (Progress.positions(): the files being read, oldest first,
// each with the end of its last line read); every line goes to the sink once,
// and the position moves past a line only once the sink has had it.
import { promises as fsp } from 'node:fs'
import { listGenerations, LogReading, noSkips, Progress, QueryFilter, type LineSink, type Position, type SkipCounts } from '../reader/index.js'

export interface TailOptions {
  path: string
  sink: LineSink
  /** called after each chunk's lines went to the sink (a consumer may take what it collected) */
  onChunk?: () => void
  /** what could not be read (a damaged .gz, a generation gone before it was read), said once each */
  onMessage?: (message: string) => void
}

export type StartResult = { resumed: true } | { resumed: false; problem: string }

export class LogTail {
  readonly skips: SkipCounts = noSkips()
  private readonly progress = new Progress()
  private reading: LogReading | null = null

  constructor(private readonly o: TailOptions) {}

  get path(): string {
    return this.o.path
  }

  /** Rotated files read to their end (renamed files finished, skipped ones found and read). */
  get generations(): number {
    return this.progress.finished
  }

  /** Where reading has got to (what a state file saves). */
  position(): Position[] {
    return this.progress.positions()
  }

  /** Bytes written to the log and not read yet (the current file). */
  async lagBytes(): Promise<number> {
    let st
    try {
      st = await fsp.stat(this.o.path)
    } catch {
      return 0
    }
    const last = this.progress.positions().at(-1)
    if (last !== undefined && last.file.dev === st.dev && last.file.ino === st.ino) return Math.max(0, st.size - last.offset)
    return st.size // not opened yet (a rotation between two looks)
  }

  /** Starts at the end of the log: what is there now is not read (a first start, or a fresh one after bad state). */
  async startAtEnd(): Promise<void> {
    await this.begin({ fromEnd: true })
  }

  /**
   * Resumes from a saved position: the generation that holds its oldest file
   * is read from the saved offset, every newer one whole (or from its saved
   * offset), the current file last. When the saved file is not among the
   * generations (another log, or rotated out of retention) it starts at the
   * end instead, and says why.
   */
  async resume(from: Position[]): Promise<StartResult> {
    let lost: Position | null = null
    await this.begin({ after: from, onLost: (p) => { lost = p } })
    const f = lost as Position | null
    if (f === null) return { resumed: true }
    return { resumed: false, problem: `the file it had read to (inode ${f.file.ino}, ${f.offset} bytes read) is not ${this.o.path} nor one of its rotated generations` }
  }

  private async begin(start: { fromEnd?: boolean, after?: Position[], onLost?: (p: Position) => void }): Promise<void> {
    await this.close()
    const parsed = QueryFilter.parse({})
    if (!parsed.ok) throw new Error(parsed.problem)
    const say = (m: string): void => this.o.onMessage?.(m)
    this.reading = new LogReading({ path: this.o.path, generations: listGenerations(this.o.path), filter: parsed.filter, sink: this.o.sink, skips: this.skips, follow: true, progress: this.progress, onGap: say, onWarning: say, ...start })
    await this.drain(this.reading.start())
  }

  /** One look at the log: new lines of the files being read, a rotation, a new current file. */
  async poll(): Promise<void> {
    if (this.reading === null) return
    await this.drain(this.reading.look())
  }

  private async drain(steps: AsyncGenerator<void>): Promise<void> {
    for (let step = await steps.next(); step.done !== true; step = await steps.next()) this.o.onChunk?.()
  }

  async close(): Promise<void> {
    const reading = this.reading
    this.reading = null
    if (reading !== null) await reading.close()
  }
}
