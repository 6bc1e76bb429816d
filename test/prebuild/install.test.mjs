// A real `npm install` of the packed tarball (scripts allowed, as a user runs
// it): the package has no install-time script for npm to ask about (npm 11:
// "install scripts not yet covered by allowScripts"), nothing is compiled, and
// the prebuilt native writer loads. `engines` claims only the tested Node.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const ROOT = new URL('../../', import.meta.url).pathname
const INSTALL_TIME = ['preinstall', 'install', 'postinstall', 'prepare']

test('the manifest: no install-time script, no implicit node-gyp build, engines: the majors CI tests', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
  for (const name of INSTALL_TIME) assert.equal(pkg.scripts[name], undefined, `scripts.${name}`)
  // binding.gyp ships (for a build from source): without this npm would add `node-gyp rebuild`
  assert.equal(pkg.gypfile, false)
  assert.equal(pkg.engines.node, '^20 || ^22 || ^24') // .ci/run runs the suite on each
  assert.ok(['20', '22', '24'].includes(process.versions.node.split('.')[0]), `the tests run on what engines claims, not ${process.version}`)
})

test('npm install of the packed tarball: no install-scripts warning, nothing built, the prebuild loads', { timeout: 180_000 }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ds01-install-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const env = { ...process.env, npm_config_update_notifier: 'false', npm_config_loglevel: 'warn' }
  delete env.DS01_EVENTS_NATIVE
  delete env.PREBUILDS_ONLY
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', env }))
  const app = join(dir, 'app')
  execFileSync('mkdir', [app])
  writeFileSync(join(app, 'package.json'), '{"name":"app","version":"1.0.0","private":true}')
  const r = spawnSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir, packed.filename)], { cwd: app, env, encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  assert.doesNotMatch(r.stderr, /install.scripts|allowScripts/i, r.stderr)
  assert.equal(r.stderr.trim(), '', 'npm warned about nothing')
  const installed = join(app, 'node_modules', 'ds01-events')
  assert.equal(existsSync(join(installed, 'build')), false, 'nothing was compiled')
  const out = execFileSync(process.execPath, ['-e', "console.log(JSON.stringify(require('ds01-events').nativeInfo()))"], { cwd: app, encoding: 'utf8', env })
  assert.match(JSON.parse(out).path, /node_modules\/ds01-events\/prebuilds\/linux-x64\//)
})
