// npm test's runner: the whole suite against the shipped prebuild alone
// (PREBUILDS_ONLY=1, so the binary that ships is the binary tested), then the
// shared writer suite and the batched-mode tests again with the JavaScript
// fallback (DS01_EVENTS_NATIVE=0).
// DS01_STRESS=1 makes the stress tests long. `node test/run.mjs FILE...` runs
// only those files (one pass), with the same check at the end.
//
// The suite must leave the machine as it found it: it runs with a temporary
// directory of its own (TMPDIR) and a tag in every user and group name the
// tests make (DS01_TEST_TAG, see test/helpers/system.mjs); anything left in
// either afterwards fails the run, and is then removed. Under CI (a fresh
// machine) a new untagged ds01-* user or group, or a change to the real
// docker group's members, fails it too.
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const tag = `t${process.pid}-`
const tmp = mkdtempSync('/tmp/ds01-suite-')
chmodSync(tmp, 0o1777) // like /tmp: the tests' other users make files here too

function testFiles (dir) {
  return readdirSync(join(root, dir), { recursive: true })
    .filter((f) => f.endsWith('.test.mjs'))
    .map((f) => relative(root, join(root, dir, f)))
    .sort()
}

const passes = []
// The node that runs this file runs the tests, and is the `node` they find on PATH
// (the CLI's shebang, the bash wrapper): `/opt/node24/bin/node test/run.mjs` tests Node 24.
const firstOnPath = (process.env.PATH ?? '').split(':').map((d) => join(d || '.', 'node')).find((f) => existsSync(f))
const nodePath = firstOnPath !== undefined && realpathSync(firstOnPath) === realpathSync(process.execPath)
  ? process.env.PATH
  : `${dirname(process.execPath)}:${process.env.PATH ?? ''}`
// The CLI's compile cache (Node >= 22, src/cli/compile-cache.ts) goes here, not into the real home;
// so does that of tools that turn Node's on in its default place, os.tmpdir() (tsc does).
const cacheHome = join(tmp, '.cache')
console.log(`node ${process.version} (${process.execPath}), N-API ${process.versions.napi}`)

function pass (title, files, env) {
  console.log(`\n## ${title}\n`)
  const notes = join(tmp, `.notes-${passes.length}.jsonl`)
  passes.push({ title, notes })
  const reporters = ['--test-reporter=tap', '--test-reporter-destination=stdout', `--test-reporter=${join(root, 'test', 'helpers', 'skip-reporter.mjs')}`, `--test-reporter-destination=${notes}`]
  const r = spawnSync(process.execPath, ['--test', ...reporters, ...files], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, PATH: nodePath, XDG_CACHE_HOME: cacheHome, NODE_COMPILE_CACHE: join(cacheHome, 'node'), TMPDIR: tmp, DS01_TEST_TAG: tag, ...env }
  })
  return r.status === 0
}

function entries (database) {
  const r = spawnSync('getent', [database], { encoding: 'utf8' })
  return (r.stdout ?? '').split('\n').filter(Boolean).map((line) => line.split(':'))
}

/** Names in the passwd or group database made by this run. */
function accountsLeft (database) {
  return entries(database).map(([name]) => name).filter((name) => name.startsWith(`ds01-${tag}`))
}

/**
 * What a test that ignored the helpers would leave: ds01-* users and groups
 * without a run tag, and members of the real docker group.
 */
function untaggedState () {
  const untagged = (database) => entries(database).map(([name]) => name).filter((name) => name.startsWith('ds01-') && !/^ds01-t\d+-/.test(name))
  const docker = entries('group').find(([name]) => name === 'docker')
  return { users: untagged('passwd'), groups: untagged('group'), dockerMembers: docker?.[3] ?? '' }
}
const untaggedBefore = untaggedState()

/**
 * After the TAP: what was skipped and why, grouped by reason, and what failed,
 * pass by pass, so that a run's last lines say what it did not test.
 */
