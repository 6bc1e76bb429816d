// shell/ds01_events.sh: `log_event <event_type> [user] [source] [key=value ...]`,
// sourced by `set -euo pipefail` scripts, which it must never stop or fail.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { CLI, WRAPPER, cleanEnv, scratch } from './helpers/cli.mjs'
import { readEvents } from './helpers/events.mjs'
import { runScript } from './helpers/shell.mjs'
import { GROUP, IS_ROOT, OUTSIDER, REPO, ensureTestUsers, packageRootFor, runAs } from './helpers/system.mjs'

const HAS_SHELLCHECK = spawnSync('shellcheck', ['--version']).status === 0

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
  const r = runScript('cron-cleanup.sh', `source ${JSON.stringify(join(dir, 'cleanup-lib.sh'))}\ncleanup_one root\nlog_event admin.cleanup root`, { DS01_EVENTS_FILE: file }, { dir })
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
  const { gid } = ensureTestUsers()
  const dir = scratch()
  // the deployed layout: the outsider can reach it but, outside the group, not write in it
  chownSync(dir, 0, gid)
  chmodSync(dir, 0o2775)
  const root = packageRootFor(OUTSIDER)
  const script = join(dir, 'outsider.sh')
  writeFileSync(script, `set -euo pipefail\nsource ${JSON.stringify(join(root, 'shell', 'ds01_events.sh'))}\nlog_event test.bash_wrapper "" "" result=x\necho "END $DS01_EVENTS_LAST_STATUS"\n`)
  chmodSync(script, 0o755)
  const r = runAs(OUTSIDER, 'bash', [script], { env: cleanEnv({ DS01_EVENTS_FILE: join(dir, 'events.jsonl'), HOME: dir }) })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout, 'END 1\n')
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
  assert.match(r.stderr, new RegExp(`EACCES.*join the ${GROUP} group`))
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

test('what the wrapper knows of the TypeScript layer matches it: the default log, the longest event type', async () => {
  const text = readFileSync(WRAPPER, 'utf8')
  const { DEFAULT_EVENTS_FILE } = await import('../dist/common/index.js')
  const registry = JSON.parse(readFileSync(join(REPO, 'dist', 'event', 'registry.compiled.json'), 'utf8'))
  assert.equal(text.match(/^_ds01_events_default_file=(.*)$/m)?.[1], DEFAULT_EVENTS_FILE)
  assert.equal(Number(text.match(/^_ds01_events_type_max=(\d+)$/m)?.[1]), registry.envelope.eventTypeMaxLength)
  // the glob form of the naming rule says what the registry's pattern says
  const pattern = new RegExp(registry.envelope.eventTypePattern)
  const samples = ['gpu.allocate', 'a.b', 'a1_.b2_', 'a.b.c', 'gpu', 'Gpu.x', 'gpu.', '.gpu', 'gpu..x', 'gpu.1x', 'gpu._x', '1a.b', '_a.b', 'a-b.c', 'a.b c', 'a.b\n', 'ä.b', 'a.bé', 'x'.repeat(120) + '.abcdefg', 'x'.repeat(121) + '.abcdefg']
  const script = `source ${JSON.stringify(WRAPPER)}\nfor t in "$@"; do if _ds01_events_type_ok "$t"; then echo 1; else echo 0; fi; done`
  for (const locale of ['C', 'C.UTF-8']) {
    const r = spawnSync('bash', ['-c', script, 'bash', ...samples], { encoding: 'utf8', env: { ...cleanEnv(), LC_ALL: locale } })
    assert.deepEqual(r.stdout.trim().split('\n'), samples.map((t) => (t.length <= registry.envelope.eventTypeMaxLength && pattern.test(t) ? '1' : '0')), locale)
  }
})
