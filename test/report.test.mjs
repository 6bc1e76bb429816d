// ds01-events report --month YYYY-MM: the month's figures from the logs alone,
// as JSON (snake_case) and Markdown. The log is rotated (.3.gz September, .2.gz
// October, .1 November, the current file December); months are UTC whatever TZ
// says; another spelling counts as its registered name; generations and lines
// outside the month are not read (damage planted there is never reported).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { runCli, scratch } from './helpers/cli.mjs'
import { preV1, v1 } from './helpers/query.mjs'

const at = (day, hh = 10, mm = 0) => `2026-11-${String(day).padStart(2, '0')}T${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:00.000000Z`
const ev = (ts, type, user, details) => v1(ts, type, { user, source: 'report-test', details })

const SEPTEMBER = [ev('2026-09-10T10:00:00.000000Z', 'user.added', 'sept', { group: 'docker' })]
// the October generation begins a little before midnight (rotation time), so the September one is wholly outside October
const OCTOBER = [
  ev('2026-09-30T23:50:00.000000Z', 'gpu.reject', 'late-september', { reason: 'busy' }),
  ev('2026-10-01T10:00:00.000000Z', 'user.added', 'octo', { group: 'docker' }),
  ev('2026-10-30T08:00:00.000000Z', 'detection.container_discovered', 'zed', { container_id: 'c-old', name: 'zed-x' }),
  ev('2026-10-31T22:00:00.000000Z', 'gpu.allocated', 'bob', { container: 'bob-x', gpu: 1 }), // held across the month's start
  ev('2026-10-31T23:59:59.999999Z', 'gpu.reject', 'late-october', { reason: 'busy' })
]
const NOVEMBER = [
  ev('2026-11-01T00:00:00.000000Z', 'user.added', 'alice', { group: 'docker' }),
  ev(at(2), 'user.added', 'bob', { group: 'docker' }),
  ev(at(3), 'user.added', 'alice', { group: 'docker' }), // the same user twice: one new user
  // 12 users create containers: u01 3 times, u02 twice, the others once (top 10 cuts two)
  ...['u01', 'u01', 'u01', 'u02', 'u02', 'u03', 'u04', 'u05', 'u06', 'u07', 'u08', 'u09', 'u10', 'u11', 'u12'].map((u, i) =>
    ev(at(4, 1, i), 'container.create', u, i < 6 ? { container: `${u}-c`, container_type: 'jupyter' } : i < 10 ? { container: `${u}-c`, interface: 'vscode' } : { container: `${u}-c` })),
  // lifetimes 1 h, 3 h and 2 h (paired by container_id); c-old was discovered in October: no lifetime
  ev(at(5, 8), 'detection.container_discovered', 'u01', { container_id: 'c1', name: 'u01-c' }),
  ev(at(5, 9), 'detection.container_exited', 'u01', { container_id: 'c1', name: 'u01-c' }),
  ev(at(5, 9), 'detection.container_discovered', 'u02', { container_id: 'c2', name: 'u02-c' }),
  ev(at(5, 10), 'detection.container_discovered', 'u03', { container_id: 'c3', name: 'u03-c' }),
  ev(at(5, 12), 'detection.container_exited', 'u02', { container_id: 'c2', name: 'u02-c' }),
  ev(at(5, 12), 'detection.container_exited', 'u03', { container_id: 'c3', name: 'u03-c' }),
  ev(at(6), 'detection.container_exited', 'zed', { container_id: 'c-old', name: 'zed-x' }),
  ev(at(6, 11), 'detection.container_discovered', 'u04', { container_id: 'c4', name: 'still-running' }),
  // rejections under both spellings; 6 users, top 5 cuts the last
  ...['r1', 'r1', 'r1', 'r2', 'r2', 'r3', 'r4', 'r5', 'r6'].map((u, i) => ev(at(7, 1, i), i % 2 === 0 ? 'gpu.reject' : 'gpu.rejected', u, { reason: 'no free GPU' })),
  ev(at(8), 'auth.access_denied', 'd1', { resource: 'gpu' }),
  ev(at(8, 11), 'auth.denied', 'd1', { resource: 'ssh' }),
  ev(at(8, 12), 'auth.denied', 'd2', { resource: 'ssh' }),
  ev(at(9), 'maintenance.idle_kill', 'k1', { container: 'k1-c', idle_duration: '2h' }),
  ev(at(9, 11), 'maintenance.idle_kill', 'k2', { container: 'k2-c', idle_duration: 7200 }),
  ev(at(9, 12), 'maintenance.runtime_kill', 'k1', { container: 'k1-c', runtime: '48h' }),
  ev(at(9, 13), 'resource.oom_kill', 'k3', { container: 'k3-c' }),
  ev(at(10), 'bare_metal.warning', 'b1', { pids: [123], message: 'GPU process outside a container' }),
  preV1('2026-11-10T11:00:00', 'bare_metal.warning', { user: 'b2', pids: '456', message: 'again' }),
  ev(at(10, 12), 'monitor.disk_warning', undefined, { message: 'disk 91 %' }),
  ev('2026-11-01T02:00:00.000000Z', 'gpu.release', 'bob', { container: 'bob-x', gpu: 1 }),
  ev(at(11), 'gpu.allocate', 'alice', { container: 'alice-x', gpu: 0 }), // GPU-hours only: not counted among the events
  ev(at(11, 12), 'gpu.released', 'alice', { container: 'alice-x', gpu: 0 }),
  // the end of the month in UTC (Berlin: already December); the last microseconds count
  ev('2026-11-30T23:30:00.000000Z', 'user.added', 'carol', { group: 'docker' }),
  ev('2026-11-30T23:59:59.999500Z', 'resource.oom_kill', 'k3', { container: 'k3-c' })
]
const DECEMBER = [
  ev('2026-12-01T00:00:00.000000Z', 'user.added', 'december', { group: 'docker' }), // read (writers' disorder), not counted
  ev('2026-12-01T00:10:00.000000Z', 'user.added', 'december2', { group: 'docker' }) // past the month and its slack
]

