// The prebuild is the binary that ships, so it must be built from the native
// sources beside it: run `npm run prebuild` after changing native/.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'

const require = createRequire(import.meta.url)
const ROOT = new URL('../../', import.meta.url).pathname
const { sourceHash } = require(join(ROOT, 'native/source-hash.js'))

test('the linux-x64 prebuild was built from the current native sources', () => {
  const [file] = readdirSync(join(ROOT, 'prebuilds/linux-x64')).filter((f) => f.endsWith('.node'))
  const binding = require(join(ROOT, 'prebuilds/linux-x64', file))
  assert.equal(binding.sourceHash, sourceHash(), 'stale prebuild: run npm run prebuild and commit prebuilds/')
})
