// query --db answers as query --file for the filters that become SQL: another
// spelling of a type, a negated type, --where repeated on one key (OR), !=
// and the number comparisons, and with -o, --values and --summary --by,
// against a real PostgreSQL (loopback, a temporary cluster) holding the same lines.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { postgresBin, startPostgres } from './helpers/fleet.mjs'
import { logFile, preV1, queryLines, v1 } from './helpers/query.mjs'
import { REPO } from './helpers/system.mjs'
import { CLI, cleanEnv } from './helpers/cli.mjs'

const require = createRequire(import.meta.url)
const missing = process.getuid?.() !== 0 ? 'needs root (the cluster runs as postgres)'
  : postgresBin() === undefined ? 'PostgreSQL server missing (apt-get install postgresql)'
    : spawnSync('id', ['-u', 'postgres']).status !== 0 ? 'no postgres user (apt-get install postgresql)' : false

export const LINES = [
  v1('2026-11-02T10:00:00.000000Z', 'gpu.allocate', { user: 'alice', source: 'allocator', details: { gpu: 0, priority: 50, container: 'a' } }),
  v1('2026-11-02T10:01:00.000000Z', 'gpu.allocated', { user: 'bob', source: 'old', details: { gpu: 1, priority: 10, container: 'b' } }),
  v1('2026-11-02T10:02:00.000000Z', 'gpu.reject', { user: 'carol', details: { reason: 'busy', priority: 5 } }),
  v1('2026-11-02T10:03:00.000000Z', 'gpu.rejected', { user: 'dave', details: { priority: '70' } }),
  v1('2026-11-02T10:04:00.000000Z', 'auth.access_denied', { user: 'erin', details: { resource: 'gpu' } }),
  v1('2026-11-02T10:05:00.000000Z', 'auth.denied', { user: 'frank', details: { resource: 'ssh' } }),
  preV1('2026-11-02T10:06:00', 'gpu.released', { user: 'alice', gpu: 0, priority: 2.5 }),
  v1('2026-11-02T10:07:00.000000Z', 'gpu.allocate', { user: 'gina', details: { gpu: '0:1', priority: 'high' } }),
  v1('2026-11-02T10:08:00.000000Z', 'gpu.utilization', { details: { gpu_index: 3, gpu_util_percent: 97.5 } }),
  v1('2026-11-02T10:09:00.000000Z', 'gpu.utilization', { details: { gpu_index: 1, gpu_util_percent: 3 } }),
  v1('2026-11-02T10:10:00.000000Z', 'gpu.utilization', { details: { gpu_index: 2, gpu_util_percent: null } })
]

export const FILTERS = [
  ['--type', 'gpu.allocate'],
  ['--type', 'gpu.allocated'],
  ['--type', 'auth.denied'],
  ['--type', '*.reject'],
  ['--type', 'auth.access*'],
  ['--not-type', 'gpu.utilization'],
  ['--type', '!gpu.utilization', '--type', '!auth.denied'],
  ['--type', 'gpu', '--not-type', 'gpu.allocated'],
  ['--where', 'gpu=0', '--where', 'gpu=1'],
  ['--where', 'gpu!=0'],
  ['--where', 'priority>10'],
  ['--where', 'priority>=10', '--where', 'priority<=50'],
  ['--where', 'priority<5'],
  ['--where', 'priority=5', '--where', 'priority=70'],
  ['--where', 'gpu_util_percent>90'],
  ['--where', 'gpu_util_percent<=3', '--type', 'gpu.utilization'],
  ['--where', 'resource!=gpu', '--type', 'auth.access_denied']
]

test('query --db and query --file give the same lines for each filter', { skip: missing, timeout: 120_000 }, async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'ds01-dbfilters-'))
  t.after(() => rmSync(root, { recursive: true, force: true }))
  chmodSync(root, 0o755) // the cluster's user must reach its folder
  const pg = await startPostgres(join(root, 'pg'))
  t.after(pg.stop)
  const { Client } = require('pg')
  const client = new Client({ connectionString: pg.url })
  await client.connect()
  try {
    await client.query(readFileSync(join(REPO, 'deploy', 'postgresql', 'ds01-events.sql'), 'utf8'))
    for (const line of LINES) await client.query("SELECT ds01_ingest('h1', 'ds01-events', $1)", [line])
  } finally {
    await client.end()
  }
  const file = logFile(LINES)
  for (const filter of FILTERS) {
    const fromFile = queryLines(file, filter)
    const r = spawnSync(process.execPath, [CLI, 'query', '--db', pg.url, '--all', '--json', ...filter], { encoding: 'utf8', env: cleanEnv() })
    assert.equal(r.status, 0, `${filter.join(' ')}: ${r.stderr}`)
    const fromDb = r.stdout === '' ? [] : r.stdout.slice(0, -1).split('\n')
    assert.deepEqual(fromDb, fromFile, filter.join(' '))
    assert.ok(fromFile.length > 0 && fromFile.length < LINES.length, `${filter.join(' ')} selects some: ${fromFile.length}`)
  }
  const summary = spawnSync(process.execPath, [CLI, 'query', '--db', pg.url, '--summary', '--json'], { encoding: 'utf8', env: cleanEnv() })
  assert.equal(summary.status, 0, summary.stderr)
  const byType = JSON.parse(summary.stdout).by_type
  assert.deepEqual(byType, { 'gpu.allocate': 3, 'gpu.utilization': 3, 'gpu.reject': 2, 'auth.access_denied': 2, 'gpu.release': 1 })
  // the output options over the database: the same as over the files
  for (const args of [['-o', 'user,gpu,priority', '--json', '--all'], ['--values', 'priority', '--json'], ['--values', 'event_type', '--json', '--type', 'gpu'],
    ['--summary', '--by', 'gpu', '--json', '--where', 'priority>=5'], ['-o', 'timestamp,event_type', '--json', '--not-type', 'gpu.utilization', '--limit', '3']]) {
    const db = spawnSync(process.execPath, [CLI, 'query', '--db', pg.url, ...args], { encoding: 'utf8', env: cleanEnv() })
    const files = spawnSync(process.execPath, [CLI, 'query', '--file', file, ...args], { encoding: 'utf8', env: cleanEnv() })
    assert.equal(db.status, 0, `${args.join(' ')}: ${db.stderr}`)
    assert.equal(db.stdout, files.stdout, args.join(' '))
    assert.notEqual(db.stdout, '')
  }
})
