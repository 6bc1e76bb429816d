// The pure-JavaScript stand-in for the addon, where it cannot load: the same
// refusals and rotation check, O_APPEND writes, but no flock and no fallocate
// (Node has neither): a free-space check before writing stands in for the
// reservation (see docs/design.md, "Full disk").
import * as fs from 'node:fs'
import { constants as osConstants } from 'node:os'
import { dirname } from 'node:path'
import { MAX_LINE_BYTES, type RawWriter, type WriteError, type WriteResult, type WriterStats } from './contract.js'

const { O_RDWR, O_WRONLY, O_APPEND, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_NOCTTY } = fs.constants
// O_RDWR: the seal reads the last byte. A writer that may only write opens O_WRONLY and cannot seal.
const OPEN_FLAGS = O_RDWR | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY
const WRITE_ONLY_FLAGS = O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY
const FILE_MODE = 0o660 // the spec: root:docker 0660, not for every local user
const DIR_MODE = 0o775

function own(code: string, message: string): WriteError {
  return { code, errno: 0, message }
}

function fromNode(err: unknown, what: string, path: string): WriteError {
  const e = err as NodeJS.ErrnoException
  const code = typeof e?.code === 'string' ? e.code : 'EUNKNOWN'
  if (code === 'ENXIO') return own('ENOTREGULAR', `refusing ${path}: a FIFO or socket, not a regular file`)
  if (code === 'ELOOP') return { code, errno: -(e.errno ?? 0), message: `refusing ${path}: a symbolic link (not followed)` }
  const text = e instanceof Error ? e.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '') : String(err)
  return { code, errno: typeof e?.errno === 'number' ? -e.errno : 0, message: `${what} ${path}: ${text}` }
}

function typeName(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory'
  if (st.isFIFO()) return 'a FIFO'
  if (st.isSocket()) return 'a socket'
  if (st.isCharacterDevice()) return 'a character device'
  if (st.isBlockDevice()) return 'a block device'
  return 'not a regular file'
}

/** close(2) that cannot throw: the descriptor is gone either way. */
function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd)
  } catch {
    // EBADF or EIO on close: nothing left to do with it
  }
}

/** mkdir -p of the parents, 0775 whatever the umask, keeping an inherited setgid bit. */
function makeParents(path: string): void {
  const missing: string[] = []
  for (let dir = dirname(path); !fs.existsSync(dir); dir = dirname(dir)) missing.unshift(dir)
  for (const dir of missing) {
    try {
      fs.mkdirSync(dir, DIR_MODE)
      fs.chmodSync(dir, DIR_MODE | (fs.statSync(dir).mode & 0o2000))
    } catch {
      // another writer made it, or we may not: the open that follows says which
    }
  }
}

const INVALID = own('EINVAL', 'append(data: string | Uint8Array)')
const NEWLINE = Buffer.from('\n')

function isData(data: unknown): data is string | Uint8Array {
  return typeof data === 'string' || (data instanceof Uint8Array && !(data instanceof Uint16Array))
}

interface Opened {
  fd: number
  created: boolean
  /** Open for reading too (the seal can look at the last byte). */
  readable: boolean
}

/** An existing path, read-write, or write-only when that is all we may do; throws. */
function openFile(path: string): Opened {
  try {
    return { fd: fs.openSync(path, OPEN_FLAGS), created: false, readable: true }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'EACCES' && code !== 'EPERM') throw err
  }
  return { fd: fs.openSync(path, WRITE_ONLY_FLAGS), created: false, readable: false }
}

/** open(2) the path, creating it (and its parents) when missing; throws the last error. */
function openOrCreate(path: string): Opened {
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      return openFile(path)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
    try {
      // Create it ourselves (O_EXCL) so we know to set the mode past the umask.
      return { fd: fs.openSync(path, OPEN_FLAGS | O_CREAT | O_EXCL, FILE_MODE), created: true, readable: true }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'ENOENT' && attempt === 0) makeParents(path)
      else if (code !== 'EEXIST') throw err
    }
  }
  throw Object.assign(new Error(`${path} keeps disappearing`), { code: 'ENOENT', errno: -2 })
}