function summary () {
  console.log('\n## summary')
  const totals = { pass: 0, fail: 0, skipped: 0, cancelled: 0 }
  for (const { title, notes } of passes) {
    let lines = []
    try {
      lines = readFileSync(notes, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line))
    } catch {
      // the pass died before its reporter wrote anything: its TAP says why
    }
    for (const l of lines) if (l.kind === 'total' && l.what in totals) totals[l.what] += l.count
    const skipped = lines.filter((l) => l.kind === 'skip' || l.kind === 'todo')
    const failed = lines.filter((l) => l.kind === 'fail')
    console.log(`\n${title}: ${skipped.length} skipped, ${failed.length} failed`)
    const byReason = new Map()
    for (const l of skipped) {
      const reason = `${l.kind === 'todo' ? 'todo: ' : ''}${l.reason || '(no reason given)'}`
      byReason.set(reason, [...(byReason.get(reason) ?? []), `${relative(root, l.file ?? '')}: ${l.name}`])
    }
    for (const [reason, tests] of byReason) {
      console.log(`  skipped (${tests.length}), ${reason}`)
      for (const name of tests) console.log(`    ${name}`)
    }
    for (const l of failed) console.log(`  FAILED ${relative(root, l.file ?? '')}: ${l.name}`)
  }
  console.log(`\ntotal: ${totals.pass} passed, ${totals.fail + totals.cancelled} failed, ${totals.skipped} skipped`)
}

/** True when the run left nothing behind; else says what, and removes it. */
function leftNothing () {
  for (const { notes } of passes) rmSync(notes, { force: true })
  rmSync(cacheHome, { recursive: true, force: true })
  const files = readdirSync(tmp)
  const users = accountsLeft('passwd')
  const groups = accountsLeft('group')
  rmSync(tmp, { recursive: true, force: true })
  for (const user of users) spawnSync('userdel', [user])
  for (const group of groups) spawnSync('groupdel', [group])
  const after = untaggedState()
  const appeared = [
    ...after.users.filter((n) => !untaggedBefore.users.includes(n)).map((n) => `user ${n}`),
    ...after.groups.filter((n) => !untaggedBefore.groups.includes(n)).map((n) => `group ${n}`),
    ...(after.dockerMembers !== untaggedBefore.dockerMembers ? [`the docker group's members: '${untaggedBefore.dockerMembers}' -> '${after.dockerMembers}'`] : [])
  ]
  if (appeared.length > 0) {
    // Not ours by name: on a shared machine another run may have made them, so only CI (a fresh machine) fails on it.
    console.log(`\n## ${process.env.CI ? 'the suite changed' : 'notice: during the run, something changed'} what tests must not touch (tests make users and groups only through test/helpers/system.mjs)\n`)
    for (const what of appeared) console.log(what)
  }
  const ours = files.length + users.length + groups.length
  if (ours > 0) {
    console.log('\n## the suite left things behind (now removed); the test that made them must remove them, even when it fails\n')
    if (files.length > 0) console.log(`temporary files and directories: ${files.join(' ')}`)
    if (users.length > 0) console.log(`users: ${users.join(' ')}`)
    if (groups.length > 0) console.log(`groups: ${groups.join(' ')}`)
  }
  return ours === 0 && (appeared.length === 0 || !process.env.CI)
}

const only = process.argv.slice(2)
const results = only.length > 0
  ? [pass(`${only.length} file(s), native writer from prebuilds/ only`, only, { PREBUILDS_ONLY: '1' })]
  : [
    pass('all tests, native writer from prebuilds/ only', testFiles('test'), { PREBUILDS_ONLY: '1' }),
    pass('writer suite and batched mode, JavaScript fallback', [
    ...testFiles('test/writer'),
    ...testFiles('test').filter((f) => /^test\/(batch-[^/]+|event-log|never-throw\.property)\.test\.mjs$/.test(f))
    ], { DS01_EVENTS_NATIVE: '0' })
  ]
summary()
results.push(leftNothing())
process.exit(results.every(Boolean) ? 0 : 1)
