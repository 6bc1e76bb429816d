// `ds01-events log --spool FILE --pid PID`: the bash wrapper's helper, one per
// script (shell/ds01_events.sh starts it on the script's first event). It
// follows the spool file the script's log_event calls append to, logs each
// record in order through the event layer (which builds and checks the
// envelope, with the time of the call as its timestamp), and exits once the
// script (PID) is gone and every record is written, removing the spool.
//
// A record is NUL-terminated fields: "ds01e1", the call's $EPOCHREALTIME, the
// log's absolute path, N, then N arguments as `ds01-events log` takes them
// (event_type, user=, source=, key=value...); or, for one too large to be
// appended in one write(2), "file" instead of the time and one argument: the
// path of a file beside the spool that holds the record. The offset of the first record
// not yet written is kept in FILE.offset, so a helper started after one that
// was killed goes on where it stopped (a record may then be written twice,
// never lost). FILE.pid names the helper in charge: one that finds another
// pid there has been replaced, and leaves.
import { closeSync, constants, openSync, readFileSync, readSync, readdirSync, rmdirSync, unlinkSync, watch, writeFileSync, writeSync, type FSWatcher } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { atCallTime, createEventLog, epochTimestamp, type EventLog } from '../event/index.js'
import { parseFieldArgs } from './fields.js'

const MAGIC = 'ds01e1'
/** How often the helper looks whether the script is still there (and at the spool, in case a change went unseen). */
const POLL_MS = 100
const MAX_LOGS = 16
const CHUNK = 64 * 1024

interface ScriptProcess {
  pid: number
  /** Field 22 of /proc/PID/stat: tells a reused PID from the script. */
  startTime: string | null
}

function procStat(pid: number): { state: string; startTime: string } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'latin1')
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
    return { state: fields[0], startTime: fields[19] }
  } catch {
    return null
  }
}

function alive(script: ScriptProcess): boolean {
  const stat = procStat(script.pid)
  if (stat === null) {
    if (script.startTime !== null) return false
    try {
      process.kill(script.pid, 0) // no /proc
      return true
    } catch {
      return false
    }
  }
  if (stat.state === 'Z' || stat.state === 'X') return false // killed, not yet reaped
  return script.startTime === null || stat.startTime === script.startTime
}

/**
 * A line on the script's stderr as it is now, opened and closed for each
 * report (never held: a `| tee` or `$(...)` must not wait for the helper),
 * without blocking (a full pipe drops the report). Nowhere once it is gone.
 */
function reporter(script: ScriptProcess, ownStderr: boolean): (message: string) => void {
  return (message) => {
    const line = `log_event: ${message.replace(/\n$/, '')}\n`
    if (ownStderr) {
      // the script's stderr is a socket, which the helper was given (--stderr)
      try {
        writeSync(2, line)
      } catch {
        // gone, full: the report is dropped
      }
      return
    }
    if (!alive(script)) return
    let fd = -1
    try {
      fd = openSync(`/proc/${script.pid}/fd/2`, constants.O_WRONLY | constants.O_APPEND | constants.O_NONBLOCK | constants.O_NOCTTY)
      writeSync(fd, line)
    } catch {
      // closed, full, gone: the report is dropped
    } finally {
      if (fd >= 0) closeSync(fd)
    }
  }
}

class Spool {
  private offset = 0
  private pending = Buffer.alloc(0)
  private readonly fd: number
  private readonly logs = new Map<string, EventLog>()
  private readonly buffer = Buffer.allocUnsafe(CHUNK)

