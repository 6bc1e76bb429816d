// One prebuild for every Node CI tests (20, 22, 24): it is built for N-API 8,
// which is ABI-stable across Node majors. What it needs from the Node that
// loads it is the napi_* functions it imports; this Node must export each of
// them (static proof, objdump), and load it (the writer suite then runs on it
// under PREBUILDS_ONLY=1, see test/writer/helpers.mjs).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

const require = createRequire(import.meta.url)
const ROOT = new URL('../../', import.meta.url).pathname
const DIR = join(ROOT, 'prebuilds', 'linux-x64')
const HAS_OBJDUMP = spawnSync('objdump', ['--version']).status === 0

function napiSymbols (file, undefinedOnly) {
  const r = spawnSync('objdump', ['-T', file], { encoding: 'utf8', maxBuffer: 64 << 20 })
  assert.equal(r.status, 0, r.stderr)
  return new Set(r.stdout.split('\n').filter((l) => !undefinedOnly || /\*UND\*/.test(l)).map((l) => l.trim().split(/\s+/).pop()).filter((s) => /^napi_/.test(s)))
}

test('one prebuild, tagged for N-API (no Node ABI in its name), built for N-API 8, which this Node offers', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.node'))
  assert.deepEqual(files, ['ds01-events.glibc.node'], 'prebuildify --napi: one file for every Node')
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
  assert.deepEqual(pkg.binary.napi_versions, [8])
  assert.match(readFileSync(join(ROOT, 'binding.gyp'), 'utf8'), /NAPI_VERSION=8/)
  assert.ok(Number(process.versions.napi) >= 8, `Node ${process.version} offers N-API ${process.versions.napi}`)
  assert.equal(typeof require(join(DIR, files[0])).sourceHash, 'string', 'it loads here')
})

test('every napi_* function the prebuild imports is exported by this Node', { skip: HAS_OBJDUMP ? false : 'objdump not installed (apt-get install binutils)' }, () => {
  const needed = napiSymbols(join(DIR, 'ds01-events.glibc.node'), true)
  assert.ok(needed.size > 10, `imports ${needed.size} napi_* functions`)
  const offered = napiSymbols(process.execPath, false)
  const missing = [...needed].filter((s) => !offered.has(s))
  assert.deepEqual(missing, [], `Node ${process.version} lacks ${missing.join(', ')}`)
})
