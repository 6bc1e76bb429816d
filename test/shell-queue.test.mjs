// shell/ds01_events.sh queues events for one background helper per script
// (docs/cli.md): every event lands, in call order, with the time of its call,
// and the helper never holds the script up, keeps its descriptors, or
// outlives it; whatever happens to the script or the helper.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { WRAPPER, cleanEnv, scratch } from './helpers/cli.mjs'
import { readEvents } from './helpers/events.mjs'
import { helperPid, helperPids, helpersDone, runScript, spoolDir, waitFor } from './helpers/shell.mjs'

const details = (file, key) => (existsSync(file) ? readEvents(file).map((e) => e.details[key]) : [])
const range = (n) => Array.from({ length: n }, (_, i) => i + 1)

test('200 events in a loop land in call order, each stamped with the time of its call', () => {
  const file = join(scratch(), 'events.jsonl')
  const r = runScript('loop.sh', `
for i in $(seq 1 200); do
  before=$EPOCHREALTIME
  log_event gpu.utilization "" "" i="$i"
  echo "$before $EPOCHREALTIME"
done`, { DS01_EVENTS_FILE: file, TZ: 'Europe/Berlin' })
  assert.equal(r.status, 0, r.stderr)
  assert.ok(r.landed, 'the helper finished')
  const events = readEvents(file)
  assert.deepEqual(events.map((e) => e.details.i), range(200))
  const calls = r.stdout.trim().split('\n').map((line) => line.split(' ').map((t) => BigInt(t.replace(/\D/g, ''))))
  events.forEach((e, i) => {
    const [s, us] = e.timestamp.slice(0, -1).split('.')
    const at = BigInt(Date.parse(s + 'Z') / 1000) * 1000000n + BigInt(us)
    assert.ok(at >= calls[i][0] && at <= calls[i][1], `event ${i + 1} at ${e.timestamp}: between its call's start and end`)
  })
  assert.equal(existsSync(spoolDir(r.runtime)), false, 'the spool is removed')
})

test('subshells, $(...) and pipelines share the script\'s helper: one order, whichever logs first', () => {
  const file = join(scratch(), 'events.jsonl')
  const r = runScript('sub.sh', `
( log_event test.order "" "" n=1 )
log_event test.order "" "" n=2
x="$(log_event test.order "" "" n=3; echo three)"
log_event test.order "" "" n=4 | cat
printf '5\\n6\\n' | while read -r n; do log_event test.order "" "" n="$n"; done
( ( log_event test.order "" "" n=7 ) )
log_event test.order "" "" n=8
echo "$x"`, { DS01_EVENTS_FILE: file })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout, 'three\n')
  assert.ok(r.landed)
  assert.deepEqual(details(file, 'n'), range(8))
})

test('a $(...) capture and a | cat pipeline whose first event starts the helper do not wait for it', () => {
  const file = join(scratch(), 'events.jsonl')
  // were the helper to keep the capture's pipe (or the script's stdout), $(...) and the pipeline would wait for it,
  // and it waits for the script: a hang, ended by the timeout
  const r = runScript('capture.sh', `
x="$(log_event test.capture "" "" n=1 2>&1; echo captured)"
echo "x=$x"
sleep 0.5 # the helper is up by now
y="$( (log_event test.capture "" "" n=2; echo piped) | cat )"
echo "y=$y"`, { DS01_EVENTS_FILE: file }, { timeout: 20_000 })
  assert.equal(r.error?.code, undefined, 'the script ended on its own')
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout, 'x=captured\ny=piped\n')
  assert.ok(r.landed)
  assert.deepEqual(details(file, 'n'), [1, 2])
})

test('the helper holds none of the script\'s descriptors, runs in /, and is no job of the script (wait returns)', () => {
  const dir = scratch()
  const file = join(dir, 'events.jsonl')
  const r = runScript('fds.sh', `
exec 7>"${dir}/lock" 2>"${dir}/stderr" # a file: the helper may not keep it (a socket it would)
log_event test.fds "" "" n=1
while [[ ! -s "$_ds01_events_spool.pid" ]]; do sleep 0.05; done
pid=$(<"$_ds01_events_spool.pid")
while [[ ! -e /proc/$pid/fd/3 ]]; do sleep 0.05; done # node is up
sleep 0.3
wait # a job of the script's would hold this
for f in /proc/$$/fd/*; do echo "script $(readlink "$f")"; done
for f in /proc/$pid/fd/*; do echo "helper $(readlink "$f")"; done
echo "cwd $(readlink /proc/$pid/cwd)"`, { DS01_EVENTS_FILE: file }, { timeout: 30_000 })
  assert.equal(r.status, 0, r.stderr)
  const lines = r.stdout.trim().split('\n')
  const of = (who) => new Set(lines.filter((l) => l.startsWith(who + ' ')).map((l) => l.slice(who.length + 1)))
  const script = of('script')
  const helper = of('helper')
  assert.ok(script.has(join(dir, 'lock')), r.stdout)
  const shared = [...helper].filter((t) => script.has(t) && t !== '/dev/null')
  assert.deepEqual(shared, [], `the helper holds the script's ${shared.join(', ')}`)
  assert.ok(lines.includes('cwd /'), r.stdout)
  assert.ok(r.landed)
  assert.deepEqual(details(file, 'n'), [1])
})

