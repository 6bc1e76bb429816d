// Who may log, in the real layout (directory root:docker 2775): a non-root
// member of docker can; a user outside the group gets false / exit 1 and one
// warning that names the fix; a file a writer creates is 0660, group docker.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { chmodSync, chownSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cleanEnv } from './helpers/cli.mjs'
import { readEvents } from './helpers/events.mjs'
import { IS_ROOT, MEMBER, OUTSIDER, ensureTestUsers, makeLayout, packageRootFor, runAs } from './helpers/system.mjs'

const ROOT_ONLY = { skip: IS_ROOT ? false : 'needs root (creates users, runs as them)' }

/** Runs logEvent `times` times as `user` under umask 077; returns the results and stderr. */
function logAs (user, file, { times = 1, env = {} } = {}) {
  const pkg = packageRootFor(user)
  const code = `
    const { logEvent } = require(${JSON.stringify(join(pkg, 'dist', 'index.js'))})
    const results = []
    for (let i = 0; i < ${times}; i++) results.push(logEvent('test.selftest', { user: process.env.USER, source: 'permissions-test', result: 'ok', i }))
    process.stdout.write(JSON.stringify(results))`
  const r = runAs(user, 'sh', ['-c', 'umask 077 && exec "$0" -e "$1"', process.execPath, code], {
    env: cleanEnv({ DS01_EVENTS_FILE: file, HOME: '/tmp', USER: user, ...env })
  })
  return { status: r.status, results: r.status === 0 ? JSON.parse(r.stdout) : undefined, stderr: r.stderr }
}

function cliAs (user, file, args) {
  const pkg = packageRootFor(user)
  return runAs(user, process.execPath, [join(pkg, 'bin', 'ds01-events.js'), 'log', '--file', file, ...args], { env: cleanEnv({ HOME: '/tmp' }) })
}

for (const [kind, env] of [['native writer', {}], ['JavaScript fallback', { DS01_EVENTS_NATIVE: '0' }]]) {
  test(`${kind}: a non-root docker member creates the file (umask 077): 0660, group docker, and logs`, ROOT_ONLY, () => {
    const { gid, member } = ensureTestUsers()
    const layout = makeLayout(gid)
    const r = logAs(MEMBER, layout.events, { times: 2, env })
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual(r.results, [true, true])
    assert.equal(r.stderr, '')
    const st = statSync(layout.events)
    assert.equal(st.mode & 0o7777, 0o660, 'mode 0660 whatever the umask')
    assert.equal(st.gid, gid, 'group docker, from the setgid directory')
    assert.equal(st.uid, member)
    assert.deepEqual(readEvents(layout.events).map((e) => e.user), [MEMBER, MEMBER])
  })
}

test('a docker member appends to the root:docker 0660 file that setup made, through the CLI too', ROOT_ONLY, () => {
  const { gid } = ensureTestUsers()
  const layout = makeLayout(gid)
  writeFileSync(layout.events, '')
  chownSync(layout.events, 0, gid)
  chmodSync(layout.events, 0o660)
  assert.deepEqual(logAs(MEMBER, layout.events).results, [true])
  const r = cliAs(MEMBER, layout.events, ['test.cli', 'result=ok'])
  assert.equal(r.status, 0, r.stderr)
  assert.equal(readEvents(layout.events).length, 2)
  assert.equal(statSync(layout.events).uid, 0, 'still root:docker')
})

test('a user outside docker: false, and one warning that names the fix', ROOT_ONLY, () => {
  const { gid } = ensureTestUsers()
  const layout = makeLayout(gid)
  // both cases: the file missing (cannot create) and present (cannot open)
  for (const present of [false, true]) {
    if (present) {
      writeFileSync(layout.events, '')
      chownSync(layout.events, 0, gid)
      chmodSync(layout.events, 0o660)
    }
    const r = logAs(OUTSIDER, layout.events, { times: 5 })
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual(r.results, [false, false, false, false, false])
    const lines = r.stderr.trim().split('\n')
    assert.equal(lines.length, 1, `one warning for five failures:\n${r.stderr}`)
    assert.match(lines[0], /EACCES/)
    assert.match(lines[0], /usermod -aG docker/, 'names the fix')
  }
  assert.equal(statSync(layout.events).size, 0, 'nothing written')
})

test('a user outside docker, through the CLI: exit 1, one line that names the fix', ROOT_ONLY, () => {
  const { gid } = ensureTestUsers()
  const layout = makeLayout(gid)
  const r = cliAs(OUTSIDER, layout.events, ['test.cli', 'result=x'])
  assert.equal(r.status, 1)
  assert.equal(r.stdout, '')
  const lines = r.stderr.trim().split('\n')
  assert.equal(lines.length, 1, r.stderr)
  assert.match(lines[0], /EACCES.*usermod -aG docker/)
})
