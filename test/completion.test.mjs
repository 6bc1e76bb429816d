// `ds01-events completion`: a bash completion script whose words are what the
// CLI documents: every command of `ds01-events --help`, every option each
// command's --help names, the registry's event types and their spellings, and
// a type's detail fields after `log TYPE`. Tried in a real bash.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCli, scratch } from './helpers/cli.mjs'
import { EVENT_TYPES, eventTypeAliases } from '../dist/index.js'

const dir = scratch('ds01-completion-')
const script = join(dir, 'ds01-events.bash')
const generated = runCli(['completion'])
writeFileSync(script, generated.stdout)

/** What bash completes for the words typed (the last one being completed). */
function complete (...words) {
  const line = ['ds01-events', ...words]
  const program = `source ${JSON.stringify(script)}
COMP_WORDS=(${line.map((w) => `'${w}'`).join(' ')})
COMP_CWORD=${line.length - 1}
_ds01_events
printf '%s\\n' "\${COMPREPLY[@]}"`
  const r = spawnSync('bash', ['-c', program], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stderr, '', `bash complained:\n${r.stderr}`)
  return r.stdout.split('\n').filter(Boolean)
}

function help (args) {
  const r = runCli(args)
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`)
  return r.stdout
}

function longOptions (text) {
  return [...new Set([...text.matchAll(/(?<![\w-])--[a-z][a-z0-9-]*/g)].map((m) => m[0]))]
}

test('completion prints a script that bash -n accepts, and shellcheck when it is there', () => {
  assert.equal(generated.status, 0, generated.stderr)
  assert.match(generated.stdout, /complete -F _ds01_events ds01-events/)
  assert.equal(spawnSync('bash', ['-n', script]).status, 0)
  if (spawnSync('shellcheck', ['--version']).status === 0) {
    const r = spawnSync('shellcheck', ['-s', 'bash', '-e', 'SC2207', script], { encoding: 'utf8' })
    assert.equal(r.status, 0, r.stdout)
  }
})

test('every command of --help is completed', () => {
  const commands = [...help(['--help']).slice(help(['--help']).indexOf('Commands:')).matchAll(/^ {2}([a-z][a-z0-9-]*) {2,}/gm)].map((m) => m[1])
  assert.ok(commands.length >= 6, commands.join(' '))
  const offered = complete('')
  for (const command of commands) assert.ok(offered.includes(command), `${command} not completed: ${offered.join(' ')}`)
  assert.deepEqual(complete('qu'), ['query'])
})

test('every option a command\'s --help names is completed after that command', () => {
  const commands = [...help(['--help']).slice(help(['--help']).indexOf('Commands:')).matchAll(/^ {2}([a-z][a-z0-9-]*) {2,}/gm)].map((m) => m[1])
  for (const command of commands) {
    const documented = longOptions(help([command, '--help']))
    const offered = complete(command, '--')
    for (const option of documented) assert.ok(offered.includes(option), `${command} ${option}: not completed`)
  }
  // setup's variants have their own help, and their options too
  const fleet = longOptions(help(['setup', '--forward', 'x', '--help']))
  const uninstall = longOptions(help(['setup', '--uninstall', '--help']))
  const offered = complete('setup', '--')
  for (const option of [...fleet, ...uninstall]) assert.ok(offered.includes(option), `setup ${option}: not completed`)
  assert.deepEqual(complete('query', '--lim'), ['--limit'])
})

test('event types and their spellings after log, types and --type; a type\'s fields after log TYPE', () => {
  const all = [...Object.keys(EVENT_TYPES), ...Object.keys(eventTypeAliases())].sort()
  assert.deepEqual(complete('log', '').sort(), all)
  assert.deepEqual(complete('types', 'gpu.al').sort(), ['gpu.allocate', 'gpu.allocated'])
  assert.deepEqual(complete('query', '--type', 'auth.').sort(), ['auth.access_denied', 'auth.denied', 'auth.sudo_grant'])
  assert.deepEqual(complete('log', 'gpu.allocate', 'co').sort(), ['container=', 'container_type='])
  assert.deepEqual(complete('log', 'gpu.allocated', 'pri'), ['priority='], 'a spelling gets its registered type\'s fields')
  assert.deepEqual(complete('log', '--file', '/tmp/x', 'container.create', 'ima'), ['image='])
})

test('completion --help says how to install it; an unknown shell is a usage error', () => {
  assert.match(help(['completion', '--help']), /bash-completion\/completions\/ds01-events/)
  const zsh = runCli(['completion', 'zsh'])
  assert.equal(zsh.status, 2)
  assert.match(zsh.stderr, /only bash/)
})

test('the word after an option that takes a value is that value, not a command: every such option of every help', () => {
  const commands = [...help(['--help']).slice(help(['--help']).indexOf('Commands:')).matchAll(/^ {2}([a-z][a-z0-9-]*) {2,}/gm)].map((m) => m[1])
  const texts = [help(['query', '--help']), ...commands.map((c) => help([c, '--help'])), help(['setup', '--forward', 'x', '--help']), help(['gpu', 'usage', '--help'])]
  const withValue = new Set()
  for (const text of texts) {
    for (const m of text.matchAll(/(?<![\w-])(--[a-z][a-z0-9-]*) (?:[A-Z][A-Z0-9_.:,=@/-]*|[a-z0-9.]+(?:\|[a-z0-9.]+)+|\d[\w.:-]*)(?=[\s,\])[]|$)/gm)) withValue.add(m[1])
  }
  for (const expected of ['--file', '--db', '--after-cursor', '--cursor-file', '--where', '--month', '--listen', '--nvidia-smi', '--window', '--by']) {
    assert.ok(withValue.has(expected), `${expected} is shown with a value in some help`)
  }
  // options alone mean query: after `--OPT VALUE` the query options are still offered
  for (const option of withValue) assert.deepEqual(complete(option, 'v', '--lim'), ['--limit'], `after ${option} VALUE`)
  assert.deepEqual(complete('-n', '5', '--lim'), ['--limit'])
  assert.deepEqual(complete('gpu', '--threshold', '5', 'us'), ['usage'])
})
