// .ci/run runs on a fresh Debian machine: every tool npm test and
// npm run check:native call must come from its apt-get line, or CI passes only
// where someone installed it by hand.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO } from './helpers/system.mjs'

function aptPackages () {
  const script = readFileSync(join(REPO, '.ci', 'run'), 'utf8').replace(/\\\n/g, ' ')
  const packages = new Set()
  for (const m of script.matchAll(/apt-get install ([^\n]*)/g)) {
    for (const word of m[1].split(/\s+/)) if (/^[a-z0-9][a-z0-9.+-]+$/.test(word)) packages.add(word)
  }
  return packages
}

test('.ci/run installs what npm run check:native needs (cmake, g++, make, clang-tidy)', () => {
  const packages = aptPackages()
  for (const name of ['cmake', 'g++', 'make', 'clang-tidy']) assert.ok(packages.has(name), `.ci/run does not apt-get install ${name}`)
  assert.match(readFileSync(join(REPO, '.ci', 'run'), 'utf8'), /npm run check:native/)
})

test('.ci/run installs what the suite\'s own checks run (groff for the man page, shellcheck, logrotate)', () => {
  const packages = aptPackages()
  for (const name of ['groff-base', 'shellcheck', 'logrotate']) assert.ok(packages.has(name), `.ci/run does not apt-get install ${name}`)
})
