// shell/ds01_events.sh: `log_event <event_type> [user] [source] [key=value ...]`,
// sourced by `set -euo pipefail` scripts, which it must never stop or fail.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, cpSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { CLI, WRAPPER, cleanEnv, scratch } from './helpers/cli.mjs'
import { readEvents } from './helpers/events.mjs'
import { IS_ROOT, OUTSIDER, REPO, ensureTestUsers, packageRootFor, runAs } from './helpers/system.mjs'

const HAS_SHELLCHECK = spawnSync('shellcheck', ['--version']).status === 0

/** Writes `body` as an executable bash script named `name` and runs it. */
function runScript (name, body, env = {}, dir = scratch()) {
  const path = join(dir, name)
  writeFileSync(path, `#!/usr/bin/env bash\nset -euo pipefail\nsource ${JSON.stringify(WRAPPER)}\n${body}\n`)
  chmodSync(path, 0o755)
  const r = spawnSync('bash', [path], { encoding: 'utf8', env: cleanEnv(env) })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

test('set -euo pipefail: a writable log, an unwritable one and no arguments -- the script runs to its end', () => {
  const dir = scratch()
  const good = join(dir, 'events.jsonl')
  writeFileSync(join(dir, 'plain-file'), '')
  const bad = join(dir, 'plain-file', 'events.jsonl')
  const r = runScript('deploy-step.sh', `
log_event container.start alice "" container=c1
echo "after good: $DS01_EVENTS_LAST_STATUS"
DS01_EVENTS_FILE=${JSON.stringify(bad)} log_event container.start alice "" container=c2
echo "after unwritable: $DS01_EVENTS_LAST_STATUS"
log_event
echo "after none: $DS01_EVENTS_LAST_STATUS"
log_event ""
log_event "Bad Type" alice
echo "after bad type: $DS01_EVENTS_LAST_STATUS"
echo END`, { DS01_EVENTS_FILE: good })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout, 'after good: 0\nafter unwritable: 1\nafter none: 2\nafter bad type: 1\nEND\n')
  assert.match(r.stderr, /ENOTDIR/, 'the failure is reported on stderr')
  assert.match(r.stderr, /log_event: missing event type/)
  assert.deepEqual(readEvents(good).map((e) => e.details.container), ['c1'])
})

test('source defaults to the calling script\'s file name; an empty user is omitted', () => {
  const file = join(scratch(), 'events.jsonl')
  const r = runScript('gpu-allocator.sh', `
log_event gpu.allocate alice "" container=c1 gpu=0:1 priority=50
log_event gpu.release "" "" container=c1 gpu=0
log_event gpu.release bob my-source container=c2`, { DS01_EVENTS_FILE: file })
  assert.equal(r.status, 0, r.stderr)
  const [a, b, c] = readEvents(file)
  assert.equal(a.user, 'alice')
  assert.equal(a.source, 'gpu-allocator.sh')
  assert.deepEqual(a.details, { container: 'c1', gpu: '0:1', priority: 50 })
  assert.equal(b.user, undefined)
  assert.deepEqual(Object.keys(b), ['timestamp', 'event_type', 'schema_version', 'source', 'details'])
  assert.equal(b.source, 'gpu-allocator.sh')
  assert.deepEqual(b.details, { container: 'c1', gpu: 0 })
  assert.equal(c.source, 'my-source')
})

test('source is the file that called log_event, also from a function of a sourced library', () => {
  const dir = scratch()
  const file = join(dir, 'events.jsonl')
  writeFileSync(join(dir, 'cleanup-lib.sh'), 'cleanup_one() { log_event admin.cleanup "$1" "" containers_removed=1; }\n')
  const r = runScript('cron-cleanup.sh', `source ${JSON.stringify(join(dir, 'cleanup-lib.sh'))}\ncleanup_one root\nlog_event admin.cleanup root`, { DS01_EVENTS_FILE: file }, dir)
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(readEvents(file).map((e) => e.source), ['cleanup-lib.sh', 'cron-cleanup.sh'])
})

