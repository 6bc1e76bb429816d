// `npm pack` ships the prebuild, and an install of the tarball that runs no
// scripts (so compiles nothing) loads the native writer, by require and import.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const ROOT = new URL('../../', import.meta.url).pathname

test('npm pack, install --ignore-scripts into an empty folder, load the native writer', { timeout: 180_000 }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ds01-pack-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const env = { ...process.env, npm_config_loglevel: 'error', npm_config_update_notifier: 'false' }
  delete env.DS01_EVENTS_NATIVE
  delete env.DS01_EVENTS_ADDON
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', env }))
  const files = packed.files.map((f) => f.path)
  assert.ok(files.some((f) => /^prebuilds\/linux-x64\/.+\.node$/.test(f)), 'the prebuild is in the tarball')
  assert.ok(files.includes('dist/index.js') && files.includes('esm/index.mjs'), 'compiled JavaScript is in the tarball')
  assert.ok(!files.some((f) => f.startsWith('test/') || f.startsWith('build/')), 'no tests or local builds shipped')
  assert.ok(files.includes('docs/format.md') && files.includes('README.md'), 'the README and the docs it links are in the tarball')

  const app = join(dir, 'app')
  execFileSync('mkdir', [app])
  writeFileSync(join(app, 'package.json'), '{"name":"app","version":"1.0.0","private":true}')
  execFileSync('npm', ['install', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', join(dir, packed.filename)], { cwd: app, env, stdio: 'pipe' })

  const cjs = execFileSync(process.execPath, ['-e', "const e = require('ds01-events'); console.log(JSON.stringify(e.nativeInfo()))"], { cwd: app, encoding: 'utf8', env })
  const info = JSON.parse(cjs)
  assert.ok(info !== null, 'the native writer loaded')
  assert.match(info.path, /node_modules\/ds01-events\/prebuilds\/linux-x64\//)
  const esm = execFileSync(process.execPath, ['--input-type=module', '-e', "import { nativeInfo } from 'ds01-events'; console.log(nativeInfo().path)"], { cwd: app, encoding: 'utf8', env })
  assert.equal(esm.trim(), info.path)
})