/** Refuse a write whole when less than this much space would be left after it. */
const SPACE_MARGIN = 16 * 1024
/** With this much free at the last look, the next look can wait SPACE_RECHECK_MS. */
const PLENTY_OF_SPACE = 64 * 1024 * 1024
const SPACE_RECHECK_MS = 100
const ENOSPC_ERRNO = osConstants.errno.ENOSPC
const IS_ROOT = process.geteuid?.() === 0

/** How many times needsSeal looks at an end that others keep moving. */
const SEAL_LOOKS = 8
const CREATE_WINDOW_MS = 50
const RECREATE_WAIT_MS = 100
const nap = new Int32Array(new SharedArrayBuffer(4))

/**
 * logrotate's `create` makes the new file 0600 root, then chowns and chmods
 * it: a writer reopening in that instant gets EACCES. When the file changed
 * just now, wait that out (a few ms at most) rather than refuse the event.
 */
function openOrCreateWaitingOutRotation(path: string): Opened {
  const deadline = Date.now() + CREATE_WINDOW_MS
  for (;;) {
    try {
      return openOrCreate(path)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if ((code !== 'EACCES' && code !== 'EPERM') || !justChanged(path) || Date.now() >= deadline) throw err
      Atomics.wait(nap, 0, 0, 0.5)
    }
  }
}

function justChanged(path: string): boolean {
  try {
    return Date.now() - fs.lstatSync(path).ctimeMs < 2000
  } catch {
    return false
  }
}

/** null when data is whole lines of at most 4096 bytes each. */
export function checkLines(bytes: Uint8Array): WriteError | null {
  if (bytes.length === 0 || bytes[bytes.length - 1] !== 0x0a) {
    return own('EBADLINES', 'data must be whole lines, each ending with a newline')
  }
  let start = 0
  while (start < bytes.length) {
    const nl = bytes.indexOf(0x0a, start)
    if (nl - start + 1 > MAX_LINE_BYTES) return own('ELINETOOLONG', 'a line is longer than 4096 bytes (PIPE_BUF), newline included')
    start = nl + 1
  }
  return null
}

export class JsWriter implements RawWriter {
  readonly native = false
  private fd = -1
  private dev = 0
  private ino = 0
  private closed = false
  /** An async failure the caller has not heard of yet: later async appends fail untried until it has. */
  private halted: WriteError | null = null
  private asyncFailure: WriteError | null = null
  private jobs = 0
  private landedJob = 0
  private readonly counts: WriterStats = { appends: 0, bytes: 0, reopens: 0, lockTimeouts: 0, lockSkips: 0, rollbacks: 0, reservations: 0, noSpace: 0, seals: 0 }
  /** fd is open for reading too: the seal can look at the last byte. */
  private readable = false
  /** The file's size as the last look saw it (-1: not known). */
  private sizeNow = -1
  /**
   * The size right after our last write (-1: not known). While the file is
   * still this size nobody wrote since, and it ends in our own newline.
   */
  private knownEnd = -1
  private readonly lastByte = Buffer.alloc(1)
  /** Until then (Date.now()), the free space seen last is plenty: no statfs. */
  private spaceCheckedUntil = 0

  /** Refusal of every append, when the path itself is unusable (checked once, not per line). */
  private readonly badPath: WriteError | null

  constructor(readonly path: string) {
    this.badPath = typeof path === 'string' && path !== '' && !path.includes('\0')
      ? null
      : own('EINVAL', 'the path must be a non-empty string without NUL bytes')
  }

  append(data: string | Uint8Array): WriteResult {
    return this.appendNow(data)
  }

  /**
   * Node has no thread-pool write that a later synchronous call could wait
   * for, so this writer writes at once, on the caller's thread, and calls back
   * after the caller's code (a microtask). Order with later appends, drain()
   * and the halt after a failure (see RawWriter) hold as in the addon.
   */
  appendAsync(data: string | Uint8Array, callback: (result: WriteResult) => void): number {
    if (!isData(data)) {
      queueMicrotask(() => callback(INVALID))
      return 0
    }
    const job = ++this.jobs
    let result = this.halted
    if (result === null) {
      result = this.appendNow(data)
      if (result === null) this.landedJob = job
      else {
        this.halted = result
        if (this.asyncFailure === null) this.asyncFailure = result
      }
    }
    const failure = result
    queueMicrotask(() => {
      if (failure !== null) {
        // The caller hears of the failure now: later async appends are tried again,
        // and a later drain() must not report this one again.
        this.halted = null
        if (this.asyncFailure === failure) this.asyncFailure = null
      }
      callback(failure)
    })
    return job
  }

