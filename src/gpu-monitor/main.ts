// Direct entry for tests and the benchmark: `node dist/gpu-monitor/main.js [options]`.
// Installed hosts run the same thing as `ds01-events gpu-monitor [options]`.
import { runGpuMonitor } from './cli.js'

runGpuMonitor(process.argv.slice(2)).then((code) => {
  process.exitCode = code
}, (err: unknown) => {
  process.stderr.write(`ds01-events gpu-monitor: ${err instanceof Error ? err.stack : String(err)}\n`)
  process.exitCode = 1
})
