// Reading a log exactly once across rotations and restarts: the exporter's
// position in a log (the files it is reading, by identity and offset) and a
// follower that resumes from one. A file is known again by its inode while it
// stays plain, and by a hash of its first bytes once logrotate has compressed
// it (a new inode). Every line is passed to the sink once: the position only
// moves past a line after the sink has had it.
import { createHash } from 'node:crypto'
import { constants, promises as fsp } from 'node:fs'
import { createGunzip } from 'node:zlib'
import { DISORDER_SLACK_MS, LineScanner, QueryFilter, listGenerations, noSkips, type Generation, type LineSink, type SkipCounts } from '../reader/index.js'

/** How much of a file's start identifies it (a v1 line holds a microsecond timestamp). */
export const HEAD_BYTES = 4096
const CHUNK_BYTES = 1 << 20

export interface FilePosition {
  dev: number
  ino: number
  /** bytes read: the end of the last complete line */
  offset: number
  /** sha256 (hex) of the file's first headLength bytes, headLength = min(offset, HEAD_BYTES) */
  head: string
  headLength: number
}

/** Where reading a log ended: the files being read, oldest first (a renamed file still in its grace, then the current file). */
export interface LogPosition {
  files: FilePosition[]
}

interface OpenFile {
  handle: fsp.FileHandle
  dev: number
  ino: number
  offset: number
  head: string
  headLength: number
}

export interface TailOptions {
  path: string
  sink: LineSink
  /** after a rotation the renamed file is read this long too (a writer may finish its line there) */
  graceMs?: number
  /** called after each chunk's lines went to the sink (a consumer may take what it collected) */
  onChunk?: () => void
}

export type StartResult = { resumed: true } | { resumed: false; problem: string }

const EMPTY_HASH = createHash('sha256').digest('hex')

function hashOf(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex')
}

