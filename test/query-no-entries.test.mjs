// `-- No entries --` on stderr when nothing matched and stdout is a terminal
// (a real pseudo-terminal, through script(1)); nothing of the kind into a pipe.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { CLI, cleanEnv, scratch } from './helpers/cli.mjs'
import { logFile, query, v1 } from './helpers/query.mjs'

const file = logFile([v1('2026-11-02T10:00:00.000000Z', 'gpu.allocate', { user: 'alice', details: { gpu: 0 } })])
const SCRIPT = spawnSync('script', ['--version']).status === 0
const shellWord = (s) => `'${s.replace(/'/g, "'\\''")}'`

/** The query with stdout on a pseudo-terminal and stderr into a file: { tty (what the terminal got), stderr } */
function onTerminal (args) {
  const dir = scratch()
  const err = join(dir, 'stderr')
  const command = [process.execPath, CLI, 'query', '--file', file, ...args].map(shellWord).join(' ') + ` 2>${shellWord(err)}`
  const r = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', env: cleanEnv({ NO_COLOR: '1' }) })
  assert.equal(r.status, 0, r.stdout)
  return { tty: r.stdout, stderr: readFileSync(err, 'utf8') }
}

test('nothing matched, on a terminal: -- No entries -- on stderr, nothing on stdout', { skip: SCRIPT ? false : 'needs script (util-linux)' }, () => {
  for (const args of [['--user', 'nobody'], ['--user', 'nobody', '--all'], ['--user', 'nobody', '--json', '--all'], ['--type', 'health', '-o', 'user']]) {
    const r = onTerminal(args)
    assert.equal(r.stderr, '-- No entries --\n', args.join(' '))
    assert.equal(r.tty, '', args.join(' '))
  }
})

test('a match on a terminal: no such line; --summary never says it (it shows 0)', { skip: SCRIPT ? false : 'needs script (util-linux)' }, () => {
  for (const args of [[], ['--json', '--all'], ['--summary', '--user', 'nobody']]) {
    const r = onTerminal(args)
    assert.equal(r.stderr, '', args.join(' '))
    assert.notEqual(r.tty, '')
  }
})

test('nothing matched into a pipe: empty stdout and stderr, status 0', () => {
  const r = query(file, ['--user', 'nobody'])
  assert.equal(r.status, 0)
  assert.equal(r.stdout, '')
  assert.equal(r.stderr, '')
})
