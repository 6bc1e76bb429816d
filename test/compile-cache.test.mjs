// The CLI's compile cache (src/cli/compile-cache.ts): on Node >= 22 in the
// user's own cache directory, never where someone else could plant code in it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, statSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { runCli, scratch } from './helpers/cli.mjs'
import { IS_ROOT, ensureTestUsers, userId, OUTSIDER } from './helpers/system.mjs'

const HAS_CACHE = Number(process.versions.node.split('.')[0]) >= 22
const cacheOf = (home) => join(home, '.cache', 'ds01-events', 'compile-cache')
const entries = (dir) => (existsSync(dir) ? readdirSync(dir) : [])

function version (env) {
  const r = runCli(['--version'], { env: { XDG_CACHE_HOME: '', NODE_COMPILE_CACHE: '', ...env } })
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /^ds01-events /)
}

test(`a home of the user's own: ${HAS_CACHE ? 'the cache is made there (0700) and filled' : 'Node 20 has no compile cache: nothing is made'}`, () => {
  const home = scratch('ds01-home-')
  version({ HOME: home })
  if (!HAS_CACHE) {
    assert.equal(existsSync(join(home, '.cache')), false)
    return
  }
  const [sub] = entries(cacheOf(home))
  assert.match(sub ?? '', new RegExp(`^v${process.versions.node}-`))
  assert.ok(entries(join(cacheOf(home), sub)).length > 0, 'compiled modules were written')
  assert.equal(statSync(join(home, '.cache')).mode & 0o777, 0o700)
})

test('no cache where others could write: a group-writable home, a symlinked cache, DS01_EVENTS_COMPILE_CACHE=0', () => {
  const open = scratch('ds01-home-')
  chmodSync(open, 0o777)
  version({ HOME: open })
  assert.deepEqual(entries(open), [], 'nothing made in a home others can write')

  const linked = scratch('ds01-home-')
  const elsewhere = scratch('ds01-elsewhere-')
  symlinkSync(elsewhere, join(linked, '.cache'))
  version({ HOME: linked })
  assert.deepEqual(entries(elsewhere), [], 'a symlinked .cache is not followed')

  const off = scratch('ds01-home-')
  version({ HOME: off, DS01_EVENTS_COMPILE_CACHE: '0' })
  assert.deepEqual(entries(off), [])
})

test('root with another user\'s HOME (sudo keeping HOME) writes no cache there', { skip: IS_ROOT ? false : 'needs root' }, () => {
  ensureTestUsers()
  const home = scratch('ds01-home-')
  mkdirSync(join(home, '.cache'), { mode: 0o700 })
  chownSync(home, userId(OUTSIDER), 0)
  chownSync(join(home, '.cache'), userId(OUTSIDER), 0)
  version({ HOME: home })
  assert.deepEqual(entries(join(home, '.cache')), [], 'root made nothing in the other user\'s cache')
})
