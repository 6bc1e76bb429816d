// The exporter under Debian's real Prometheus: writers log, the real
// logrotate rotates with the shipped config, the exporter is stopped with
// SIGTERM and killed with SIGKILL while they log (rotations happen while it
// is down). What Prometheus stored matches the log exactly at every pause, and
// no counter ever went down; promtool accepts the output.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { cleanEnv } from './helpers/cli.mjs'
import { fileLines, rotationFamily } from './helpers/events.mjs'
import { NEEDS_PROMETHEUS, freePort, promtoolCheckMetrics, scalarOf, startExporter, startPrometheus } from './helpers/prometheus.mjs'
import { GROUP, IS_ROOT, REPO, ensureGroup, makeLayout } from './helpers/system.mjs'

const LOGROTATE = ['/usr/sbin/logrotate', '/sbin/logrotate', '/usr/bin/logrotate'].find((p) => existsSync(p))
const skip = !IS_ROOT ? 'needs root (logrotate su root docker)' : !LOGROTATE ? 'needs logrotate (apt-get install logrotate)' : NEEDS_PROMETHEUS

function run (command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (s) => { stderr += s })
    child.on('close', (code) => resolve({ code, stderr }))
  })
}

test('a real Prometheus scraping through rotations, a SIGTERM and a SIGKILL restart stores counters that match the log exactly', { skip, timeout: 180_000 }, async () => {
  const layout = makeLayout(ensureGroup())
  writeFileSync(layout.events, '', { mode: 0o664 })
  const config = join(layout.root, 'logrotate.conf')
  const shipped = readFileSync(join(REPO, 'deploy', 'logrotate.d', 'ds01'), 'utf8')
  writeFileSync(config, shipped.split('/var/log/ds01/').join(`${layout.dir}/`).replace(/ root docker$/gm, ` root ${GROUP}`), { mode: 0o644 })
  const rotateState = join(layout.root, 'logrotate.state')
  const rotate = async () => {
    const r = await run(LOGROTATE, ['-f', '-s', rotateState, config])
    assert.equal(r.code, 0, r.stderr)
  }
  const stateDir = join(layout.root, 'state')
  const port = await freePort()
  const exporterArgs = ['--listen', `127.0.0.1:${port}`, '--state-dir', stateDir, '--file', layout.events, '--gpu-file', layout.gpu, '--poll-ms', '100']
  let exporter = await startExporter(exporterArgs)
  assert.equal(exporter.port, port, exporter.out.stderr)
  const prom = await startPrometheus(join(layout.root, 'prometheus'), [`127.0.0.1:${port}`])

  /** Lines in the log and its generations now (every one was appended after the exporter's first start). */
  const linesInLog = () => rotationFamily(layout.dir, 'events.jsonl').reduce((n, p) => n + fileLines(p).length, 0)
  const stored = async () => scalarOf(await prom.query('sum(ds01_events_total{job="ds01-events"})'))
  /** Waits until Prometheus stored exactly `expected`; a value above it fails at once (counted twice). */
  const storedReaches = async (expected, what) => {
    const deadline = Date.now() + 30_000
    let last
    while (Date.now() < deadline) {
      last = await stored()
      assert.ok(last === undefined || last <= expected, `${what}: Prometheus stored ${last}, more than the ${expected} appended`)
      if (last === expected) return
      await sleep(200)
    }
    assert.fail(`${what}: Prometheus stored ${last}, not the ${expected} appended`)
  }

  let phase = 0
  const writersLog = async (during) => {
    phase++
    const stop = join(layout.root, `stop-${phase}`)
    const env = cleanEnv({ DS01_EVENTS_FILE: layout.events })
    const writers = ['sync', 'batched'].map((mode) => {
      const child = spawn(process.execPath, [join(REPO, 'test', 'helpers', 'rotation-writer.mjs'), mode, REPO, stop, join(layout.root, `${mode}-${phase}.report`), `${mode}-${phase}`], { env, stdio: ['ignore', 'ignore', 'pipe'] })
      let stderr = ''
      child.stderr.setEncoding('utf8').on('data', (s) => { stderr += s })
      return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })))
    })
    try {
      await during()
    } finally {
      writeFileSync(stop, '')
    }
    for (const w of writers) {
      const r = await w
      assert.equal(r.code, 0, r.stderr)
    }
  }

  try {
    await storedReaches(0, 'at the start')
    const samples = [{ at: Date.now() / 1000, total: 0 }]

    // 1: two rotations while the writers log
    await writersLog(async () => {
      await sleep(600)
      await rotate()
      await sleep(600)
      await rotate()
      await sleep(400)
    })
    await storedReaches(linesInLog(), 'after two rotations')
    samples.push({ at: Date.now() / 1000, total: linesInLog() })

    // 2: SIGTERM while they log, a rotation while it is down, started again
    await writersLog(async () => {
      await sleep(500)
      exporter.child.kill('SIGTERM')
      const exit = await exporter.exited
      assert.deepEqual(exit, { code: 0, signal: null }, exporter.out.stderr)
      await rotate()
      await sleep(400)
      exporter = await startExporter(exporterArgs)
      assert.equal(exporter.port, port, exporter.out.stderr)
      assert.match(exporter.out.stderr, /\(resumed\)/)
      await sleep(500)
    })
    await storedReaches(linesInLog(), 'after a SIGTERM restart')
    samples.push({ at: Date.now() / 1000, total: linesInLog() })

    // 3: SIGKILL while they log; two rotations while it is down, so the file it
    // was reading is compressed (a new inode) before it reads it again
    await writersLog(async () => {
      await sleep(500)
      exporter.child.kill('SIGKILL')
      await exporter.exited
      await sleep(200)
      await rotate()
      await sleep(200)
      await rotate()
      await sleep(300)
      exporter = await startExporter(exporterArgs)
      assert.equal(exporter.port, port, exporter.out.stderr)
      assert.match(exporter.out.stderr, /\(resumed\)/)
      await sleep(500)
      await rotate()
      await sleep(500)
    })
    assert.ok(rotationFamily(layout.dir, 'events.jsonl').some((p) => p.endsWith('.gz')), 'rotations compressed some generations')
    await storedReaches(linesInLog(), 'after a SIGKILL restart')
    samples.push({ at: Date.now() / 1000, total: linesInLog() })
    assert.ok(samples.at(-1).total > 1000, `the writers logged ${samples.at(-1).total} events`)

    // the sums stored at the instants differ by exactly what was appended between them
    for (const s of samples) assert.equal(await stored().then(() => prom.query('sum(ds01_events_total{job="ds01-events"})', s.at)).then(scalarOf), s.total, `at ${s.at}`)
    // and no series ever went down: not one reset, and the sum never fell between scrapes
    const since = samples[0].at
    const window = `${Math.ceil(Date.now() / 1000 - since) + 5}s`
    assert.equal(scalarOf(await prom.query(`sum(resets(ds01_events_total[${window}]))`)), 0)
    const range = await prom.queryRange('sum(ds01_events_total{job="ds01-events"})', since, Date.now() / 1000, 0.5)
    const values = range.result[0].values.map(([, v]) => Number(v))
    for (let i = 1; i < values.length; i++) assert.ok(values[i] >= values[i - 1], `the stored sum fell from ${values[i - 1]} to ${values[i]}`)
    // every event type of the writers is there under its one name
    assert.equal(scalarOf(await prom.query('sum(ds01_events_total{event_type="test.selftest",source="rotation-test"})')), samples.at(-1).total)

    // promtool accepts what it serves
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
    const check = promtoolCheckMetrics(text)
    assert.equal(check.status, 0, check.output)
  } finally {
    await prom.stop()
    if (exporter.child.exitCode === null) {
      exporter.child.kill('SIGTERM')
      await exporter.exited
    }
  }
})
