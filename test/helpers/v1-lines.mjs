// Shared by the envelope-layer tests: temp dirs, reading a log back, and the
// spec's rules for one line checked against the zod envelope schema.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import schemas from '../../dist/event/schemas.js'

export const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/
const KEY_ORDER = ['timestamp', 'event_type', 'schema_version', 'user', 'source', 'details']

const tempDirs = []

/** A path in a fresh directory of its own; every such directory is removed when the process exits. */
export function tempLog (name = 'events.jsonl') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ds01-'))
  if (tempDirs.push(dir) === 1) {
    process.on('exit', () => { for (const each of tempDirs) fs.rmSync(each, { recursive: true, force: true }) })
  }
  return path.join(dir, name)
}

/** The raw lines of a file, without their newlines; [] when it does not exist. */
export function rawLines (file) {
  if (!fs.existsSync(file)) return []
  const text = fs.readFileSync(file, 'utf8')
  if (text === '') return []
  assert.ok(text.endsWith('\n'), `${file} must end with a newline`)
  return text.slice(0, -1).split('\n')
}

/** Every rule the spec sets for one line; returns the parsed event. */
export function assertV1Line (line) {
  assert.ok(Buffer.byteLength(line) + 1 <= 4096, `line of ${Buffer.byteLength(line) + 1} bytes`)
  const event = JSON.parse(line)
  const parsed = schemas.envelopeSchema.safeParse(event)
  assert.ok(parsed.success, `not a v1 envelope: ${line.slice(0, 300)}: ${parsed.error?.message}`)
  const keys = Object.keys(event)
  assert.deepEqual(keys, KEY_ORDER.filter((k) => keys.includes(k)), 'envelope key order')
  assert.match(event.timestamp, TIMESTAMP)
  assert.equal(line, JSON.stringify(event), 'compact separators, exactly as JSON.stringify writes it')
  return event
}

/** Parses and checks every line of a file. */
export function readV1 (file) {
  return rawLines(file).map(assertV1Line)
}

/** A realistic gpu.utilization event: nine details and a source. */
export const GPU_SAMPLE = Object.freeze({
  source: 'gpu-monitor',
  gpu_index: 0,
  gpu_uuid: 'GPU-3f2a9c1e-7b4d-4e8a-9c2f-1a2b3c4d5e6f',
  name: 'NVIDIA A100-SXM4-80GB',
  gpu_util_percent: 87,
  mem_util_percent: 42,
  mem_used_mb: 33792,
  mem_total_mb: 81920,
  temperature_c: 64,
  power_w: 312.5
})

/** Collects warnings instead of printing them. */
export function warningSink () {
  const messages = []
  const onWarning = (m) => messages.push(m)
  return { messages, onWarning }
}

/** Resolves when check() is true; rejects after timeoutMs (a bound that only separates slow from hung). */
export async function waitFor (check, timeoutMs = 10_000, what = 'condition') {
  const start = Date.now()
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