  drain(): WriteResult {
    this.halted = null
    const failure = this.asyncFailure
    this.asyncFailure = null
    return failure
  }

  /** Nothing is ever left to write: appendAsync wrote at once. */
  waitIdle(): boolean {
    return true
  }

  lastLanded(): number {
    return this.landedJob
  }

  stats(): WriterStats {
    return { ...this.counts }
  }

  close(): void {
    if (this.fd >= 0) closeQuietly(this.fd)
    this.fd = -1
    this.closed = true
  }

  private appendNow(data: string | Uint8Array): WriteResult {
    if (!isData(data)) return INVALID
    const lines = typeof data === 'string' ? Buffer.from(data) : data
    const refused = this.prepare(lines)
    if (refused !== null) return refused
    const { seal, end } = this.needsSeal(this.sizeNow >= 0 ? this.sizeNow : this.sizeOfFd())
    const bytes = seal ? Buffer.concat([NEWLINE, lines]) : lines
    let written = 0
    try {
      written = fs.writeSync(this.fd, bytes)
    } catch (err) {
      this.knownEnd = -1
      return fromNode(err, 'cannot write', this.path)
    }
    const result = written < bytes.length ? this.finishPartial(bytes, written) : null
    // No lock here: another writer may have written between the look and the
    // write. Then the size differs next time and we look again (one pread).
    this.knownEnd = result === null && end >= 0 ? end + bytes.length : -1
    if (result === null) {
      this.count(lines.length)
      if (seal) this.counts.seals++
    }
    return result
  }

  private sizeOfFd(): number {
    try {
      return fs.fstatSync(this.fd).size
    } catch {
      return -1
    }
  }

  /**
   * Does the file end in a torn line (a writer killed in the middle of its
   * write left part of a line)? Free while the size is what our last write
   * left; else one pread of the last byte. Without flock (Node has none)
   * another writer may be in the middle of its write, whose size grows page
   * by page: a write of zero bytes waits for it (every write holds the
   * inode's lock), and a last byte that is not '\n' counts only if the size
   * did not move across that wait (see docs/design.md, "Torn tails").
   */
  private needsSeal(end: number): { seal: boolean; end: number } {
    if (end <= 0 || end === this.knownEnd || !this.readable) return { seal: false, end }
    try {
      for (let look = 0; look < SEAL_LOOKS; look++) {
        if (fs.readSync(this.fd, this.lastByte, 0, 1, end - 1) !== 1 || this.lastByte[0] === 0x0a) return { seal: false, end }
        fs.writeSync(this.fd, this.lastByte, 0, 0)
        const now = fs.fstatSync(this.fd).size
        if (now === end) return { seal: true, end }
        end = now
        if (end === 0) break
      }
    } catch {
      // cannot look: no seal
    }
    return { seal: false, end } // the size keeps moving: others are writing, and the end is theirs
  }

  private count(bytes: number): void {
    this.counts.appends++
    this.counts.bytes += bytes
  }

  private prepare(bytes: Uint8Array): WriteResult {
    if (this.badPath !== null) return this.badPath
    if (this.closed) return own('ECLOSED', 'the writer is closed')
    // The space check first: the rotation check in ensureOpen() stays the last
    // thing before the write (a line must not land in a file rotated since).
    return checkLines(bytes) ?? this.checkSpace(bytes.length) ?? this.ensureOpen()
  }

  /**
   * Node has no fallocate: refuse the write whole when the filesystem has not
   * room for it and a margin (statfs), rather than let it land partly and cut
   * the file back. Unlike the addon's reservation this is racy: writers
   * filling the last SPACE_MARGIN bytes at the same instant can still meet a
   * partial write, which is then rolled back.
   */
  private checkSpace(length: number): WriteResult {
    const now = Date.now()
    if (now < this.spaceCheckedUntil || typeof fs.statfsSync !== 'function') return null
    let free: number
    try {
      const st = fs.statfsSync(dirname(this.path)) // the directory: the file may not exist yet
      free = (IS_ROOT ? st.bfree : st.bavail) * st.bsize
    } catch {
      return null // cannot tell: the write and its rollback decide
    }
    this.counts.reservations++
    if (free >= PLENTY_OF_SPACE) this.spaceCheckedUntil = now + SPACE_RECHECK_MS
    if (free >= length + SPACE_MARGIN) return null
    this.counts.noSpace++
    return { code: 'ENOSPC', errno: ENOSPC_ERRNO, message: `cannot write ${this.path}: no space left on device (refused whole before writing: the file is unchanged)` }
  }