test('set -euo pipefail: a helper killed with SIGKILL costs nothing; the next event starts another, which goes on where it stopped', () => {
  const file = join(scratch(), 'events.jsonl')
  const r = runScript('killed-helper.sh', `
for i in 1 2 3; do log_event test.killed "" "" n=$i; done
while [[ $(wc -l < "$DS01_EVENTS_FILE" 2>/dev/null || echo 0) -lt 3 ]]; do sleep 0.05; done
first=$(<"$_ds01_events_spool.pid")
kill -9 "$first"
while [[ -d /proc/$first ]]; do sleep 0.05; done
for i in 4 5 6; do log_event test.killed "" "" n=$i; done
echo "status $DS01_EVENTS_LAST_STATUS"
second=$(<"$_ds01_events_spool.pid")
[[ "$first" != "$second" ]] && echo restarted`, { DS01_EVENTS_FILE: file }, { timeout: 30_000 })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout, 'status 0\nrestarted\n')
  assert.ok(r.landed)
  assert.deepEqual(details(file, 'n'), range(6))
})

test('a stopped helper never blocks the script: 3000 events queue (more than a pipe holds), all land once it goes on', () => {
  const file = join(scratch(), 'events.jsonl')
  const r = runScript('stopped-helper.sh', `
log_event test.stopped "" "" n=1
while [[ ! -s "$DS01_EVENTS_FILE" ]]; do sleep 0.05; done
pid=$(<"$_ds01_events_spool.pid")
kill -STOP "$pid"
for ((i = 2; i <= 3000; i++)); do log_event test.stopped "" "" n=$i padding=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; done
echo queued
kill -CONT "$pid"`, { DS01_EVENTS_FILE: file }, { timeout: 120_000 })
  assert.equal(r.error?.code, undefined, 'the script ended on its own')
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout, 'queued\n')
  assert.ok(r.landed)
  assert.deepEqual(details(file, 'n'), range(3000))
})

test('a script killed with SIGKILL: every event it logged lands, the helper leaves and removes the spool', () => {
  const file = join(scratch(), 'events.jsonl')
  const r = runScript('killed.sh', `
for i in $(seq 1 50); do log_event test.sigkill "" "" n=$i; done
kill -9 $$`, { DS01_EVENTS_FILE: file })
  assert.equal(r.signal, 'SIGKILL')
  assert.ok(r.landed, 'the helper left')
  assert.deepEqual(details(file, 'n'), range(50))
})

test('a script that execs: its events land while the program it became runs; the helper leaves when that ends', async () => {
  const dir = scratch()
  const file = join(dir, 'events.jsonl')
  const runtime = scratch('ds01-runtime-')
  const path = join(dir, 'execs.sh')
  writeFileSync(path, `set -euo pipefail\nsource ${JSON.stringify(WRAPPER)}\nlog_event test.exec "" "" n=1\nlog_event test.exec "" "" n=2\nexec sleep 30\n`)
  const child = spawn('bash', [path], { env: cleanEnv({ DS01_EVENTS_FILE: file, XDG_RUNTIME_DIR: runtime }), stdio: 'ignore' })
  const exited = new Promise((resolve) => child.on('exit', resolve))
  try {
    assert.ok(waitFor(() => details(file, 'n').length === 2), 'both events landed')
    assert.equal(child.exitCode, null, 'while the exec\'d program still runs')
    assert.deepEqual(helperPids(runtime).length, 1)
  } finally {
    child.kill('SIGKILL')
    await exited
  }
  assert.ok(helpersDone(runtime), 'the helper left after the exec\'d program')
  assert.deepEqual(details(file, 'n'), [1, 2])
})

test('SIGPIPE: a stderr nobody reads any more does not kill the script, whether the wrapper or the helper writes to it', () => {
  const dir = scratch()
  const file = join(dir, 'events.jsonl')
  // stderr is a pipe whose reader has exited: a plain `printf >&2` in the shell would die of SIGPIPE
  const body = `
exec 2> >(exit 0)
sleep 0.3
log_event test.sigpipe alice "" n=1 user=mallory
log_event test.sigpipe "" "" n=2 no-equals-sign
log_event
echo "alive $DS01_EVENTS_LAST_STATUS"`
  const r = runScript('sigpipe.sh', body, { DS01_EVENTS_FILE: file })
  assert.equal(r.signal, null)
  assert.equal(r.status, 0)
  assert.equal(r.stdout, 'alive 2\n')
  assert.ok(r.landed)
  assert.deepEqual(details(file, 'n'), [1, 2])
})

