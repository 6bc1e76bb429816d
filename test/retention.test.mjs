// Retention: the shipped logrotate config keeps at least two whole months of
// events (at up to one rotation a day), so last month's report is complete on
// the first of a month. The real logrotate, with the shipped config, rotates
// one day of events at a time through 72 days; then the reader sees the two
// whole months before the current one.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { appendFileSync, chmodSync, chownSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CLI, cleanEnv } from './helpers/cli.mjs'
import { v1 } from './helpers/query.mjs'
import { GROUP, IS_ROOT, REPO, ensureTestUsers, makeLayout } from './helpers/system.mjs'

const SHIPPED = readFileSync(join(REPO, 'deploy', 'logrotate.d', 'ds01'), 'utf8')
const LOGROTATE = ['/usr/sbin/logrotate', '/sbin/logrotate', '/usr/bin/logrotate'].find((p) => existsSync(p))

test('the events block keeps at least 63 rotated files: 62 days (any two months) and the day rotation happened in', () => {
  const block = SHIPPED.split(/^(?=\/)/m).find((b) => b.startsWith('/var/log/ds01/events.jsonl {'))
  const rotate = Number(/^\s*rotate (\d+)$/m.exec(block)?.[1])
  assert.ok(rotate >= 63, `rotate ${rotate}`)
  assert.match(block, /^\s*daily$/m)
})

test('after daily rotations from 2026-08-20 to 2026-11-01, September and October are all there, read as one stream', {
  skip: !IS_ROOT ? 'needs root (logrotate su)' : !LOGROTATE ? 'needs logrotate (apt-get install logrotate)' : false,
  timeout: 180_000
}, () => {
  const { gid } = ensureTestUsers()
  const layout = makeLayout(gid)
  const config = join(layout.root, 'ds01.conf')
  writeFileSync(config, SHIPPED.split('/var/log/ds01/').join(`${layout.dir}/`).replace(/ root docker$/gm, ` root ${GROUP}`), { mode: 0o644 })
  writeFileSync(layout.events, '')
  chownSync(layout.events, 0, gid)
  chmodSync(layout.events, 0o660)
  const days = []
  for (let t = Date.UTC(2026, 7, 20); t <= Date.UTC(2026, 10, 1); t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10))
  for (const [i, day] of days.entries()) {
    appendFileSync(layout.events, v1(`${day}T10:00:00.000000Z`, 'user.added', { user: `u${day}`, source: 'retention-test', details: { group: 'docker' } }) + '\n')
    if (i === days.length - 1) break // the first of November stays in the current file
    // -f: one run per simulated day (the real clock does not move); the state file is the test's own
    const r = spawnSync(LOGROTATE, ['-f', '-s', join(layout.root, 'state'), config], { encoding: 'utf8' })
    assert.equal(r.status, 0, r.stderr)
  }
  const rotated = readdirSync(layout.dir).filter((n) => n.startsWith('events.jsonl.'))
  assert.ok(rotated.length >= 63, `${rotated.length} rotated files`)
  const r = spawnSync(process.execPath, [CLI, 'query', '--file', layout.events, '--all', '--json', '--since', '2026-09-01T00:00:00Z', '--until', '2026-10-31T23:59:59Z'], { encoding: 'utf8', env: cleanEnv() })
  assert.equal(r.status, 0, r.stderr)
  const seen = r.stdout.trim().split('\n').map((l) => JSON.parse(l).timestamp.slice(0, 10))
  assert.deepEqual(seen, days.filter((d) => d >= '2026-09-01' && d <= '2026-10-31'), 'every day of September and October, in order')
  assert.equal(seen.length, 61)
})
