// `gpu waste`: which allocations were idle for the whole window (the older
// check's defaults: 30 min, under 5 %, more than 0.8 of at least 3 samples),
// the alert once per episode (state: the events log itself), exit codes.
// The window ends now (the alerts carry the clock's time), so the samples are
// laid out back from the test's start: one a minute, 5 s before each minute
// mark; a run within 55 s of the start sees exactly 30 of each GPU's samples.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { appendFileSync, chmodSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCli, scratch } from './helpers/cli.mjs'
import { HOUR, MIN, eventLine, logText, sampleLine } from './helpers/gpu-logs.mjs'
import { IS_ROOT } from './helpers/system.mjs'

const S = 1000

function fixture (utilOf, allocations, extraEvents = []) {
  const dir = scratch('ds01-gpu-waste-')
  const E = Math.floor(Date.now() / S) * S
  const events = join(dir, 'events.jsonl')
  const gpu = join(dir, 'gpu-utilization.jsonl')
  const samples = []
  for (let k = 59; k >= 0; k--) {
    for (const [index, util] of Object.entries(utilOf)) {
      const u = util(k)
      if (u !== undefined) samples.push(sampleLine(E - 5 * S - k * MIN, Number(index), u))
    }
  }
  writeFileSync(gpu, logText(samples))
  writeFileSync(events, logText([...allocations(E), ...extraEvents.map((f) => f(E))]))
  const env = { DS01_EVENTS_FILE: events, DS01_GPU_UTILIZATION_FILE: gpu }
  return { E, events, gpu, env, run: (...args) => runCli(['gpu', 'waste', ...args], { env }) }
}

const alloc = (at, user, container, gpu) => eventLine(at, 'gpu.allocate', user, { container, gpu })
const alerts = (file) => readFileSync(file, 'utf8').split('\n').filter((l) => l.includes('"alert.gpu_waste"')).map((l) => JSON.parse(l))

// k is how many minutes back a sample is (0: the newest); the window holds k = 0..29
const UTIL = {
  0: () => 0, // alice: idle all along: wasted, 30 of 30
  1: (k) => (k < 20 ? 2 : 90), // bob: 20 of 30 low (0.67): not wasted
  2: () => 0, // carol: idle, but released 5 min ago
  3: () => 0, // dave: idle, but allocated 20 min ago
  4: () => 0, // erin: a MIG slice of GPU 4, whatever the parent says
  5: () => null, // fay: no reading ([Unknown Error]): null never counts as low
  6: (k) => (k < 2 ? 0 : undefined), // gina: only 2 samples in the window (< 3)
  7: (k) => (k < 25 ? 1 : 50), // henry: 25 of 30 low (0.833 > 0.8): wasted
  8: (k) => (k < 24 ? 1 : 50), // ivan: 24 of 30 low: exactly 0.8, not more: not wasted
  9: () => 0, // jack: idle, alerted 40 min ago (before the window), idle since: already alerted
  10: (k) => (k === 34 ? 60 : 0) // kim: alerted 40 min ago, busy 34 min ago, idle since: a new episode
}

function allocations (E) {
  return [
    alloc(E - 2 * HOUR, 'alice', 'alice-nb', 0),
    alloc(E - 2 * HOUR, 'bob', 'bob-train', 1),
    alloc(E - 2 * HOUR, 'carol', 'carol-nb', 2),
    eventLine(E - 5 * MIN, 'gpu.release', 'carol', { container: 'carol-nb' }),
    alloc(E - 20 * MIN, 'dave', 'dave-job', 3),
    alloc(E - 2 * HOUR, 'erin', 'erin-mig', '4:0'),
    alloc(E - 2 * HOUR, 'fay', 'fay-x', 5),
    alloc(E - 2 * HOUR, 'gina', 'gina-x', 6),
    alloc(E - 2 * HOUR, 'henry', 'henry-x', '7'),
    alloc(E - 2 * HOUR, 'ivan', 'ivan-x', 8),
    alloc(E - 2 * HOUR, 'jack', 'jack-x', 9),
    eventLine(E - 40 * MIN, 'alert.gpu_waste', 'jack', { container: 'jack-x', gpu: 9, gpu_index: 9, window: '30m', samples: 30, low_samples: 30, idle_share: 1 }),
    alloc(E - 2 * HOUR, 'kim', 'kim-x', 10),
    eventLine(E - 40 * MIN, 'alert.gpu_waste', 'kim', { container: 'kim-x', gpu: '10', gpu_index: 10, window: '30m', samples: 30, low_samples: 30, idle_share: 1 })
  ]
}

