// A writer in another process, driven by a JSON job on argv[2]; prints a JSON
// report on stdout. Used where a test needs several processes, another uid,
// another umask, or LD_PRELOAD faults.
import writer from '../../dist/writer/index.js'

const job = JSON.parse(process.argv[2])
if (job.umask !== undefined) process.umask(job.umask)
const w = writer.openWriter(job.path, { lockTimeoutMs: job.lockTimeoutMs })
const report = { native: w.native, results: [], failures: 0, written: 0 }

if (job.burst) {
  // Lines of varied length, now and then close to the 4096-byte bound.
  const { id, count } = job.burst
  let seed = id * 7919 + 1
  for (let n = 0; n < count; n++) {
    seed = (seed * 1103515245 + 12345) % 2147483648
    const padLength = seed % 100 === 0 ? 3900 + (seed % 150) : seed % 120
    const result = w.append(JSON.stringify({ p: id, n, pad: 'x'.repeat(padLength) }) + '\n')
    if (result === null) report.written++
    else report.failures++
  }
} else if (job.fill) {
  // Fixed-size lines until count are tried (a full disk refuses some); failures by code.
  const { id, count, size } = job.fill
  report.codes = {}
  for (let n = 0; n < count; n++) {
    const head = JSON.stringify({ p: id, n, pad: '' })
    const line = head.slice(0, -2) + 'z'.repeat(size - head.length - 1) + '"}\n'
    const result = w.append(line)
    if (result === null) report.written++
    else {
      report.failures++
      report.codes[result.code] = (report.codes[result.code] ?? 0) + 1
      report.lastMessage = result.message
    }
  }
} else if (job.loop) {
  // The same line, count times, in a tight loop.
  const { line, count } = job.loop
  const started = process.hrtime.bigint()
  for (let n = 0; n < count; n++) {
    if (w.append(line) === null) report.written++
    else report.failures++
  }
  report.ms = Number(process.hrtime.bigint() - started) / 1e6
} else {
  for (const data of job.lines) {
    const started = process.hrtime.bigint()
    const result = w.append(data)
    report.results.push({ result, ms: Number(process.hrtime.bigint() - started) / 1e6 })
  }
}
report.stats = w.stats()
report.faultsInjected = Number(process.env.DS01_FAULTS_INJECTED ?? 0)
report.statxCalls = Number(process.env.DS01_STATX_CALLS ?? 0)
w.close()
process.stdout.write(JSON.stringify(report))
