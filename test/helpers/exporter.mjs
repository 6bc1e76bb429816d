// The exporter as a library in the test's process: started on 127.0.0.1 with
// port 0, fast polls and saves, its messages collected; and what it serves.
import { createRequire } from 'node:module'
import { appendFileSync } from 'node:fs'
import { join } from 'node:path'
import { after } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { REPO } from './system.mjs'

const require = createRequire(import.meta.url)
export const exporterLib = require(join(REPO, 'dist', 'exporter', 'index.js'))

export async function startLibExporter (options) {
  const messages = []
  const e = new exporterLib.Exporter({ host: '127.0.0.1', port: 0, pollMs: 20, saveMs: 10, processMetrics: false, gpuFile: null, onMessage: (m) => messages.push(m), ...options })
  const r = await e.start()
  if (!r.ok) throw new Error(r.problem)
  let stopped = false
  const stop = async () => {
    if (!stopped) { stopped = true; await e.stop() }
  }
  after(stop)
  return { e, port: r.port, messages, stop }
}

/** The samples of a scrape: "name{labels}" -> value. */
export async function scrape (port) {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
  const out = new Map()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const at = line.lastIndexOf(' ')
    out.set(line.slice(0, at), Number(line.slice(at + 1)))
  }
  return out
}

export const series = (type, source = '') => `ds01_events_total{event_type="${type}",source="${source}"}`

/** Scrapes until `check(samples)` holds (each scrape lets a new series' count show), or fails after `ms`. */
export async function scrapeUntil (port, check, what, ms = 15_000) {
  const deadline = Date.now() + ms
  let last
  while (Date.now() < deadline) {
    last = await scrape(port)
    if (check(last)) return last
    await sleep(30)
  }
  throw new Error(`timed out waiting for ${what}; last scrape: ${JSON.stringify([...(last ?? [])].filter(([k, v]) => v !== 0 && k.startsWith('ds01_events_total')))}`)
}

/** Sum of ds01_events_total in a scrape. */
export function total (samples) {
  let n = 0
  for (const [k, v] of samples) if (k.startsWith('ds01_events_total{')) n += v
  return n
}

let seq = 0
/** A v1 line of `type` (and source), unique by its timestamp. */
export function eventLine (type, source) {
  seq++
  const ts = new Date(Date.UTC(2026, 0, 1) + seq).toISOString().replace('Z', `${String(seq % 1000).padStart(3, '0')}Z`)
  const e = { timestamp: ts, event_type: type, schema_version: '1' }
  if (source !== undefined) e.source = source
  e.details = { seq }
  return JSON.stringify(e) + '\n'
}

export function append (path, n, type = 'test.cli', source = 'tests') {
  let text = ''
  for (let i = 0; i < n; i++) text += eventLine(type, source)
  appendFileSync(path, text)
}
