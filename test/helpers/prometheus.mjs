// Debian's real Prometheus for the exporter's tests: started on 127.0.0.1 with
// a free port, a temporary config and storage, stopped by the caller (and at
// the end of the file in any case); and the exporter as the CLI runs it.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { after } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { CLI, cleanEnv } from './cli.mjs'

export const PROMETHEUS = ['/usr/bin/prometheus', '/usr/local/bin/prometheus'].find((p) => existsSync(p))
export const PROMTOOL = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((p) => existsSync(p))
export const NEEDS_PROMETHEUS = PROMETHEUS === undefined || PROMTOOL === undefined ? 'needs Debian\'s prometheus (apt-get install prometheus; it ships promtool)' : false

/** A port free right now on 127.0.0.1. */
export async function freePort () {
  const server = createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** Starts Prometheus scraping `targets` every second, with `rules` (files) loaded. */
export async function startPrometheus (dir, targets, { rules = [] } = {}) {
  mkdirSync(dir, { recursive: true })
  const config = join(dir, 'prometheus.yml')
  writeFileSync(config, [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    '  evaluation_interval: 1s',
    `rule_files: ${JSON.stringify(rules)}`,
    'scrape_configs:',
    '  - job_name: ds01-events',
    `    static_configs: [{ targets: ${JSON.stringify(targets)} }]`,
    ''
  ].join('\n'))
  const port = await freePort()
  const child = spawn(PROMETHEUS, [
    `--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`,
    '--web.enable-lifecycle', '--log.level=warn'
  ], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (s) => { stderr += s })
  const exited = new Promise((resolve) => child.on('exit', resolve))
  after(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  const base = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`)
    try {
      if ((await fetch(`${base}/-/ready`)).ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`prometheus did not become ready: ${stderr}`)
    await sleep(100)
  }
  return {
    base,
    get stderr () { return stderr },
    /** An instant query; the result vector (throws on an error status). */
    async query (expr, time) {
      const params = new URLSearchParams({ query: expr })
      if (time !== undefined) params.set('time', String(time))
      const body = await (await fetch(`${base}/api/v1/query?${params}`)).json()
      if (body.status !== 'success') throw new Error(`${expr}: ${body.errorType}: ${body.error}`)
      return body.data
    },
    async queryRange (expr, start, end, step) {
      const params = new URLSearchParams({ query: expr, start: String(start), end: String(end), step: String(step) })
      const body = await (await fetch(`${base}/api/v1/query_range?${params}`)).json()
      if (body.status !== 'success') throw new Error(`${expr}: ${body.errorType}: ${body.error}`)
      return body.data
    },
    async stop () {
      if (child.exitCode === null) child.kill('SIGTERM')
      await exited
    }
  }
}

/** Starts `ds01-events exporter ...args`; resolves once it serves (with its port), or with its exit. */
export async function startExporter (args, { env = {} } = {}) {
  const child = spawn(process.execPath, [CLI, 'exporter', ...args], { env: cleanEnv(env), stdio: ['ignore', 'ignore', 'pipe'] })
  const out = { stderr: '' }
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  after(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  const port = await new Promise((resolve) => {
    child.stderr.setEncoding('utf8').on('data', (s) => {
      out.stderr += s
      const m = /serving http:\/\/[^ ]*:(\d+)\/metrics/.exec(out.stderr)
      if (m !== null) resolve(Number(m[1]))
    })
    exited.then(() => resolve(null))
  })
  return { child, port, out, exited }
}

/** promtool check metrics on a scrape's text: {status, output}. */
export function promtoolCheckMetrics (text) {
  const r = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' })
  return { status: r.status, output: `${r.stdout}${r.stderr}` }
}

/** The first value of an instant vector (a number), or undefined when empty. */
export function scalarOf (data) {
  const r = data.result
  if (data.resultType === 'scalar') return Number(r[1])
  return r.length === 0 ? undefined : Number(r[0].value[1])
}