async function openFile(path: string): Promise<OpenFile | null> {
  let handle: fsp.FileHandle
  try {
    handle = await fsp.open(path, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch {
    return null
  }
  const st = await handle.stat()
  if (!st.isFile()) {
    await handle.close()
    return null
  }
  return { handle, dev: st.dev, ino: st.ino, offset: 0, head: EMPTY_HASH, headLength: 0 }
}

async function plainHead(handle: fsp.FileHandle, length: number): Promise<string> {
  if (length === 0) return EMPTY_HASH
  const buf = Buffer.alloc(length)
  const { bytesRead } = await handle.read(buf, 0, length, 0)
  return bytesRead === length ? hashOf(buf) : ''
}

async function gzHead(path: string, length: number): Promise<string> {
  if (length === 0) return ''
  const parts: Buffer[] = []
  let have = 0
  const stream = (await fsp.open(path, constants.O_RDONLY | constants.O_NONBLOCK)).createReadStream({ highWaterMark: 16 << 10 }).pipe(createGunzip())
  try {
    for await (const part of stream as AsyncIterable<Buffer>) {
      parts.push(part)
      have += part.length
      if (have >= length) break
    }
  } catch {
    return ''
  } finally {
    stream.destroy()
  }
  return have >= length ? hashOf(Buffer.concat(parts).subarray(0, length)) : ''
}

/** The last newline's end before `size`: where reading "from the end" starts, so a line being written is read whole. */
async function lastLineEnd(handle: fsp.FileHandle, size: number): Promise<number> {
  const buf = Buffer.allocUnsafe(64 << 10)
  let end = size
  while (end > 0) {
    const start = Math.max(0, end - buf.length)
    const { bytesRead } = await handle.read(buf, 0, end - start, start)
    const nl = buf.subarray(0, bytesRead).lastIndexOf(0x0a)
    if (nl >= 0) return start + nl + 1
    end = start
  }
  return 0
}

/** A generation as opened for a resume: plain ones by descriptor, compressed ones by path. */
interface Listed {
  gen: Generation
  file: OpenFile | null
}

export class LogTail {
  readonly skips: SkipCounts = noSkips()
  /** generations read to their end (rotated files finished, skipped ones found and read) */
  generations = 0
  private current: OpenFile | null = null
  private renamed: { file: OpenFile; until: number } | null = null
  private readonly scanner: LineScanner
  private readonly buf = Buffer.allocUnsafe(CHUNK_BYTES)
  private readonly graceMs: number

  constructor(private readonly o: TailOptions) {
    const parsed = QueryFilter.parse({})
    if (!parsed.ok) throw new Error(parsed.problem)
    this.scanner = new LineScanner(parsed.filter, this.skips, o.sink, DISORDER_SLACK_MS)
    this.graceMs = o.graceMs ?? 2000
  }

  get path(): string {
    return this.o.path
  }

  /** Where reading has got to (what a state file saves). */
  position(): LogPosition {
    const files: FilePosition[] = []
    for (const f of [this.renamed?.file, this.current]) {
      if (f !== undefined && f !== null) files.push({ dev: f.dev, ino: f.ino, offset: f.offset, head: f.head, headLength: f.headLength })
    }
    return { files }
  }

  /** Bytes written to the files being read and not read yet. */
  async lagBytes(): Promise<number> {
    let lag = 0
    for (const f of [this.renamed?.file, this.current]) {
      if (f === undefined || f === null) continue
      try {
        lag += Math.max(0, (await f.handle.stat()).size - f.offset)
      } catch {
        // closed meanwhile
      }
    }
    return lag
  }

  /** Starts at the end of the log: what is there now is not read (a first start, or a fresh one after bad state). */
  async startAtEnd(): Promise<void> {
    const gens = listGenerations(this.o.path)
    for (let i = gens.length - 1; i >= 0; i--) {
      if (gens[i].gz) break
      const file = await openFile(gens[i].path)
      if (file === null) continue
      file.offset = await lastLineEnd(file.handle, (await file.handle.stat()).size)
      await this.updateHead(file)
      if (gens[i].index === 0) this.current = file
      else this.renamed = { file, until: Date.now() + this.graceMs }
      return
    }
  }

  /**
   * Resumes from a saved position: the generation that holds its oldest file
   * is read from the saved offset, every newer one whole (or from its saved
   * offset), the current file last. When the saved file is not among the
   * generations (another log, or rotated out of retention) nothing is read
   * and the caller decides.
   */
  async resume(from: LogPosition): Promise<StartResult> {
    if (from.files.length === 0) {
      // no file existed when it was saved: everything there now came after
      return this.readFrom(await this.listStable(), 0, from)
    }
    const listed = await this.listStable()
    let at = -1
    for (let i = listed.length - 1; i >= 0; i--) {
      if (await this.matches(listed[i], from.files[0])) { at = i; break }
    }
    if (at < 0) {
      await closeAll(listed)
      const f = from.files[0]
      return { resumed: false, problem: `the file it had read to (inode ${f.ino}, ${f.offset} bytes read) is not ${this.o.path} nor one of its rotated generations` }
    }
    return this.readFrom(listed, at, from)
  }

  /** Opens every plain generation, then checks the names still point at them (a rotation in between: again). */
  private async listStable(): Promise<Listed[]> {
    for (let attempt = 0; ; attempt++) {
      const gens = listGenerations(this.o.path)
      const listed: Listed[] = []
      for (const gen of gens) listed.push({ gen, file: gen.gz ? null : await openFile(gen.path) })
      const again = listGenerations(this.o.path)
      let same = again.length === gens.length && again.every((g, i) => g.path === gens[i].path)
      for (const l of listed) {
        if (!same || l.file === null) continue
        try {
          const st = await fsp.stat(l.gen.path)
          same = st.ino === l.file.ino && st.dev === l.file.dev
        } catch {
          same = false
        }
      }
      if (same || attempt >= 20) return listed
      await closeAll(listed)
    }
  }

  private async matches(l: Listed, f: FilePosition): Promise<boolean> {
    if (l.file !== null) {
      const st = await l.file.handle.stat()
      if (st.size < f.offset) return false
      if (st.ino === f.ino && st.dev === f.dev) return (await plainHead(l.file.handle, f.headLength)) === f.head
      return f.headLength > 0 && (await plainHead(l.file.handle, f.headLength)) === f.head
    }
    return l.gen.gz && f.headLength > 0 && (await gzHead(l.gen.path, f.headLength)) === f.head
  }

  private async readFrom(listed: Listed[], at: number, from: LogPosition): Promise<StartResult> {
    try {
      for (let i = at; i < listed.length; i++) {
        const l = listed[i]
        let offset = 0
        for (const f of from.files) if (await this.matches(l, f)) offset = f.offset
        if (l.gen.gz) {
          await this.readGz(l.gen.path, offset)
          this.generations++
          continue
        }
        const file = l.file
        if (file === null) continue // vanished (rotated out) while we read: what it held is gone
        file.offset = offset
        await this.updateHead(file)
        await this.readPlain(file)
        if (l.gen.index === 0) {
          this.current = file
          l.file = null
        } else if (l.gen.index === 1) {
          // the newest rotated file: a writer may still finish a line there, so it is read a while longer
          this.renamed = { file, until: Date.now() + this.graceMs }
          l.file = null
        } else {
          if ((await file.handle.stat()).size > file.offset) this.skips.torn++
          this.generations++
        }
      }
    } finally {
      await closeAll(listed)
    }
    return { resumed: true }
  }

  /** One look at the log: new lines of the files being read, a rotation, a new current file. */
  async poll(): Promise<void> {
    if (this.renamed !== null) {
      await this.readPlain(this.renamed.file)
      if (Date.now() > this.renamed.until) await this.finishRenamed()
    }
    if (this.current !== null) {
      await this.readPlain(this.current)
      let st = null
      try {
        st = await fsp.stat(this.o.path)
      } catch {
        // rotated away, not yet re-created
      }
      if (st === null || st.ino !== this.current.ino || st.dev !== this.current.dev) {
        await this.readPlain(this.current)
        await this.rotated(this.current)
      } else if (st.size < this.current.offset) {
        this.current.offset = 0 // truncated (copytruncate): start over, as tail -F does
        this.current.headLength = 0
        this.current.head = EMPTY_HASH
      }
    }
    if (this.current === null) {
      const file = await openFile(this.o.path)
      if (file !== null) {
        this.current = file
        await this.readPlain(file)
      }
    }
  }

  /** The current file was renamed: generations rotated past it in the meantime are read whole, then it is read in its grace. */
  private async rotated(old: OpenFile): Promise<void> {
    this.current = null
    if (this.renamed !== null) await this.finishRenamed()
    const listed = await this.listStable()
    try {
      const oldPos: FilePosition = { dev: old.dev, ino: old.ino, offset: old.offset, head: old.head, headLength: old.headLength }
      let at = -1
      for (let i = listed.length - 1; i >= 0; i--) {
        if (listed[i].gen.index !== 0 && (await this.matches(listed[i], oldPos))) { at = i; break }
      }
      if (at >= 0) {
        for (let i = at + 1; i < listed.length; i++) {
          const l = listed[i]
          if (l.gen.index === 0) continue
          if (l.gen.gz) await this.readGz(l.gen.path, 0)
          else if (l.file !== null) await this.readPlain(l.file)
          this.generations++
        }
      }
    } finally {
      await closeAll(listed)
    }
    this.renamed = { file: old, until: Date.now() + this.graceMs }
  }

  private async finishRenamed(): Promise<void> {
    if (this.renamed === null) return
    const file = this.renamed.file
    this.renamed = null
    await this.readPlain(file)
    if ((await file.handle.stat()).size > file.offset) this.skips.torn++
    await file.handle.close()
    this.generations++
  }

  private async updateHead(file: OpenFile): Promise<void> {
    const length = Math.min(file.offset, HEAD_BYTES)
    if (length === file.headLength) return
    file.head = await plainHead(file.handle, length)
    file.headLength = length
  }

  /** Reads a plain file from its offset to its last newline. */
  private async readPlain(file: OpenFile): Promise<void> {
    const buf = this.buf
    let dropping = false
    for (;;) {
      const { bytesRead } = await file.handle.read(buf, 0, buf.length, file.offset)
      if (bytesRead === 0) break
      let start = 0
      if (dropping) {
        const nl = buf.indexOf(0x0a)
        if (nl < 0 || nl >= bytesRead) { file.offset += bytesRead; continue }
        this.skips.unreadable++
        dropping = false
        start = nl + 1
      }
      const lastNl = buf.lastIndexOf(0x0a, bytesRead - 1)
      if (lastNl < start) {
        if (start > 0) { file.offset += start; continue } // past a dropped piece: the rest is read again
        if (bytesRead === buf.length) {
          // a "line" longer than the buffer: damage, dropped up to its newline
          dropping = true
          file.offset += bytesRead
          continue
        }
        break // a line still being written
      }
      this.scanner.scan(buf, start, lastNl)
      file.offset += lastNl + 1
      this.o.onChunk?.()
      if (bytesRead < buf.length) break
    }
    if (dropping) this.skips.unreadable++
    if (file.headLength < HEAD_BYTES) await this.updateHead(file)
  }

  /** Reads a compressed generation, its first `skip` bytes (read before) left out. */
  private async readGz(path: string, skip: number): Promise<void> {
    let stream
    try {
      stream = (await fsp.open(path, constants.O_RDONLY | constants.O_NONBLOCK)).createReadStream({ highWaterMark: 1 << 20 }).pipe(createGunzip({ chunkSize: 1 << 20 }))
    } catch {
      return // rotated out meanwhile
    }
    let carry: Buffer = Buffer.alloc(0)
    let toSkip = skip
    try {
      for await (const part of stream as AsyncIterable<Buffer>) {
        let data = part
        if (toSkip > 0) {
          if (data.length <= toSkip) { toSkip -= data.length; continue }
          data = data.subarray(toSkip)
          toSkip = 0
        }
        const buf = carry.length === 0 ? data : Buffer.concat([carry, data])
        const lastNl = buf.lastIndexOf(0x0a)
        if (lastNl < 0) {
          if (buf.length > CHUNK_BYTES) { this.skips.unreadable++; carry = Buffer.alloc(0) } else carry = buf
          continue
        }
        this.scanner.scan(buf, 0, lastNl)
        this.o.onChunk?.()
        carry = Buffer.from(buf.subarray(lastNl + 1))
      }
    } catch {
      this.skips.unreadable++ // a damaged .gz: what was read counts, the rest is one damaged piece
    } finally {
      stream.destroy()
    }
    if (carry.length > 0) this.skips.torn++
  }

  async close(): Promise<void> {
    for (const f of [this.renamed?.file, this.current]) if (f !== undefined && f !== null) await f.handle.close().catch(() => undefined)
    this.renamed = null
    this.current = null
  }
}

async function closeAll(listed: Listed[]): Promise<void> {
  for (const l of listed) {
    if (l.file !== null) await l.file.handle.close().catch(() => undefined)
    l.file = null
  }
}
