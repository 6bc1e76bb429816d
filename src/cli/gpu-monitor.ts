// `ds01-events gpu-monitor`: the GPU agent lives in its own module, loaded only here.

interface GpuMonitorModule {
  runGpuMonitor(args: string[]): Promise<number>
}

function isMissing(err: unknown, request: string): boolean {
  const e = err as NodeJS.ErrnoException
  return e?.code === 'MODULE_NOT_FOUND' && typeof e.message === 'string' && e.message.includes(request)
}

export async function runGpuMonitorCommand(args: string[]): Promise<number> {
  const request = '../gpu-monitor/cli.js'
  let agent: GpuMonitorModule
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    agent = require(request) as GpuMonitorModule
  } catch (err) {
    if (!isMissing(err, 'gpu-monitor/cli')) throw err
    process.stderr.write('ds01-events gpu-monitor: not available in this build (dist/gpu-monitor/cli.js is missing);\n' +
      'install a ds01-events release that includes the GPU agent, or rebuild with `npm run build`.\n')
    return 1
  }
  if (typeof agent.runGpuMonitor !== 'function') {
    process.stderr.write('ds01-events gpu-monitor: dist/gpu-monitor/cli.js has no runGpuMonitor(); the build is inconsistent, rebuild with `npm run build`.\n')
    return 1
  }
  return agent.runGpuMonitor(args)
}
