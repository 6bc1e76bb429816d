// The man page (dist/man/ds01-events.1, built by npm run compile from the
// commands' own --help): groff reads it without a warning, it documents every
// command and option the CLI documents and every DS01_* variable the code
// reads, and the package ships it where npm installs man pages from.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { runCli } from './helpers/cli.mjs'
import { REPO } from './helpers/system.mjs'

const PAGE = join(REPO, 'dist', 'man', 'ds01-events.1')
const HAS_GROFF = spawnSync('groff', ['--version']).status === 0
const GROFF = { skip: HAS_GROFF || process.env.CI ? false : 'groff missing (apt-get install groff-base)' }

function rendered () {
  const r = spawnSync('groff', ['-man', '-Tutf8', '-ww', PAGE], { encoding: 'utf8', env: { ...process.env, GROFF_NO_SGR: '1' } })
  assert.equal(r.status, 0, r.stderr)
  // overstrike (bold: c BS c) and Unicode hyphens back to plain text
  const plain = [...r.stdout].filter((c, i, all) => c !== '\b' && all[i + 1] !== '\b').join('')
  return { text: plain.replace(/\u2010|\u2212/g, '-'), warnings: r.stderr }
}

test('groff renders the man page without a warning', GROFF, () => {
  assert.ok(existsSync(PAGE), 'npm run compile writes dist/man/ds01-events.1')
  const { text, warnings } = rendered()
  assert.equal(warnings, '', warnings)
  assert.match(text, /^NAME\n\s+ds01-events - /m)
  for (const heading of ['SYNOPSIS', 'DESCRIPTION', 'COMMANDS', 'ENVIRONMENT', 'FILES', 'EXIT STATUS', 'SEE ALSO']) assert.match(text, new RegExp(`^${heading}$`, 'm'))
})

test('every command and every option the CLI documents is in the man page', GROFF, () => {
  const { text } = rendered()
  const main = runCli(['--help']).stdout
  const commands = [...main.slice(main.indexOf('Commands:')).matchAll(/^ {2}([a-z][a-z0-9-]*) {2,}/gm)].map((m) => m[1])
  for (const command of commands) {
    assert.match(text, new RegExp(`^ {3}${command}$`, 'm'), `no section for ${command}`)
    for (const option of runCli([command, '--help']).stdout.matchAll(/(?<![\w-])--[a-z][a-z0-9-]*/g)) {
      assert.ok(text.includes(option[0]), `${command} ${option[0]} is not in the man page`)
    }
  }
})

test('every DS01_* variable that src/ or the bash wrapper reads is in ENVIRONMENT', GROFF, () => {
  const { text } = rendered()
  const environment = text.slice(text.indexOf('\nENVIRONMENT\n'), text.indexOf('\nFILES\n'))
  const read = new Set()
  const files = [...readdirSync(join(REPO, 'src'), { recursive: true }).filter((f) => f.endsWith('.ts')).map((f) => join(REPO, 'src', f)), join(REPO, 'shell', 'ds01_events.sh')]
  for (const file of files) {
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:process\.env\.|process\.env\[['"]|\$\{?)(DS01_[A-Z0-9_]+)/g)) read.add(m[1])
  }
  assert.ok(read.has('DS01_EVENTS_FILE') && read.size >= 5, [...read].join(' '))
  for (const name of read) assert.ok(environment.includes(name), `${name} is read but not in the man page's ENVIRONMENT`)
})

test('package.json ships it as the man page', () => {
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'))
  const man = [pkg.man].flat()
  assert.ok(man.includes('./dist/man/ds01-events.1'), JSON.stringify(pkg.man))
  assert.ok(pkg.files.some((f) => f === 'dist/' || f === 'dist'), 'dist/ is in the package')
  assert.ok(pkg.files.includes('LICENSE') || existsSync(join(REPO, 'LICENSE')), 'LICENSE ships (npm includes it always)')
})