function rotatedLog () {
  const dir = scratch('ds01-report-')
  const text = (lines) => lines.map((l) => l + '\n').join('')
  // September: a valid first member, then bytes that are no gzip (damage a scan would report)
  // September (plain, as .N can be): a valid first line, then a damaged one that only a scan of the file would meet
  writeFileSync(join(dir, 'events.jsonl.3'), text(SEPTEMBER))
  writeFileSync(join(dir, 'events.jsonl.2.gz'), gzipSync(text(OCTOBER)))
  writeFileSync(join(dir, 'events.jsonl.1'), text(NOVEMBER))
  writeFileSync(join(dir, 'events.jsonl'), text(DECEMBER))
  // GPU 0, sampled each minute while alice holds it: idle (0 %) the first hour, busy (80 %) the second; GPU 1 never sampled
  const samples = []
  for (let m = 0; m < 120; m++) {
    samples.push(v1(new Date(Date.UTC(2026, 10, 11, 10, m)), 'gpu.utilization', { source: 'gpu-monitor', details: { gpu_index: 0, gpu_uuid: 'GPU-0', gpu_util_percent: m < 60 ? 0 : 80 } }))
  }
  writeFileSync(join(dir, 'gpu-utilization.jsonl'), text(samples))
  return { events: join(dir, 'events.jsonl'), gpu: join(dir, 'gpu-utilization.jsonl') }
}
const { events: file, gpu } = rotatedLog()
const report = (args, env = {}) => runCli(['report', '--file', file, '--gpu-file', gpu, ...args], { env: { TZ: 'Europe/Berlin', ...env } })

