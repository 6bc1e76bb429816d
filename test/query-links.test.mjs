// Links are refused, as the writers refuse them: a symbolic link or a hard
// link planted at a generation's name (events.jsonl.1 -> a root-only file)
// is not read, with a warning; the real generations still are.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { linkSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { scratch } from './helpers/cli.mjs'
import { query, v1 } from './helpers/query.mjs'

const T0 = Date.UTC(2026, 10, 1)
const lines = (from, n, user = 'alice') => Array.from({ length: n }, (_, i) => v1(new Date(T0 + (from + i) * 1000), 'container.start', { user, details: { seq: from + i } }) + '\n').join('')

function planted () {
  const dir = scratch('ds01-links-')
  const base = join(dir, 'events.jsonl')
  const secret = join(dir, 'secret.jsonl')
  writeFileSync(secret, lines(900, 2, 'SECRET'), { mode: 0o600 })
  const secretGz = join(dir, 'secret.gz')
  writeFileSync(secretGz, gzipSync(lines(950, 2, 'SECRET')), { mode: 0o600 })
  writeFileSync(base, lines(0, 3))
  return { dir, base, secret, secretGz }
}

for (const [kind, plant] of [
  ['a symbolic link as events.jsonl.1', ({ base, secret }) => symlinkSync(secret, `${base}.1`)],
  ['a hard link as events.jsonl.1', ({ base, secret }) => linkSync(secret, `${base}.1`)],
  ['a hard link as events.jsonl.2.gz', ({ base, secretGz }) => linkSync(secretGz, `${base}.2.gz`)],
  ['a symbolic link as events.jsonl-20261130.gz', ({ base, secretGz }) => symlinkSync(secretGz, `${base}-20261130.gz`)]
]) {
  test(`${kind}: not read, with a warning; the real log still is`, () => {
    const p = planted()
    plant(p)
    for (const args of [['--all', '--json'], ['--summary', '--json'], ['--all', '--json', '--since', new Date(T0 - 3_600_000).toISOString()]]) {
      const r = query(p.base, args)
      assert.equal(r.status, 0, r.stderr)
      assert.doesNotMatch(r.stdout, /SECRET/)
      assert.match(r.stderr, /(is a symbolic link|has 2 hard links): not read/)
    }
    assert.equal(query(p.base, ['--all', '--json']).stdout.trim().split('\n').length, 3)
  })
}

test('the current file as a symbolic link: not read, with a warning', () => {
  const p = planted()
  const link = join(p.dir, 'events2.jsonl')
  symlinkSync(p.secret, link)
  const r = query(link, ['--all', '--json'])
  assert.doesNotMatch(r.stdout, /SECRET/)
  assert.match(r.stderr, /is a symbolic link: not read/)
})
