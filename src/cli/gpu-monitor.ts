// `ds01-events gpu-monitor`: the GPU agent lives in its own module, loaded only here.
export async function runGpuMonitorCommand(args: string[]): Promise<number> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const agent = require('../gpu-monitor/index.js') as typeof import('../gpu-monitor/index.js')
  return agent.runGpuMonitor(args)
}
