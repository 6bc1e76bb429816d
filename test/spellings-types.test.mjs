// `types` shows the other spellings in the field, with the type each spells.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { runCli } from './helpers/cli.mjs'

const TABLE = { 'gpu.allocated': 'gpu.allocate', 'gpu.released': 'gpu.release', 'gpu.rejected': 'gpu.reject', 'auth.denied': 'auth.access_denied' }

test('types: each registered type lists its other spellings, and the table is at the end', () => {
  const r = runCli(['types'])
  assert.equal(r.status, 0, r.stderr)
  for (const [alias, name] of Object.entries(TABLE)) {
    const block = r.stdout.split('\n').slice(r.stdout.split('\n').findIndex((l) => l.startsWith(name + ' ')))
    assert.match(block.slice(1, 4).join('\n'), new RegExp(`also spelled: ${alias.replace('.', '\\.')}`), name)
    assert.match(r.stdout, new RegExp(`^  ${alias.replace('.', '\\.')} +-> ${name}$`, 'm'))
  }
})

test('types --json: every entry has its aliases (none for most)', () => {
  const json = JSON.parse(runCli(['types', '--json']).stdout)
  for (const [alias, name] of Object.entries(TABLE)) assert.deepEqual(json[name].aliases, [alias])
  assert.deepEqual(json['container.create'].aliases, [])
  assert.equal(Object.keys(json).some((t) => t in TABLE), false, 'an alias is not a type of its own')
})

test('types ALIAS shows the type it spells; a near miss gets "did you mean"', () => {
  const r = runCli(['types', 'auth.denied'])
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /^auth\.access_denied /)
  const typo = runCli(['types', 'container.crate'])
  assert.equal(typo.status, 2)
  assert.match(typo.stderr, /did you mean container\.create\?/)
})
