// `gpu usage` keeps no sample once counted: over a large generated day (8 GPUs,
// a sample every 2 s: 345,600 lines, about 120 MB over .2.gz, .1 and the
// current file) its peak RSS is that of one hour of the same log, within a
// margin, and the answer is right to the second. The child reports its RSS.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { CLI, cleanEnv, scratch } from './helpers/cli.mjs'
import { HOUR, eventLine } from './helpers/gpu-logs.mjs'

const REPORT_RSS = new URL('./helpers/report-max-rss.cjs', import.meta.url).pathname
const GPUS = 8
const STEP = 2000
const END = Date.parse('2026-03-03T00:00:00Z')

/** `hours` of samples ending at END, as rotated generations; every GPU held by one user the whole time, idle in even hours. */
function day (hours) {
  const dir = scratch('ds01-gpu-memory-')
  const gpu = join(dir, 'gpu-utilization.jsonl')
  const start = END - hours * HOUR
  const uuid = (g) => `GPU-9e3779b1-79b1-3779-9e37-${String(g).padStart(12, '0')}`
  const text = (from, to) => {
    const parts = []
    for (let t = from; t < to; t += STEP) {
      const util = Math.floor((t - start) / HOUR) % 2 === 0 ? 1 : 60
      const ts = new Date(t).toISOString().replace('Z', '000Z')
      for (let g = 0; g < GPUS; g++) {
        parts.push(`{"timestamp":"${ts}","event_type":"gpu.utilization","schema_version":"1","source":"gpu-monitor","details":{"gpu_index":${g},"gpu_uuid":"${uuid(g)}","name":"NVIDIA H100 80GB HBM3","gpu_util_percent":${util},"mem_util_percent":3,"mem_used_mb":1000,"mem_total_mb":81559,"temperature_c":40,"power_w":100.25}}\n`)
      }
    }
    return parts.join('')
  }
  const third = Math.ceil(hours / 3) * HOUR
  writeFileSync(`${gpu}.2.gz`, gzipSync(text(start, start + third)))
  writeFileSync(`${gpu}.1`, text(start + third, start + 2 * third))
  const fd = openSync(gpu, 'w')
  for (let t = start + 2 * third; t < END; t += HOUR) writeSync(fd, text(t, Math.min(END, t + HOUR)))
  closeSync(fd)
  const events = join(dir, 'events.jsonl')
  writeFileSync(events, Array.from({ length: GPUS }, (_, g) => eventLine(start - HOUR, 'gpu.allocate', `user${g}`, { container: `c${g}`, gpu: g })).join('\n') + '\n')
  return { gpu, events, start }
}

function usage (f) {
  const r = spawnSync(process.execPath, ['-r', REPORT_RSS, CLI, 'gpu', 'usage', '--since', new Date(f.start).toISOString(), '--until', new Date(END).toISOString(), '--json'], {
    encoding: 'utf8',
    env: cleanEnv({ DS01_EVENTS_FILE: f.events, DS01_GPU_UTILIZATION_FILE: f.gpu }),
    maxBuffer: 1 << 24
  })
  assert.equal(r.status, 0, r.stderr)
  const rss = /max-rss-kib=(\d+)/.exec(r.stderr)
  assert.ok(rss, r.stderr)
  return { report: JSON.parse(r.stdout), rssMiB: Number(rss[1]) / 1024 }
}

test('gpu usage over a large day: memory as for an hour, answer exact', () => {
  const small = usage(day(1))
  const large = usage(day(24))
  // by hand: each user held a GPU the whole window, idle (1 %) in even hours, busy (60 %) in odd ones
  assert.equal(large.report.rows.length, GPUS)
  for (const row of large.report.rows) {
    assert.deepEqual([row.allocated_hours, row.idle_hours, row.busy_hours, row.unknown_hours, row.mean_util_percent], [24, 12, 12, 0, 30.5], row.user)
  }
  for (const row of small.report.rows) assert.deepEqual([row.allocated_hours, row.idle_hours], [1, 1], row.user)
  // 24x the samples: the peak RSS stays that of the hour (a kept sample would cost 100+ bytes each: 35+ MB)
  assert.ok(large.rssMiB < small.rssMiB + 25, `max RSS ${large.rssMiB.toFixed(0)} MiB over the day vs ${small.rssMiB.toFixed(0)} MiB over an hour`)
})
