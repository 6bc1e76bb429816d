// The GPU agent's entry: `ds01-events gpu-monitor` (cli/gpu-monitor.ts) and
// the direct script main.ts both run runGpuMonitor.
export { runGpuMonitor } from './cli.js'