test('no CLI to be found: returns 0, says so on stderr, status 127', () => {
  const r = runScript('no-cli.sh', 'log_event test.bash_wrapper "" "" result=x\necho "status $DS01_EVENTS_LAST_STATUS"', { DS01_EVENTS_CLI: '/nonexistent/ds01-events.js' })
  assert.equal(r.status, 0)
  assert.equal(r.stdout, 'status 127\n')
  assert.match(r.stderr, /CLI not found.*DS01_EVENTS_CLI/)
})

test('no node on PATH: returns 0', () => {
  const file = join(scratch(), 'events.jsonl')
  const r = runScript('no-node.sh', 'PATH=/nonexistent log_event test.bash_wrapper "" "" result=x\necho "status $DS01_EVENTS_LAST_STATUS"', { DS01_EVENTS_FILE: file })
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /^status [1-9][0-9]*\n$/)
  assert.equal(existsSync(file), false)
})

test('the CLI is found next to the wrapper (package layout) or through DS01_EVENTS_CLI; DS01_EVENTS_NODE runs it', () => {
  const dir = scratch()
  const file = join(dir, 'events.jsonl')
  // a copy of the wrapper outside the package: only DS01_EVENTS_CLI can find the CLI
  mkdirSync(join(dir, 'elsewhere'))
  cpSync(WRAPPER, join(dir, 'elsewhere', 'ds01_events.sh'))
  const script = join(dir, 'via-env.sh')
  writeFileSync(script, `set -euo pipefail\nsource ${JSON.stringify(join(dir, 'elsewhere', 'ds01_events.sh'))}\nlog_event test.bash_wrapper "" "" result=env\necho "$DS01_EVENTS_LAST_STATUS"\n`)
  // A PATH with only the tools the wrapper uses, so an installed ds01-events cannot be found.
  const bin = join(dir, 'bin')
  mkdirSync(bin)
  for (const tool of ['dirname', 'timeout']) symlinkSync(spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim(), join(bin, tool))
  symlinkSync(process.execPath, join(bin, 'node'))
  const bash = spawnSync('bash', ['-c', 'command -v bash'], { encoding: 'utf8' }).stdout.trim()
  let r = spawnSync(bash, [script], { encoding: 'utf8', env: cleanEnv({ DS01_EVENTS_FILE: file, PATH: bin }) })
  assert.equal(r.stdout, '127\n', 'not found without DS01_EVENTS_CLI')
  r = spawnSync(bash, [script], { encoding: 'utf8', env: cleanEnv({ DS01_EVENTS_FILE: file, PATH: bin, DS01_EVENTS_CLI: CLI, DS01_EVENTS_NODE: process.execPath }) })
  assert.equal(r.stdout, '0\n', r.stderr)
  assert.deepEqual(readEvents(file).map((e) => e.details.result), ['env'])
})

test('it does not eat the caller\'s stdin, and keeps the caller\'s stdout clean', () => {
  const file = join(scratch(), 'events.jsonl')
  const r = runScript('loop.sh', `
printf 'c1\\nc2\\nc3\\n' | while read -r name; do log_event container.stop "" "" container="$name"; done
captured="$(log_event test.bash_wrapper "" "" result=captured)"
echo "captured=[$captured]"`, { DS01_EVENTS_FILE: file })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout, 'captured=[]\n')
  assert.deepEqual(readEvents(file).map((e) => e.details.container ?? e.details.result), ['c1', 'c2', 'c3', 'captured'])
})

test('an ERR trap (set -E) is not triggered by a failed log', () => {
  const dir = scratch()
  writeFileSync(join(dir, 'plain-file'), '')
  const r = runScript('trap.sh', `set -E\ntrap 'echo TRAPPED' ERR\nlog_event test.bash_wrapper\necho END`, { DS01_EVENTS_FILE: join(dir, 'plain-file', 'x') })
  assert.equal(r.status, 0)
  assert.equal(r.stdout, 'END\n')
})