  /** A short write: try the rest; if that fails, cut the file back to before our bytes. */
  private finishPartial(bytes: Uint8Array, written: number): WriteResult {
    try {
      while (written < bytes.length) written += fs.writeSync(this.fd, bytes, written)
      return null
    } catch (err) {
      const failure = fromNode(err, 'cannot write (partial write rolled back)', this.path)
      try {
        // Without flock this is best effort: another appender could have raced us.
        // Last resort: readers that tail the file see it shrink.
        fs.ftruncateSync(this.fd, fs.fstatSync(this.fd).size - written)
        this.counts.rollbacks++
        return failure
      } catch {
        return own('ETORNLINE', `partial write to ${this.path} could not be rolled back`)
      }
    }
  }

  private ensureOpen(): WriteResult {
    if (this.fd >= 0) {
      const state = this.checkPath()
      if (state === 'ours') return null
      if (state === 'linked') return this.hardlinkRefusal('now has', this.linksNow)
      if (state === 'missing') this.waitForRecreate()
      closeQuietly(this.fd)
      this.fd = -1
      this.counts.reopens++
    }
    return this.open()
  }

  private linksNow = 0

  private hardlinkRefusal(has: string, links: number): WriteError {
    return own('EHARDLINK', `refusing ${this.path}: it ${has} ${links} links (a hardlink to another file?); a log file must have exactly one`)
  }

  private checkPath(): 'ours' | 'linked' | 'replaced' | 'missing' {
    let st: fs.Stats | undefined
    try {
      st = fs.lstatSync(this.path, { throwIfNoEntry: false })
    } catch {
      this.sizeNow = -1
      return 'ours' // the path cannot be looked at (EACCES on a parent): keep our descriptor
    }
    if (st === undefined) return 'missing'
    if (st.ino !== this.ino || st.dev !== this.dev) return 'replaced'
    this.linksNow = st.nlink
    this.sizeNow = st.size
    return st.nlink > 1 ? 'linked' : 'ours'
  }

  /**
   * logrotate renames the file, then creates the new one with O_EXCL; a writer
   * that creates it in between makes logrotate move the writer's file aside
   * to "<name>-YYYYMMDDHH.backup" (overwritten, with its events, by the next
   * such race that hour). So when our file was renamed away and nothing is at
   * the path yet, give the rotator a moment to create it before we do.
   */
  private waitForRecreate(): void {
    try {
      if (fs.fstatSync(this.fd).nlink === 0) return // deleted, not rotated: create now
    } catch {
      return
    }
    const deadline = Date.now() + RECREATE_WAIT_MS
    while (this.checkPath() === 'missing' && Date.now() < deadline) Atomics.wait(nap, 0, 0, 0.2)
  }

  private open(): WriteResult {
    let opened: Opened
    try {
      opened = openOrCreateWaitingOutRotation(this.path)
    } catch (err) {
      return fromNode(err, 'cannot open', this.path)
    }
    const { fd, created, readable } = opened
    let st: fs.Stats
    try {
      st = fs.fstatSync(fd)
    } catch (err) {
      closeQuietly(fd)
      return fromNode(err, 'cannot stat', this.path)
    }
    if (!st.isFile()) {
      closeQuietly(fd)
      return own('ENOTREGULAR', `refusing ${this.path}: ${typeName(st)}, not a regular file`)
    }
    if (st.nlink > 1) {
      closeQuietly(fd)
      return this.hardlinkRefusal('has', st.nlink)
    }
    if (created) {
      try {
        fs.fchmodSync(fd, FILE_MODE)
      } catch {
        // the file is ours and writable; only its mode stays what the umask made it
      }
    }
    this.fd = fd
    this.dev = st.dev
    this.ino = st.ino
    this.readable = readable
    this.sizeNow = st.size
    this.knownEnd = -1 // a file we did not write yet: look at its end once
    return null
  }
}
