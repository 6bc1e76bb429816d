// Running the built CLI (bin/ds01-events.js) in a child process.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after } from 'node:test'
import { REPO } from './system.mjs'

export const CLI = join(REPO, 'bin', 'ds01-events.js')
export const WRAPPER = join(REPO, 'shell', 'ds01_events.sh')

/** The environment without any DS01_* setting of the machine running the tests. */
export function cleanEnv (extra = {}) {
  const env = {}
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('DS01_')) env[key] = value
  return { ...env, ...extra }
}

/** Runs `ds01-events args`; returns {status, stdout, stderr}. */
export function runCli (args, { env = {}, input, cli = CLI } = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: cleanEnv(env), input: input ?? '' })
  if (r.error) throw r.error
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** A fresh directory, removed after the file's tests. */
export function scratch (prefix = 'ds01-cli-') {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}
