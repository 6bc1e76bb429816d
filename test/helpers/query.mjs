// Building logs for the reader's tests: v1 lines as the writers write them,
// pre-v1 lines as the old Python writer did, and running `ds01-events query`.
import { spawn, spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CLI, cleanEnv, scratch } from './cli.mjs'

/** A v1 line: keys in the spec's order, compact, 6 fractional digits. */
export function v1 (timestamp, eventType, { user, source, details } = {}) {
  const ts = timestamp instanceof Date ? timestamp.toISOString().replace('Z', '000Z') : timestamp
  const event = { timestamp: ts, event_type: eventType, schema_version: '1' }
  if (user !== undefined) event.user = user
  if (source !== undefined) event.source = source
  if (details !== undefined) event.details = details
  return JSON.stringify(event)
}

/** A pre-v1 line as Python's json.dumps wrote it: `ts`, `event`, flat fields, spaces after separators. */
export function preV1 (ts, event, fields = {}) {
  return JSON.stringify({ ts, event, ...fields }).replace(/","/g, '", "').replace(/":/g, '": ')
}

/** A log file in a fresh scratch directory; `lines` joined with newlines (and a final one unless torn). */
export function logFile (lines, { name = 'events.jsonl', torn = '' } = {}) {
  const dir = scratch('ds01-query-')
  const path = join(dir, name)
  writeFileSync(path, lines.map((l) => l + '\n').join('') + torn)
  return path
}

/** `ds01-events query --file path ...args` */
export function query (path, args = [], { env = {} } = {}) {
  const r = spawnSync(process.execPath, [CLI, 'query', '--file', path, ...args], { encoding: 'utf8', env: cleanEnv(env), maxBuffer: 1 << 28 })
  if (r.error) throw r.error
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** The --json output of a query as lines. */
export function queryLines (path, args = []) {
  const r = query(path, ['--all', '--json', ...args])
  if (r.status !== 0) throw new Error(`query failed (${r.status}): ${r.stderr}`)
  return r.stdout === '' ? [] : r.stdout.slice(0, -1).split('\n')
}

/** Starts `ds01-events query --file path ...args` in the background; output collected. */
export function queryInBackground (path, args = [], { env = {} } = {}) {
  const child = spawn(process.execPath, [CLI, 'query', '--file', path, ...args], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
  const result = { stdout: '', stderr: '' }
  child.stdout.setEncoding('utf8').on('data', (s) => { result.stdout += s })
  child.stderr.setEncoding('utf8').on('data', (s) => { result.stderr += s })
  const done = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, ...result })))
  return { child, result, done }
}

/** Resolves once `check()` is true (polling), or rejects after `ms`. */
export async function until (check, ms = 10_000, what = 'the condition') {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
