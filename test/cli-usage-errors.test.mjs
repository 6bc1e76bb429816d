// A mistyped or odd command line gets a usage error a person can act on (exit 2,
// nothing done): the option as typed, "did you mean" for a near miss, the form
// that passes a value starting with '-', and --help honoured wherever it stands.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { runCli, scratch } from './helpers/cli.mjs'
import { didYouMean, editDistance } from '../dist/common/index.js'

const dir = scratch('ds01-usage-')
const file = join(dir, 'events.jsonl')

function usage (args, pattern, env = {}) {
  const r = runCli(args, { env: { DS01_EVENTS_FILE: file, ...env } })
  assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}\n${r.stderr}`)
  assert.match(r.stderr, pattern, args.join(' '))
  assert.doesNotMatch(r.stderr, /ambiguous|-XYZ|as in '--|\bat [\w.]+ \(/, `${args.join(' ')}: parseArgs's wording or a stack trace`)
  assert.equal(r.stdout, '')
  return r
}

test('a near miss of an option gets "did you mean", in every command', () => {
  usage(['query', '--lmit', '5'], /unknown option '--lmit' \(did you mean '--limit'\?\)/)
  usage(['query', '--sumary'], /did you mean '--summary'/)
  usage(['query', '--flolow'], /did you mean '--follow'/)
  usage(['setup', '--dri', '/x'], /unknown option '--dri' \(did you mean '--dir'\?\)/)
  usage(['setup', '--forward', 'h:1', '--rsyslog-dri', '/x'], /did you mean '--rsyslog-dir'/)
  usage(['setup', '--uninstall', '--purge-log'], /did you mean '--purge-logs'/)
  usage(['types', '--jsno'], /did you mean '--json'/)
  usage(['log', '--stdn'], /did you mean '--stdin'/)
  usage(['gpu-monitor', '--intervall', '5'], /did you mean '--interval'/)
  // nothing near: no guess
  const far = usage(['query', '--zzzzzz'], /unknown option '--zzzzzz'/)
  assert.doesNotMatch(far.stderr, /did you mean/)
})

test('a value that starts with "-" is explained, with the form that passes it', () => {
  usage(['query', '--limit', '-5'], /'--limit' needs a value, and '-5' looks like an option; to pass it as the value, write --limit=-5/)
  usage(['query', '--since', '-1h'], /write --since=-1h/)
  usage(['query', '--limit'], /'--limit' needs a value/)
  usage(['query', '--all=yes'], /'--all' takes no value/)
  // and with the value form, the option's own check speaks
  usage(['query', '--limit=-5'], /--limit "-5": expected a whole number/)
})

test('--help wherever it stands is help, even where a value was expected', () => {
  for (const args of [['setup', '--forward', '--help'], ['setup', '--central', '--db', '-h'], ['query', '--limit', '--help'], ['setup', '--dir', '--help'], ['log', '--file', '--help']]) {
    const r = runCli(args, { env: { DS01_EVENTS_FILE: file } })
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`)
    assert.match(r.stdout, /Usage:/, args.join(' '))
    assert.equal(r.stderr, '', args.join(' '))
  }
  assert.equal(existsSync(file), false, 'help logs nothing')
})

test('log --user alice TYPE: a balanced message that names key=value', () => {
  const r = usage(['log', '--user', 'alice', 'container.create'], /unknown option '--user'; details are key=value after <event_type> \(user=VALUE\)/)
  const quotes = (r.stderr.split('\n')[0].match(/'/g) ?? []).length
  assert.equal(quotes % 2, 0, `unbalanced quotes in: ${r.stderr.split('\n')[0]}`)
  usage(['log', 'container.create', '--user', 'alice'], /write user=alice/)
  assert.equal(existsSync(file), false, 'nothing logged')
})

test('unexpected arguments are named', () => {
  usage(['query', 'alice'], /unexpected argument 'alice'/)
  usage(['setup', 'now'], /unexpected argument 'now'/)
})

test('setup --central without --db is a usage error (2), before anything else', () => {
  usage(['setup', '--central'], /--central needs the database URL/, { DS01_EVENTS_DB: '' })
})

test('didYouMean: typos, transpositions and prefixes; nothing for strangers', () => {
  assert.equal(editDistance('container.crate', 'container.create'), 1)
  assert.equal(editDistance('gpu.allcoate', 'gpu.allocate'), 1)
  assert.equal(didYouMean('--lmit', ['--limit', '--all']), '--limit')
  assert.equal(didYouMean('--sum', ['--summary', '--since']), '--summary')
  assert.equal(didYouMean('--xyz', ['--limit', '--all']), undefined)
  assert.equal(didYouMean('--all', ['--all']), undefined)
})
