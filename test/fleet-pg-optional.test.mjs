// A consumer that only logs installs no PostgreSQL client: pg is an optional
// peer dependency, loaded only by the fleet's database commands, which say how
// to install it when it is missing.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { REPO } from './helpers/system.mjs'

const PG_TREE = /^(pg|pg-.*|pgpass|postgres-.*|split2|xtend)$/

test('package.json: pg is an optional peer, not a dependency; the lock\'s production tree holds nothing of it', () => {
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'))
  assert.equal(pkg.dependencies.pg, undefined)
  assert.ok(pkg.peerDependencies?.pg, 'pg is declared for those who use the fleet')
  assert.equal(pkg.peerDependenciesMeta?.pg?.optional, true)
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8'))
  const production = Object.entries(lock.packages).filter(([path, entry]) => path !== '' && entry.dev !== true).map(([path]) => path.split('node_modules/').pop())
  assert.deepEqual(production.filter((name) => PG_TREE.test(name)), [])
})

test('without pg installed: log works, query --db says how to install pg (exit 1)', () => {
  // an installed package as npm lays it out without the optional peer: its files, and its other dependencies
  const root = mkdtempSync(join(tmpdir(), 'ds01-no-pg-'))
  after(() => rmSync(root, { recursive: true, force: true }))
  const pkg = join(root, 'node_modules', 'ds01-events')
  mkdirSync(pkg, { recursive: true })
  for (const part of ['bin', 'dist', 'prebuilds', 'package.json']) cpSync(join(REPO, part), join(pkg, part), { recursive: true })
  for (const name of readdirSync(join(REPO, 'node_modules'))) {
    if (PG_TREE.test(name) || name === '.bin' || name === '@types') continue
    symlinkSync(join(REPO, 'node_modules', name), join(root, 'node_modules', name))
  }
  const cli = join(pkg, 'bin', 'ds01-events.js')
  const env = { ...process.env, DS01_EVENTS_DB: '', NODE_PATH: '' }
  const log = spawnSync(process.execPath, [cli, 'log', 'test.nopg', 'x=1'], { encoding: 'utf8', env: { ...env, DS01_EVENTS_FILE: join(root, 'events.jsonl') } })
  assert.equal(log.status, 0, log.stderr)
  assert.match(readFileSync(join(root, 'events.jsonl'), 'utf8'), /"event_type":"test\.nopg"/)
  const query = spawnSync(process.execPath, [cli, 'query', '--db', 'postgresql://u@127.0.0.1:1/x'], { encoding: 'utf8', env })
  assert.equal(query.status, 1, query.stderr)
  assert.match(query.stderr, /PostgreSQL client \(npm package pg\) is not installed.*npm install pg/)
})