test('the helper\'s warnings reach the script\'s stderr, whether it is a socket (kept), a pipe or a file (opened per report)', () => {
  const dir = scratch()
  for (const [how, redirect] of [['socket', ''], ['pipe', '2> >(cat >&2)'], ['file', `2>>${JSON.stringify(join(dir, 'stderr'))}`]]) {
    const file = join(dir, `${how}.jsonl`)
    const r = runScript(`warns-${how}.sh`, `
exec ${redirect}
log_event test.warn "" "" n=1 stray-word
while [[ ! -s "$DS01_EVENTS_FILE" ]]; do sleep 0.05; done # reported before it is written
sleep 0.1`, { DS01_EVENTS_FILE: file })
    assert.equal(r.status, 0)
    const stderr = how === 'file' ? readFileSync(join(dir, 'stderr'), 'utf8') : r.stderr
    assert.match(stderr, /log_event: skipped argument "stray-word"/, how)
    assert.deepEqual(details(file, 'n'), [1])
  }
})

test('DS01_EVENTS_SYNC=1: the event is on disk when log_event returns, and no helper is started', () => {
  const file = join(scratch(), 'events.jsonl')
  const r = runScript('sync.sh', `
log_event test.sync "" "" n=1
wc -l < "$DS01_EVENTS_FILE"
[[ -e "\${XDG_RUNTIME_DIR}/ds01-events-$EUID" ]] || echo no-spool`, { DS01_EVENTS_FILE: file, DS01_EVENTS_SYNC: '1' })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout, '1\nno-spool\n')
})

test('a relative DS01_EVENTS_FILE is the script\'s, not the helper\'s (which runs in /)', () => {
  const dir = scratch()
  const r = runScript('relative.sh', `cd "${dir}"\nlog_event test.relative "" "" n=1`, { DS01_EVENTS_FILE: 'rel.jsonl' })
  assert.equal(r.status, 0, r.stderr)
  assert.ok(r.landed)
  assert.deepEqual(details(join(dir, 'rel.jsonl'), 'n'), [1])
})

test('a spool directory that is a link, or not the user\'s, is not used: the events go the synchronous way', () => {
  const dir = scratch()
  const file = join(dir, 'events.jsonl')
  const runtime = scratch('ds01-runtime-')
  const elsewhere = scratch('ds01-elsewhere-')
  spawnSync('ln', ['-s', elsewhere, spoolDir(runtime)])
  const r = runScript('link.sh', 'log_event test.link "" "" n=1\nwc -l < "$DS01_EVENTS_FILE"', { DS01_EVENTS_FILE: file, XDG_RUNTIME_DIR: runtime }, { wait: false })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout, '1\n', 'written before log_event returned')
  assert.deepEqual(readdirSync(elsewhere), [])
  assert.equal(helperPid(runtime, 0), null)
})

test('an event over 4000 bytes is queued through a file of its own, in order with the others', () => {
  const file = join(scratch(), 'events.jsonl')
  const r = runScript('large.sh', `
log_event test.large "" "" n=1
log_event test.large "" "" n=2 "blob=$(head -c 5000 /dev/zero | tr '\\0' x)"
log_event test.large "" "" n=3`, { DS01_EVENTS_FILE: file })
  assert.equal(r.status, 0, r.stderr)
  assert.ok(r.landed)
  const events = readEvents(file)
  assert.deepEqual(events.map((e) => e.details.n), [1, 2, 3])
  assert.equal(events.find((e) => e.details.n === 2).details.truncated, true)
  assert.equal(readFileSync(file, 'utf8').split('\n').every((l) => Buffer.byteLength(l) <= 4096), true)
})

test('the call time becomes the timestamp: $EPOCHREALTIME with either decimal point, exact to the microsecond', async () => {
  const { epochTimestamp, atCallTime, timestamp } = await import('../dist/event/clock.js')
  assert.equal(epochTimestamp('1769783400.123456'), '2026-01-30T14:30:00.123456Z')
  assert.equal(epochTimestamp('1769783400,000001'), '2026-01-30T14:30:00.000001Z') // a locale's decimal comma
  for (const bad of ['', '1769783400', '1769783400.12345', 'x.123456', '1e9.123456', '99999999999999.000000']) assert.equal(epochTimestamp(bad), null, bad)
  assert.equal(atCallTime('2026-01-30T14:30:00.123456Z', () => timestamp()), '2026-01-30T14:30:00.123456Z')
  assert.notEqual(timestamp(), '2026-01-30T14:30:00.123456Z', 'and only inside atCallTime')
})