test('report --month 2026-11 --json: every figure, snake_case, from the rotated log', () => {
  const r = report(['--month', '2026-11', '--json'])
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stderr, '')
  const j = JSON.parse(r.stdout)
  assert.equal(j.month, '2026-11')
  assert.equal(j.from, '2026-11-01T00:00:00.000Z')
  assert.equal(j.to, '2026-12-01T00:00:00.000Z')
  assert.deepEqual(j.new_users, { count: 3, users: ['alice', 'bob', 'carol'] })
  assert.equal(j.containers_created.count, 15)
  assert.deepEqual(j.containers_created.by_container_type, [
    { container_type: 'jupyter', count: 6 }, { container_type: '(unknown)', count: 5 }, { container_type: 'vscode', count: 4 }])
  assert.equal(j.containers_created.top_users.length, 10)
  assert.deepEqual(j.containers_created.top_users.slice(0, 3), [{ user: 'u01', count: 3 }, { user: 'u02', count: 2 }, { user: 'u03', count: 1 }])
  assert.deepEqual(j.containers_exited, { count: 4, with_lifetime: 3, mean_lifetime_seconds: 7200, median_lifetime_seconds: 7200 })
  assert.deepEqual(j.gpu_rejected, { count: 9, top_users: [{ user: 'r1', count: 3 }, { user: 'r2', count: 2 }, { user: 'r3', count: 1 }, { user: 'r4', count: 1 }, { user: 'r5', count: 1 }] })
  assert.deepEqual(j.access_denied, { count: 3, top_users: [{ user: 'd1', count: 2 }, { user: 'd2', count: 1 }] })
  assert.deepEqual(j.idle_kills, { count: 2, top_users: [{ user: 'k1', count: 1 }, { user: 'k2', count: 1 }] })
  assert.deepEqual(j.runtime_kills, { count: 1, top_users: [{ user: 'k1', count: 1 }] })
  assert.deepEqual(j.oom_kills, { count: 2, top_users: [{ user: 'k3', count: 2 }] })
  assert.deepEqual(j.warnings, { count: 3, bare_metal: 2, by_type: [{ event_type: 'bare_metal.warning', count: 2 }, { event_type: 'monitor.disk_warning', count: 1 }] })
  // from the GPU accounting: alice 2 h (1 idle, 1 busy); bob's allocation from October counts its 2 November hours, unsampled
  assert.deepEqual(j.gpu_hours, {
    allocated_hours: 4, idle_hours: 1, busy_hours: 1, unknown_hours: 2, threshold: 5,
    by_user: [
      { user: 'alice', allocated_hours: 2, idle_hours: 1, busy_hours: 1, unknown_hours: 0 },
      { user: 'bob', allocated_hours: 2, idle_hours: 0, busy_hours: 0, unknown_hours: 2 }
    ]
  })
  assert.equal(j.events, 47, 'the report\'s types only (no gpu.allocate, gpu.release)')
})

test('October: the October generation only (the late rejection at 23:59:59.999999 is October\'s); the September damage stays unread', () => {
  const j = JSON.parse(report(['--month', '2026-10', '--json']).stdout)
  assert.deepEqual(j.new_users.users, ['octo'])
  assert.equal(j.gpu_rejected.count, 1)
  assert.equal(j.containers_exited.count, 0)
})

test('September: only its own events', () => {
  const r = report(['--month', '2026-09', '--json'])
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(JSON.parse(r.stdout).new_users.users, ['sept'])
})

test('Markdown for people: headings, tables, durations', () => {
  const r = report(['--month', '2026-11'])
  assert.equal(r.status, 0, r.stderr)
  const md = r.stdout
  assert.match(md, /^# DS01 monthly report: 2026-11\n/)
  assert.match(md, /## New users\n\n3 new users: alice, bob, carol\./)
  assert.match(md, /\| jupyter \| 6 \|/)
  assert.match(md, /\| u01 \| 3 \|/)
  assert.match(md, /4 exited; 3 of them discovered in the month too: mean lifetime 2 h 0 min, median 2 h 0 min\./)
  assert.match(md, /## GPU rejections\n\n9 rejected\./)
  assert.match(md, /\| out of memory \(resource\.oom_kill\) \| 2 \|/)
  assert.match(md, /3 warnings \(2 bare metal\)/)
  assert.match(md, /\| monitor\.disk\\_warning \| 1 \|/)
  assert.match(md, /## GPU-hours\n\n4\.0 GPU-hours allocated, 1\.0 of them idle/)
  assert.match(md, /\| alice \| 2\.0 \| 1\.0 \| 1\.0 \| 0\.0 \|/)
})

test('usage errors and an unreadable log', () => {
  for (const args of [[], ['--month', '2026-13'], ['--month', '2026-1'], ['--month', 'last'], ['--month', '2026-11', '--bogus']]) {
    const r = report(args)
    assert.equal(r.status, 2, args.join(' '))
    assert.match(r.stderr, /ds01-events report: /)
  }
  const missing = runCli(['report', '--month', '2026-11', '--file', join(scratch(), 'nope.jsonl')])
  assert.equal(missing.status, 1)
  assert.match(missing.stderr, /no such file/)
})
