// Exit status of every `ds01-events` outcome: 0 done, 1 not logged (reason and
// remedy on stderr), 2 usage error (the usage on stderr); --help and --version.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { REPO } from './helpers/system.mjs'
import { runCli, scratch } from './helpers/cli.mjs'
import { readEvents } from './helpers/events.mjs'

const VERSION = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version

test('0: logged, nothing on stdout or stderr', () => {
  const file = join(scratch(), 'events.jsonl')
  const r = runCli(['log', '--file', file, 'container.start', 'container=c1'])
  assert.deepEqual(r, { status: 0, stdout: '', stderr: '' })
  assert.equal(readEvents(file).length, 1)
})

test('DS01_EVENTS_FILE is used; --file overrides it', () => {
  const dir = scratch()
  const fromEnv = join(dir, 'env.jsonl')
  const fromFlag = join(dir, 'flag.jsonl')
  assert.equal(runCli(['log', 'test.cli', 'n=1'], { env: { DS01_EVENTS_FILE: fromEnv } }).status, 0)
  assert.equal(runCli(['log', '--file', fromFlag, 'test.cli', 'n=2'], { env: { DS01_EVENTS_FILE: fromEnv } }).status, 0)
  assert.deepEqual(readEvents(fromEnv).map((e) => e.details.n), [1])
  assert.deepEqual(readEvents(fromFlag).map((e) => e.details.n), [2])
})

test('--file=PATH and options after the event type work too', () => {
  const file = join(scratch(), 'events.jsonl')
  assert.equal(runCli(['log', `--file=${file}`, 'test.cli', 'n=1']).status, 0)
  assert.equal(runCli(['log', 'test.cli', 'n=2', '--file', file]).status, 0)
  assert.deepEqual(readEvents(file).map((e) => e.details.n), [1, 2])
})

test('1: an event type that breaks the naming rule is refused, with the rule on stderr', () => {
  const file = join(scratch(), 'events.jsonl')
  for (const type of ['Container.Create', 'nodot', 'a..b', `a.${'b'.repeat(200)}`]) {
    const r = runCli(['log', '--file', file, type, 'x=1'])
    assert.equal(r.status, 1, type)
    assert.match(r.stderr, /category\.action/, type)
  }
  assert.equal(existsSync(file), false, 'nothing written')
})

test('1: an unwritable path: the reason and what to do on stderr', () => {
  const dir = scratch()
  writeFileSync(join(dir, 'plain-file'), '')
  const r = runCli(['log', '--file', join(dir, 'plain-file', 'events.jsonl'), 'test.cli'])
  assert.equal(r.status, 1)
  assert.equal(r.stdout, '')
  assert.match(r.stderr, /ENOTDIR/)
  assert.match(r.stderr, /ds01-events(\.js)? setup/, 'says what to do')
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`)
})

test('1: a directory where the file should be', () => {
  const dir = scratch()
  const r = runCli(['log', '--file', dir, 'test.cli'])
  assert.equal(r.status, 1)
  assert.match(r.stderr, /regular file/)
})

const USAGE_ERRORS = [
  [['log'], /missing <event_type>/],
  [['log', '--file'], /--file/],
  [['log', '--file=', 'test.cli'], /--file needs a path/],
  [['log', '--bogus', 'test.cli'], /unknown option '--bogus'/],
  [['log', '--stdin', 'test.cli'], /--stdin takes no event arguments/],
  [['log', '--stdin=yes'], /--stdin/],
  [['frobnicate'], /unknown command 'frobnicate'/],
  [[], /missing command/],
  [['types', '--yaml'], /unknown option '--yaml'/],
  [['types', 'extra'], /'extra' is not a registered event type/],
  [['setup', '--dir'], /--dir/],
  [['setup', '--dir='], /--dir needs a value/],
  [['setup', 'now'], /unexpected argument 'now'/],
  [['setup', '--no-cron', '--cron-dir', '/tmp/x'], /contradict/]
]

for (const [args, message] of USAGE_ERRORS) {
  test(`2: ds01-events ${args.join(' ') || '(nothing)'}`, () => {
    const r = runCli(args)
    assert.equal(r.status, 2, r.stderr)
    assert.equal(r.stdout, '')
    assert.match(r.stderr, message)
    assert.match(r.stderr, /--help/, 'points to the help')
  })
}

test('--help, -h, help and `<command> --help` print usage on stdout, exit 0', () => {
  for (const args of [['--help'], ['-h'], ['help'], ['help', 'log']]) {
    const r = runCli(args)
    assert.equal(r.status, 0, args.join(' '))
    assert.match(r.stdout, /ds01-events log/)
    assert.equal(r.stderr, '')
  }
  for (const command of ['log', 'types', 'setup']) {
    const r = runCli([command, '--help'])
    assert.equal(r.status, 0, command)
    assert.match(r.stdout, new RegExp(`ds01-events ${command}`))
  }
})

test('--version and -V print the package version', () => {
  for (const flag of ['--version', '-V']) {
    const r = runCli([flag])
    assert.deepEqual(r, { status: 0, stdout: `ds01-events ${VERSION}\n`, stderr: '' })
  }
})

test('gpu-monitor is dispatched to the GPU agent (or says it is not available)', () => {
  const r = runCli(['gpu-monitor', '--help'])
  if (existsSync(join(REPO, 'dist', 'gpu-monitor', 'cli.js'))) {
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout + r.stderr, /gpu/i)
  } else {
    assert.equal(r.status, 1)
    assert.match(r.stderr, /not available/)
  }
})
