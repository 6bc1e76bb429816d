// The shipped prebuild must load on x64 Linux back to glibc 2.28 and GCC 8's
// libstdc++ (RHEL 8, Ubuntu 20.04): no symbol version newer than those.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'

const ROOT = new URL('../../', import.meta.url).pathname
const FLOORS = { GLIBC: '2.28', GLIBCXX: '3.4.25', CXXABI: '1.3.11' }

const newer = (a, b) => {
  const x = a.split('.').map(Number)
  const y = b.split('.').map(Number)
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0)
  }
  return false
}

/** Symbol versions a shared object needs, from its dynamic symbol table. */
export function versionNeeds (file) {
  const out = execFileSync('objdump', ['-T', file], { encoding: 'utf8' })
  const needs = []
  for (const m of out.matchAll(/\((GLIBC|GLIBCXX|CXXABI)_([0-9.]+)\)\s+(\S+)/g)) {
    needs.push({ lib: m[1], version: m[2], symbol: m[3] })
  }
  return needs
}

const prebuilds = readdirSync(join(ROOT, 'prebuilds/linux-x64')).filter((f) => f.endsWith('.node'))

test('a linux-x64 prebuild ships', () => {
  assert.equal(prebuilds.length, 1, prebuilds.join(', '))
})

for (const file of prebuilds) {
  test(`${file}: no GLIBC > ${FLOORS.GLIBC}, GLIBCXX > ${FLOORS.GLIBCXX}, CXXABI > ${FLOORS.CXXABI}`, () => {
    const needs = versionNeeds(join(ROOT, 'prebuilds/linux-x64', file))
    assert.ok(needs.some((n) => n.lib === 'GLIBC'), 'objdump found versioned glibc symbols')
    const tooNew = needs.filter((n) => newer(n.version, FLOORS[n.lib])).map((n) => `${n.symbol}@${n.lib}_${n.version}`)
    assert.deepEqual(tooNew, [])
  })
}

test('the floor check catches a newer symbol (it can fail)', () => {
  assert.equal(newer('2.33', FLOORS.GLIBC), true)
  assert.equal(newer('3.4.29', FLOORS.GLIBCXX), true)
  assert.equal(newer('2.28', FLOORS.GLIBC), false)
  assert.equal(newer('2.2.5', FLOORS.GLIBC), false)
})