test('gpu waste flags only allocations idle for the whole window, and alerts once per episode', () => {
  const f = fixture(UTIL, allocations)
  const first = f.run('--json')
  assert.equal(first.status, 1, first.stderr)
  const report = JSON.parse(first.stdout)
  assert.equal(Date.now() - f.E < 55 * S, true, 'the runs took longer than the layout allows')
  assert.deepEqual({ window: report.window, threshold: report.threshold, share: report.share, min_samples: report.min_samples }, { window: '30m', threshold: 5, share: 0.8, min_samples: 3 })
  assert.deepEqual(report.wasted.map((w) => [w.user, w.container, w.gpu, w.gpu_index, w.samples, w.low_samples, w.idle_share, w.alert]), [
    ['alice', 'alice-nb', '0', 0, 30, 30, 1, 'logged'],
    ['henry', 'henry-x', '7', 7, 30, 25, 0.833, 'logged'],
    ['jack', 'jack-x', '9', 9, 30, 30, 1, 'already'],
    ['kim', 'kim-x', '10', 10, 30, 30, 1, 'logged']
  ])
  const logged = alerts(f.events).slice(2) // after the two the fixture wrote
  assert.deepEqual(logged.map((e) => [e.user, e.source, e.details]), [
    ['alice', 'gpu-waste', { container: 'alice-nb', gpu: '0', gpu_index: 0, window: '30m', samples: 30, low_samples: 30, idle_share: 1 }],
    ['henry', 'gpu-waste', { container: 'henry-x', gpu: '7', gpu_index: 7, window: '30m', samples: 30, low_samples: 25, idle_share: 0.833 }],
    ['kim', 'gpu-waste', { container: 'kim-x', gpu: '10', gpu_index: 10, window: '30m', samples: 30, low_samples: 30, idle_share: 1 }]
  ])

  // a second run while they stay wasted logs nothing new
  const second = f.run('--json')
  assert.equal(second.status, 1, second.stderr)
  assert.deepEqual(JSON.parse(second.stdout).wasted.map((w) => w.alert), ['already', 'already', 'already', 'already'])
  assert.equal(alerts(f.events).length, 5)

  // alice's GPU is busy once, then idle again: a new episode, one more alert
  appendFileSync(f.gpu, logText([sampleLine(Date.now(), 0, 80)]))
  const third = f.run('--json')
  assert.equal(third.status, 1, third.stderr)
  assert.deepEqual(JSON.parse(third.stdout).wasted.map((w) => [w.user, w.samples, w.low_samples, w.alert]), [
    ['alice', 31, 30, 'logged'], ['henry', 30, 25, 'already'], ['jack', 30, 30, 'already'], ['kim', 30, 30, 'already']
  ])
  assert.deepEqual(alerts(f.events).slice(5).map((e) => e.user), ['alice'])
})

test('gpu waste --dry-run reports and logs nothing; the text says what it found', () => {
  const f = fixture(UTIL, allocations)
  const r = f.run('--dry-run')
  assert.equal(r.status, 1, r.stderr)
  assert.match(r.stdout, /wasted GPU 0 \(index 0\): alice alice-nb, held since .*; 30 of 30 samples under 5 % in the last 30m \(no alert logged\)/)
  assert.match(r.stdout, /jack jack-x.*\(already alerted\)/)
  assert.equal(alerts(f.events).length, 2, 'only the fixture\'s two')
})

test('gpu waste exits 0 when nothing is wasted, with its options: a longer window, a lower threshold', () => {
  const f = fixture({ 0: () => 3, 1: () => 90 }, (E) => [alloc(E - 2 * HOUR, 'alice', 'a', 0), alloc(E - 2 * HOUR, 'bob', 'b', 1)])
  assert.equal(f.run('--threshold', '3').status, 0) // 3 % is not under 3 %
  assert.equal(f.run('--threshold', '3.5', '--dry-run').status, 1)
  // a window longer than the allocation (2 h 30 min): held for none of them whole
  const r = f.run('--window', '150m', '--json')
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(JSON.parse(r.stdout).wasted, [])
  assert.match(f.run('--window', '150m').stdout, /^no allocation wasted in the last 150m/)
  // at least 61 samples: an hour holds 60
  assert.equal(f.run('--min-samples', '61', '--window', '1h').status, 0)
  assert.equal(f.run('--min-samples', '60', '--window', '1h', '--dry-run').status, 1)
})

test('gpu waste: usage errors exit 2, an unreadable log exits 1 with the reason', () => {
  const f = fixture({ 0: () => 0 }, (E) => [alloc(E - 2 * HOUR, 'alice', 'a', 0)])
  for (const args of [['--share', '1.5'], ['--share', 'x'], ['--window', 'soon'], ['--window', '0m'], ['--min-samples', '0'], ['--min-samples', '2.5'], ['--threshold', 'low'], ['--since', '1h'], ['--windw', '1h'], ['extra']]) {
    const r = f.run(...args)
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`)
    assert.match(r.stderr, /^ds01-events gpu: /, args.join(' '))
  }
  assert.match(f.run('--windw', '1h').stderr, /did you mean --window\?/)
  assert.match(runCli(['gpu', 'wast']).stderr, /did you mean 'waste'\?/)
  const missing = runCli(['gpu', 'waste'], { env: { ...f.env, DS01_GPU_UTILIZATION_FILE: join(f.events, '..', 'nope.jsonl') } })
  assert.equal(missing.status, 1)
  assert.match(missing.stderr, /no such file: .*nope\.jsonl/)
  if (!IS_ROOT) {
    chmodSync(f.events, 0o000)
    const denied = f.run()
    assert.equal(denied.status, 1)
    assert.match(denied.stderr, /permission denied/)
    chmodSync(f.events, 0o600)
  }
})
