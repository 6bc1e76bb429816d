// `ds01-events exporter`: the Prometheus exporter, until SIGTERM or SIGINT.
import { parseCommandArgs } from '../common/index.js'
import { runHelp, usageError } from './help.js'

const OPTIONS = {
  listen: { type: 'string' },
  'state-dir': { type: 'string' },
  file: { type: 'string' },
  'gpu-file': { type: 'string' },
  'no-gpu': { type: 'boolean' },
  'poll-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' }
} as const

/** ADDR:PORT, [IPv6]:PORT, or :PORT (loopback); null when it is not one. */
export function parseListen(text: string, defaultHost: string): { host: string; port: number } | null {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text)
  if (m === null) return null
  const port = Number(m[3])
  if (port > 65535) return null
  const host = m[1] ?? (m[2] === '' ? defaultHost : m[2])
  return { host, port }
}

export async function runExporterCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(args, OPTIONS)
  if (!parsed.ok) {
    const hint = /--(port|addr|address|web\.listen-address)\b/.test(parsed.problem) && !/did you mean/.test(parsed.problem) ? ' (did you mean --listen ADDR:PORT?)' : ''
    return usageError('exporter', parsed.problem + hint)
  }
  if (parsed.help) return runHelp(['exporter'])
  const values = parsed.values
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { DEFAULT_LISTEN, DEFAULT_STATE_DIR, Exporter } = require('../exporter/index.js') as typeof import('../exporter/index.js')
  let listen = DEFAULT_LISTEN
  if (values.listen !== undefined) {
    const parsed = parseListen(values.listen, DEFAULT_LISTEN.host)
    if (parsed === null) return usageError('exporter', `--listen ${JSON.stringify(values.listen)}: not ADDR:PORT (e.g. 127.0.0.1:19101, [::1]:19101, 0.0.0.0:19101)`)
    listen = parsed
  }
  for (const name of ['state-dir', 'file', 'gpu-file'] as const) {
    if (values[name] === '') return usageError('exporter', `--${name} needs a value`)
  }
  if (values['no-gpu'] === true && values['gpu-file'] !== undefined) return usageError('exporter', '--gpu-file and --no-gpu contradict each other')
  let pollMs: number | undefined
  if (values['poll-ms'] !== undefined) {
    pollMs = Number(values['poll-ms'])
    if (!Number.isInteger(pollMs) || pollMs < 10 || pollMs > 60_000) return usageError('exporter', `--poll-ms ${values['poll-ms']}: a whole number of milliseconds from 10 to 60000`)
  }
  const exporter = new Exporter({
    host: listen.host,
    port: listen.port,
    stateDir: values['state-dir'] ?? DEFAULT_STATE_DIR,
    eventsFile: values.file,
    gpuFile: values['no-gpu'] === true ? null : values['gpu-file'],
    pollMs
  })
  const started = await exporter.start()
  if (!started.ok) {
    process.stderr.write(`ds01-events exporter: ${started.problem}\n`)
    await exporter.stop()
    return 1
  }
  const shown = started.host.includes(':') ? `[${started.host}]` : started.host
  process.stderr.write(`ds01-events exporter: serving http://${shown}:${started.port}/metrics (${exporter.startMode})\n`)
  return new Promise<number>((resolve) => {
    const onSignal = (): void => {
      process.off('SIGTERM', onSignal)
      process.off('SIGINT', onSignal)
      exporter.stop().then(() => resolve(0), (err: unknown) => {
        process.stderr.write(`ds01-events exporter: stopping failed: ${String(err)}\n`)
        resolve(1)
      })
    }
    process.on('SIGTERM', onSignal)
    process.on('SIGINT', onSignal)
  })
}
