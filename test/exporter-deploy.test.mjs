// The shipped Prometheus rules pass `promtool check rules`, and every PromQL
// expression of the shipped Grafana dashboard runs on a real Prometheus that
// scrapes an exporter fed with events and GPU samples (the rules loaded, so
// the recorded series the dashboard reads exist), and returns data.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { scratch } from './helpers/cli.mjs'
import { NEEDS_PROMETHEUS, PROMTOOL, freePort, startExporter, startPrometheus } from './helpers/prometheus.mjs'
import { REPO } from './helpers/system.mjs'

const RULES = join(REPO, 'deploy', 'prometheus', 'ds01-events.rules.yml')
const DASHBOARD = join(REPO, 'deploy', 'grafana', 'ds01-events.dashboard.json')

function expressions (dashboard) {
  const out = []
  const walk = (panels) => {
    for (const p of panels ?? []) {
      for (const t of p.targets ?? []) out.push({ panel: p.title, expr: t.expr })
      walk(p.panels)
    }
  }
  walk(dashboard.panels)
  return out
}

test('the rules pass promtool check rules', { skip: NEEDS_PROMETHEUS }, () => {
  const r = spawnSync(PROMTOOL, ['check', 'rules', RULES], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stdout + r.stderr)
  assert.match(r.stdout, /SUCCESS: \d+ rules found/)
  const text = readFileSync(RULES, 'utf8')
  for (const alert of ['DS01GpuWasted', 'DS01GpuAgentStale', 'DS01EventsRefused']) assert.match(text, new RegExp(`alert: ${alert}\\b`))
})

test('the dashboard shows events by type, enforcement, GPU utilization by holder and waste; every expression runs on a real Prometheus and returns data', { skip: NEEDS_PROMETHEUS, timeout: 120_000 }, async () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8'))
  const exprs = expressions(dashboard)
  const titles = exprs.map((e) => e.panel).join('\n')
  for (const want of [/Events by type/, /Enforcement/, /GPU utilization by holder/, /Idle GPU-hours/]) assert.match(titles, want)

  const dir = scratch('ds01-exporter-deploy-')
  const events = join(dir, 'events.jsonl')
  const gpu = join(dir, 'gpu-utilization.jsonl')
  writeFileSync(events, '')
  writeFileSync(gpu, '')
  const port = await freePort()
  const exporter = await startExporter(['--listen', `127.0.0.1:${port}`, '--state-dir', join(dir, 'state'), '--file', events, '--gpu-file', gpu, '--poll-ms', '100'])
  assert.equal(exporter.port, port, exporter.out.stderr)
  const prom = await startPrometheus(join(dir, 'prometheus'), [`127.0.0.1:${port}`], { rules: [RULES] })
  const ts = () => new Date().toISOString().replace('Z', '000Z')
  const event = (type, fields = {}) => JSON.stringify({ timestamp: ts(), event_type: type, schema_version: '1', ...fields }) + '\n'
  const sample = (index, util) => event('gpu.utilization', { source: 'gpu-monitor', details: { gpu_index: index, gpu_uuid: `GPU-0000000${index}-aaaa-bbbb-cccc-dddddddddddd`, name: 'NVIDIA H100 80GB HBM3', gpu_util_percent: util, mem_util_percent: 1, mem_used_mb: 100, mem_total_mb: 81559, temperature_c: 30, power_w: 70.5 } })
  try {
    await sleep(1500)
    appendFileSync(events, event('gpu.allocate', { user: 'alice', source: 'gpu-allocator', details: { container: 'alice-jupyter', gpu: '0' } }) +
      event('gpu.allocated', { user: 'bob', source: 'gpu-allocator', details: { container: 'bob-train', gpu: 1 } }))
    // ten seconds of samples, one a second: GPU 0 idle (alice), GPU 1 busy (bob)
    for (let i = 0; i < 10; i++) {
      appendFileSync(gpu, sample(0, 0) + sample(1, 93))
      if (i === 3) {
        appendFileSync(events, event('maintenance.idle_kill', { user: 'carol', source: 'cleanup', details: { container: 'carol-x' } }) +
          event('resource.oom_kill', { user: 'dave', source: 'oom-watch', details: { container: 'dave-y' } }) +
          event('system.shutdown', { source: 'gpu-monitor', details: { component: 'gpu-monitor', signal: 'SIGTERM', events_logged: 10, events_refused: 2, events_dropped: 0 } }) +
          'not an event\n')
      }
      await sleep(1000)
    }
    const empty = []
    for (const { panel, expr } of exprs) {
      const data = await prom.query(expr) // throws on a PromQL error
      if (data.result.length === 0) empty.push(`${panel}: ${expr}`)
    }
    assert.deepEqual(empty, [], 'every expression returns data')
    // the old "24h" gauges' numbers, exact: one idle kill is 1 (its series appeared at 0 first), one OOM kill is 1
    for (const type of ['maintenance.idle_kill', 'resource.oom_kill']) {
      const data = await prom.query(`round(sum(increase(ds01_events_total{event_type="${type}"}[24h])))`)
      assert.equal(Number(data.result[0]?.value[1]), 1, type)
    }
  } finally {
    await prom.stop()
    exporter.child.kill('SIGTERM')
    await exporter.exited
  }
})
