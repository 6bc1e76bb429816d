// What a person types that used to go wrong quietly: `--user alice` after the
// event type (logged without the user), `--user=alice` (a detail named
// "--user"), `-v` and `version`, `types TYPE`, and a field-mismatch warning
// that pointed at a source file the installed package does not have.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCli, scratch } from './helpers/cli.mjs'
import { readEvents } from './helpers/events.mjs'

const VERSION = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version

function log (...args) {
  const file = join(scratch(), 'events.jsonl')
  return { ...runCli(['log', '--file', file, ...args]), file }
}

const MISPLACED = [
  [['container.create', '--user', 'alice'], 'user=alice'],
  [['container.create', '--user=alice'], 'user=alice'],
  [['container.create', 'container=c1', '-u', 'alice'], 'u=alice'],
  [['container.create', '--user', 'alice smith'], "'user=alice smith'"],
  [['test.cli', 'result=ok', '--rm'], 'rm=VALUE'],
  [['test.cli', '-x=1'], 'x=1'],
  [['test.cli', '--stdin'], '--stdin goes before <event_type>']
]

for (const [args, rightForm] of MISPLACED) {
  test(`log ${args.join(' ')}: usage error (exit 2) that shows ${rightForm}, nothing logged`, () => {
    const r = log(...args)
    assert.equal(r.status, 2, r.stderr)
    assert.ok(r.stderr.includes(rightForm), r.stderr)
    assert.match(r.stderr, /^Usage:/m)
    assert.equal(existsSync(r.file), false, 'nothing was written')
  })
}

test('--file after the event type is still the option; user=alice is the envelope user', () => {
  const file = join(scratch(), 'events.jsonl')
  const r = runCli(['log', 'container.create', 'user=alice', '--file', file])
  assert.equal(r.status, 0, r.stderr)
  const [event] = readEvents(file)
  assert.equal(event.user, 'alice')
  assert.equal(event.details, undefined)
})

for (const spelling of ['-v', 'version', '--version', '-V']) {
  test(`ds01-events ${spelling} prints the version`, () => {
    const r = runCli([spelling])
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout, `ds01-events ${VERSION}\n`)
  })
}

test('types TYPE shows that type only', () => {
  const r = runCli(['types', 'gpu.allocate'])
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /^gpu\.allocate +GPUs were allocated/)
  assert.match(r.stdout, /priority \(number\)/)
  assert.doesNotMatch(r.stdout, /gpu\.release|container\.create/)
  const json = runCli(['types', '--json', 'gpu.allocate'])
  assert.equal(json.status, 0, json.stderr)
  assert.deepEqual(Object.keys(JSON.parse(json.stdout)), ['gpu.allocate'])
})

test('types with an unknown TYPE: exit 2, says it is not registered and whether it may be logged', () => {
  const unregistered = runCli(['types', 'gpu.nothing'])
  assert.equal(unregistered.status, 2)
  assert.equal(unregistered.stdout, '')
  assert.match(unregistered.stderr, /'gpu\.nothing' is not a registered event type; it may still be logged/)
  const badName = runCli(['types', 'Gpu'])
  assert.equal(badName.status, 2)
  assert.match(badName.stderr, /'Gpu' is not a registered event type, nor does it follow the naming rule/)
  assert.equal(runCli(['types', 'a.b', 'c.d']).status, 2)
})

test('the field-mismatch warning points at `ds01-events types TYPE`, not at a source file', () => {
  const r = log('gpu.allocate', 'priority=high')
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stderr, /details\.priority of gpu\.allocate should be .*ds01-events types gpu\.allocate/)
  assert.doesNotMatch(r.stderr, /src\/|\.ts\b/)
  const shown = runCli(['types', 'gpu.allocate'])
  assert.equal(shown.status, 0, 'the command the warning names works')
})
