// The fleet's database URL: read from a file (--db-file) or the environment
// (DS01_EVENTS_DB), never needed in argv, and masked in every form wherever it
// is printed (a URL's userinfo, even with an @ in the password; ?password=;
// a key=value conninfo), also by setup --central run as non-root.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import fc from 'fast-check'
import { REPO } from './helpers/system.mjs'

const require = createRequire(import.meta.url)
const { maskSecrets, resolveDbUrl } = require('../dist/fleet/index.js')
const CLI = join(REPO, 'bin', 'ds01-events.js')
const IS_ROOT = process.getuid?.() === 0

function scratch () {
  const dir = mkdtempSync(join(tmpdir(), 'ds01-db-url-'))
  chmodSync(dir, 0o755)
  after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

function cli (args, env = {}, options = {}) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, DS01_EVENTS_DB: '', ...env }, ...options })
}

test('every form of a password is masked', () => {
  const cases = [
    ['postgresql://ds01:hunter2@db.example.org:5432/ds01', 'postgresql://ds01:***@db.example.org:5432/ds01', 'hunter2'],
    ['postgresql://ds01:p@ss@127.0.0.1/ds01', 'postgresql://ds01:***@127.0.0.1/ds01', 'ss@'],
    ['postgresql://ds01@127.0.0.1/ds01?password=hunter2&sslmode=require', 'postgresql://ds01@127.0.0.1/ds01?password=***&sslmode=require', 'hunter2'],
    ['postgres://h/db?sslmode=require&PASSWORD=hunter2', 'postgres://h/db?sslmode=require&PASSWORD=***', 'hunter2'],
    ['host=127.0.0.1 user=ds01 password=hunter2 dbname=ds01', 'host=127.0.0.1 user=ds01 password=*** dbname=ds01', 'hunter2'],
    ["host=h password = 'hun ter2' dbname=d", 'host=h password = *** dbname=d', 'hun ter2'],
    ['the database postgresql://u:s3cret@h/db could not be queried', 'the database postgresql://u:***@h/db could not be queried', 's3cret']
  ]
  for (const [text, masked, secret] of cases) {
    assert.equal(maskSecrets(text), masked)
    assert.ok(!maskSecrets(text).includes(secret), text)
  }
  assert.equal(maskSecrets('postgresql://ds01@127.0.0.1/ds01'), 'postgresql://ds01@127.0.0.1/ds01', 'no password: unchanged')
})

test('property: a password never survives masking, in any of the three forms', () => {
  const secret = fc.string({ minLength: 1, maxLength: 16 }).filter((s) => !/[\s'"<>]/.test(s)).map((s) => `Q${s}`)
  fc.assert(fc.property(secret, (pw) => {
    const inUrl = encodeURIComponent(pw)
    for (const text of [`postgresql://u:${pw}@host/db`, `postgresql://u:${inUrl}@host/db`, `postgresql://u@host/db?password=${inUrl}`, `host=h password=${pw} dbname=d`]) {
      const out = maskSecrets(text)
      assert.ok(!out.includes(pw) && !out.includes(inUrl), `${text} -> ${out}`)
    }
  }), { numRuns: 300 })
})

test('the URL comes from --db-file (first line that is not a comment), --db, or DS01_EVENTS_DB, in that order', () => {
  const dir = scratch()
  const file = join(dir, 'db.url')
  writeFileSync(file, '# the fleet database\n\n  postgresql://ds01:pw@127.0.0.1/ds01  \n', { mode: 0o600 })
  assert.deepEqual(resolveDbUrl({ dbFile: file, db: 'postgresql://other' }, { DS01_EVENTS_DB: 'postgresql://env' }), { ok: true, url: 'postgresql://ds01:pw@127.0.0.1/ds01', from: file })
  assert.deepEqual(resolveDbUrl({ db: 'postgresql://argv' }, { DS01_EVENTS_DB: 'postgresql://env' }), { ok: true, url: 'postgresql://argv', from: '--db' })
  assert.deepEqual(resolveDbUrl({}, { DS01_EVENTS_DB: 'postgresql://env' }), { ok: true, url: 'postgresql://env', from: 'DS01_EVENTS_DB' })
  assert.equal(resolveDbUrl({}, {}), undefined)
  assert.equal(resolveDbUrl({ dbFile: join(dir, 'missing') }, {}).ok, false)
})

test('query --db-file and DS01_EVENTS_DB reach the database with nothing in argv; every message masks the password; --db with a password warns', () => {
  const dir = scratch()
  const file = join(dir, 'db.url')
  writeFileSync(file, 'postgresql://ds01:p@ss-hunter2@127.0.0.1:1/ds01\n', { mode: 0o600 })
  const fromFile = cli(['query', '--db-file', file])
  assert.equal(fromFile.status, 1, fromFile.stderr)
  assert.match(fromFile.stderr, /could not be queried/)
  assert.match(fromFile.stderr, /postgresql:\/\/ds01:\*\*\*@127\.0\.0\.1:1\/ds01/)
  assert.doesNotMatch(fromFile.stderr, /hunter2|ss-/)
  for (const url of ['postgresql://ds01@127.0.0.1:1/ds01?password=hunter2', 'host=127.0.0.1 port=1 user=ds01 password=hunter2 dbname=ds01']) {
    const fromEnv = cli(['query'], { DS01_EVENTS_DB: url })
    assert.equal(fromEnv.status, 1, fromEnv.stderr)
    assert.match(fromEnv.stderr, /could not be queried/)
    assert.doesNotMatch(fromEnv.stderr, /hunter2/)
  }
  const argv = cli(['query', '--db', 'postgresql://ds01:hunter2@127.0.0.1:1/ds01'])
  assert.equal(argv.status, 1)
  assert.match(argv.stderr, /visible to every local user.*DS01_EVENTS_DB.*--db-file/)
  assert.doesNotMatch(argv.stderr, /hunter2/)
  const empty = join(dir, 'empty.url')
  writeFileSync(empty, '# nothing\n')
  const none = cli(['query', '--db-file', empty])
  assert.equal(none.status, 2)
  assert.match(none.stderr, /holds no URL/)
})

test('setup --central as non-root names the fix without echoing the password', { skip: IS_ROOT ? false : 'needs root to run as another user' }, () => {
  const r = cli(['setup', '--central', '--db', 'postgresql://ds01:p@ss-hunter2@127.0.0.1:1/ds01', '--archive', '/nonexistent/archive'], {}, { uid: 65534, gid: 65534 })
  assert.equal(r.status, 1, r.stderr)
  assert.match(r.stderr, /must run as root/)
  assert.doesNotMatch(r.stdout + r.stderr, /hunter2|ss-/)
})

test('setup --central --db-file: a refused connection is reported with the password masked', { skip: IS_ROOT ? false : 'needs root' }, () => {
  const dir = scratch()
  const file = join(dir, 'db.url')
  writeFileSync(file, 'postgresql://ds01:hunter2@127.0.0.1:1/ds01\n', { mode: 0o600 })
  const r = cli(['setup', '--central', '--db-file', file, '--archive', join(dir, 'archive'), '--rsyslog-dir', join(dir, 'rsyslog.d')])
  assert.equal(r.status, 1, r.stderr)
  assert.match(r.stderr, /applying .* failed/)
  assert.doesNotMatch(r.stdout + r.stderr, /hunter2/)
})