test('values with spaces, quotes and globs pass through as one argument each', () => {
  const file = join(scratch(), 'events.jsonl')
  const r = runScript('quoting.sh', `msg='two  words * "q" $HOME'\nlog_event health.fail "" "" check=disk "message=$msg" count=3`, { DS01_EVENTS_FILE: file })
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(readEvents(file)[0].details, { check: 'disk', message: 'two  words * "q" $HOME', count: 3 })
})

test('sourcing from sh (not bash) does not break the caller', () => {
  const r = spawnSync('sh', ['-c', `set -eu; . ${JSON.stringify(WRAPPER)}; echo END`], { encoding: 'utf8' })
  assert.equal(r.status, 0)
  assert.equal(r.stdout, 'END\n')
})

test('an unwritable log for a user outside docker: returns 0, one warning', { skip: IS_ROOT ? false : 'needs root' }, () => {
  ensureTestUsers()
  const dir = scratch()
  chmodSync(dir, 0o755) // the outsider can reach it but not write in it
  const root = packageRootFor(OUTSIDER)
  const script = join(dir, 'outsider.sh')
  writeFileSync(script, `set -euo pipefail\nsource ${JSON.stringify(join(root, 'shell', 'ds01_events.sh'))}\nlog_event test.bash_wrapper "" "" result=x\necho "END $DS01_EVENTS_LAST_STATUS"\n`)
  chmodSync(script, 0o755)
  const r = runAs(OUTSIDER, 'bash', [script], { env: cleanEnv({ DS01_EVENTS_FILE: join(dir, 'events.jsonl'), HOME: dir }) })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout, 'END 1\n')
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
  assert.match(r.stderr, /EACCES.*docker/)
})

test('passes shellcheck', { skip: HAS_SHELLCHECK ? false : 'shellcheck not installed (apt-get install shellcheck)' }, () => {
  const r = spawnSync('shellcheck', ['--severity=style', WRAPPER, join(REPO, 'deploy', 'cron.hourly', 'ds01-logrotate')], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stdout + r.stderr)
})

test('the wrapper lives next to bin/ (the layout it looks for)', () => {
  assert.ok(existsSync(join(dirname(WRAPPER), '..', 'bin', 'ds01-events.js')))
})

test('a closed stderr (exec 2>&-): the event is still logged, the script goes on', () => {
  const file = join(scratch(), 'events.jsonl')
  const r = runScript('closed-stderr.sh', `
exec 2>&-
log_event container.start alice "" container=c1
echo "status: $DS01_EVENTS_LAST_STATUS"
log_event
log_event "Bad Type"
echo END`, { DS01_EVENTS_FILE: file })
  assert.equal(r.status, 0)
  assert.equal(r.stdout, 'status: 0\nEND\n')
  const events = readEvents(file)
  assert.equal(events.length, 1)
  assert.equal(events[0].user, 'alice')
  assert.equal(events[0].source, 'closed-stderr.sh')
})

test('the positional user and source win: a later user=/source= is left out with a warning, never replaces them', () => {
  const file = join(scratch(), 'events.jsonl')
  const r = runScript('sudo-wrapper.sh', `
log_event auth.sudo_grant alice sudo-wrapper command=ls user=root
log_event auth.sudo_grant bob "" source=forged command=id
log_event auth.sudo_grant "" "" user=mallory`, { DS01_EVENTS_FILE: file })
  assert.equal(r.status, 0, r.stderr)
  const [a, b, c] = readEvents(file)
  assert.equal(a.user, 'alice')
  assert.equal(a.source, 'sudo-wrapper')
  assert.deepEqual(a.details, { command: 'ls' })
  assert.equal(b.user, 'bob')
  assert.equal(b.source, 'sudo-wrapper.sh', 'an empty source is still the script name')
  assert.deepEqual(b.details, { command: 'id' })
  assert.equal(c.user, undefined, 'an empty positional user stays empty')
  const warnings = r.stderr.trim().split('\n')
  assert.equal(warnings.length, 3, r.stderr)
  assert.match(warnings[0], /auth\.sudo_grant: argument user=root left out: user is the second argument/)
  assert.match(warnings[1], /argument source=forged left out: source is the third argument/)
  assert.match(warnings[2], /argument user=mallory left out/)
})
