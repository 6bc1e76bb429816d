// `gpu usage` reads the GPU log's rotated generations as one stream, and never
// reads one wholly outside the window: a damaged old generation costs nothing
// (no skip counted) until a window reaches into it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { gpuUsage } from '../dist/index.js'
import { scratch } from './helpers/cli.mjs'
import { HOUR, MIN, eventLine, logText, sampleLine } from './helpers/gpu-logs.mjs'

const T0 = Date.parse('2026-03-02T00:00:00Z')

function fixture () {
  const dir = scratch('ds01-gpu-gens-')
  const gpu = join(dir, 'gpu-utilization.jsonl')
  const events = join(dir, 'events.jsonl')
  const hours = (from, to, util) => {
    const lines = []
    for (let t = T0 + from * HOUR; t < T0 + to * HOUR; t += MIN) lines.push(sampleLine(t, 0, util))
    return logText(lines)
  }
  // oldest first: .3.gz hours 0-2, with a damaged line in its second hour; .2.gz 2-4; .1 4-6; current 6-8
  writeFileSync(`${gpu}.3.gz`, gzipSync(hours(0, 1, 0) + 'not a sample\n' + hours(1, 2, 0)))
  writeFileSync(`${gpu}.2.gz`, gzipSync(hours(2, 4, 0))) // idle
  writeFileSync(`${gpu}.1`, hours(4, 6, 50)) // busy
  writeFileSync(gpu, hours(6, 8, 0) + sampleLine(T0 + 8 * HOUR, 0, 0) + '\n') // idle
  // a rotated file's mtime is its last write, as logrotate leaves it (the reader trusts no single line's time alone)
  for (const [name, lastHour] of [['.3.gz', 2], ['.2.gz', 4], ['.1', 6]]) utimesSync(`${gpu}${name}`, new Date(T0 + lastHour * HOUR), new Date(T0 + lastHour * HOUR))
  writeFileSync(events, logText([eventLine(T0 - HOUR, 'gpu.allocate', 'alice', { container: 'a', gpu: 0 })]))
  return { gpu, events }
}

const at = (h) => new Date(T0 + h * HOUR)

test('generations read as one stream: .2.gz, .1 and the current file', async () => {
  const f = fixture()
  const r = await gpuUsage({ eventsPath: f.events, gpuPath: f.gpu, since: at(3), until: at(8), onWarning: assert.fail })
  assert.deepEqual(r.rows, [{ user: 'alice', allocated_hours: 5, busy_hours: 2, idle_hours: 3, unknown_hours: 0, mean_util_percent: 20 }])
  assert.deepEqual(r.skipped, { events: 0, samples: 0 }, 'the damaged .3.gz was not read')
})

test('a window reaching into the damaged generation reads it, and counts the damage', async () => {
  const f = fixture()
  const warnings = []
  const r = await gpuUsage({ eventsPath: f.events, gpuPath: f.gpu, since: at(0.5), until: at(8), onWarning: (w) => warnings.push(w) })
  assert.equal(r.skipped.samples, 1, JSON.stringify(r.skipped))
  assert.match(warnings.join('\n'), /skipped/)
})