  constructor(private readonly file: string, private readonly report: (message: string) => void) {
    try {
      this.offset = Math.max(0, Number.parseInt(readFileSync(`${file}.offset`, 'utf8'), 10) || 0)
    } catch {
      this.offset = 0
    }
    this.fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW)
  }

  /** Writes every complete record appended since the last call. */
  drain(): void {
    let read
    while ((read = readSync(this.fd, this.buffer, 0, CHUNK, this.offset + this.pending.length)) > 0) {
      this.pending = this.pending.length === 0 ? Buffer.from(this.buffer.subarray(0, read)) : Buffer.concat([this.pending, this.buffer.subarray(0, read)])
      this.records()
    }
  }

  /** Logs the complete records at the head of `pending`; keeps a partial one. */
  private records(): void {
    let start = 0
    for (;;) {
      const record = this.parse(start)
      if (record === 'partial') break
      if (record === 'bad') {
        // not a record (a write cut short by a full disk): skip to the next one
        const next = this.pending.indexOf(`\0${MAGIC}\0`, start)
        const end = next < 0 ? this.pending.length : next + 1
        this.report(`spool ${this.file}: ${end - start} bytes that are no event skipped`)
        start = end
        continue
      }
      if (record.fields[1] === 'file') this.writeFile(record.fields[4])
      else this.write(record.fields[1], record.fields[2], record.fields.slice(4))
      start = record.end
    }
    if (start === 0) return
    this.offset += start
    this.pending = this.pending.subarray(start)
    try {
      writeFileSync(`${this.file}.offset`, String(this.offset))
    } catch {
      // a full runtime dir: a later helper may write these again
    }
  }

  /** The record at `start`: its fields and where it ends, or whether it is cut short or no record. */
  private parse(start: number): { fields: string[]; end: number } | 'partial' | 'bad' {
    const fields: string[] = []
    let at = start
    let need = 4
    while (fields.length < need) {
      const end = this.pending.indexOf(0, at)
      if (end < 0) return 'partial'
      fields.push(this.pending.toString('utf8', at, end))
      at = end + 1
      if (fields.length === 1 && fields[0] !== MAGIC) return 'bad'
      if (fields.length === 4) {
        const count = Number(fields[3])
        if (!Number.isInteger(count) || count < 1 || count > 4096) return 'bad'
        need = 4 + count
      }
    }
    return { fields, end: at }
  }

  /** A record too large for one write(2), in a file of its own that `file` names (beside the spool). */
  private writeFile(path: string): void {
    if (dirname(path) !== dirname(this.file) || !path.startsWith(this.file + '.')) {
      this.report(`spool ${this.file}: a record names ${JSON.stringify(path)}, not beside the spool; skipped`)
      return
    }
    let bytes: Buffer
    try {
      bytes = readFileSync(path)
    } catch (err) {
      this.report(`spool ${this.file}: ${err instanceof Error ? err.message : String(err)}; an event is lost`)
      return
    }
    const fields = bytes.toString('utf8').split('\0')
    const count = Number(fields[3])
    if (fields[0] !== MAGIC || !Number.isInteger(count) || fields.length < 4 + count) this.report(`spool ${path}: not a whole record; skipped`)
    else this.write(fields[1], fields[2], fields.slice(4, 4 + count))
    removeFile(path)
  }

  private write(epoch: string, path: string, args: string[]): void {
    const [eventType, ...pairs] = args
    const at = epochTimestamp(epoch)
    const { fields, warnings } = parseFieldArgs(pairs)
    for (const message of warnings) this.report(message)
    let log = this.logs.get(path)
    if (log === undefined) {
      if (this.logs.size >= MAX_LOGS) {
        const [oldest, open] = this.logs.entries().next().value as [string, EventLog]
        open.close()
        this.logs.delete(oldest)
      }
      log = createEventLog({ path, onWarning: this.report })
      this.logs.set(path, log)
    }
    const target = log
    if (at === null) target.log(eventType, fields)
    else atCallTime(at, () => target.log(eventType, fields))
  }

  /** The script is gone: what is left is written; a partial record is reported. */
  finish(): void {
    this.drain()
    if (this.pending.length > 0) this.report(`spool ${this.file}: a last record cut short (${this.pending.length} bytes) skipped`)
    for (const log of this.logs.values()) log.close()
    closeSync(this.fd)
  }
}

/** False when FILE.pid names another helper that runs: this one was replaced. */
function owns(file: string): boolean {
  let text: string
  try {
    text = readFileSync(`${file}.pid`, 'utf8').trim()
  } catch {
    return true
  }
  const other = Number(text)
  if (text === '' || other === process.pid || !Number.isInteger(other)) return true
  return procStat(other) === null
}

function removeFile(path: string): void {
  try {
    unlinkSync(path)
  } catch {
    // already gone
  }
}

function removeSpool(file: string): void {
  const dir = dirname(file)
  const name = basename(file)
  removeFile(file)
  try {
    for (const entry of readdirSync(dir)) if (entry.startsWith(name + '.')) removeFile(join(dir, entry)) // .offset, .pid, large records
  } catch {
    // gone
  }
  try {
    rmdirSync(dirname(file)) // the user's spool directory, when no other script uses it
  } catch {
    // not empty, or gone
  }
}

export function runSpool(file: string, pidText: string | undefined, ownStderr = false): number | Promise<number> {
  const pid = Number(pidText)
  if (!Number.isInteger(pid) || pid <= 0) {
    process.stderr.write('ds01-events log: --spool needs --pid PID (the script whose events it writes)\n')
    return 2
  }
  const script: ScriptProcess = { pid, startTime: procStat(pid)?.startTime ?? null }
  const report = reporter(script, ownStderr)
  let spool: Spool
  try {
    spool = new Spool(file, report)
  } catch (err) {
    report(`spool ${file}: ${err instanceof Error ? err.message : String(err)}; its events are not logged`)
    return 1
  }
  // The script's terminal signals are not the helper's: it leaves when the script has gone.
  for (const signal of ['SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGTTOU', 'SIGPIPE'] as const) process.on(signal, () => {})
  return new Promise<number>((resolve) => {
    let watcher: FSWatcher | null = null
    let timer: NodeJS.Timeout | null = null
    const stop = (last: boolean): void => {
      if (timer === null) return
      clearInterval(timer)
      timer = null
      watcher?.close()
      if (last) {
        spool.finish()
        // SIGTERM while the script runs: the spool stays for the helper its next event starts
        if (!alive(script)) removeSpool(file)
        else if (owns(file)) removeFile(`${file}.pid`)
      }
      resolve(0)
    }
    const tick = (): void => {
      if (timer === null) return
      if (!owns(file)) return stop(false) // replaced by a newer helper
      if (!alive(script)) return stop(true)
      spool.drain()
    }
    timer = setInterval(tick, POLL_MS)
    try {
      watcher = watch(file, { persistent: false }, tick)
      watcher.on('error', () => { watcher = null })
    } catch {
      watcher = null // the timer alone
    }
    process.on('SIGTERM', () => stop(true))
    tick()
  })
}
