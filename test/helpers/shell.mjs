// Running bash scripts that source shell/ds01_events.sh, and waiting for the
// helper that writes their queued events (see docs/cli.md).
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { WRAPPER, cleanEnv, scratch } from './cli.mjs'

/** The directory of a runtime dir where the wrapper keeps its user's spools. */
export function spoolDir (runtime) {
  return join(runtime, `ds01-events-${process.geteuid()}`)
}

/** Blocks the thread for `ms` (no timers: the callers are synchronous). */
export function pause (ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/**
 * Waits until `check()` is true, at most `ms` (a deadline for a condition,
 * not a timed assertion); returns its last value.
 */
export function waitFor (check, ms = 10_000) {
  const end = Date.now() + ms
  for (;;) {
    const value = check()
    if (value || Date.now() > end) return value
    pause(20)
  }
}

/** True once the helpers of `runtime`, any user's, have written everything and left (their spool files removed). */
export function helpersDone (runtime, ms = 10_000) {
  return waitFor(() => !existsSync(runtime) || !readdirSync(runtime).some((f) => f.startsWith('ds01-events-')), ms)
}

/** The pid of the helper of the script whose pid is `scriptPid`, or null. */
export function helperPid (runtime, scriptPid) {
  try {
    const text = readFileSync(join(spoolDir(runtime), `${scriptPid}.spool.pid`), 'utf8').trim()
    return text === '' ? null : Number(text)
  } catch {
    return null
  }
}

/** The pids of the helpers of `runtime` (from their .pid files). */
export function helperPids (runtime) {
  if (!existsSync(spoolDir(runtime))) return []
  return readdirSync(spoolDir(runtime)).filter((f) => f.endsWith('.spool.pid')).map((f) => helperPid(runtime, f.split('.')[0])).filter((p) => p !== null)
}

/**
 * Writes `body` as an executable `set -euo pipefail` bash script that sources
 * the wrapper, runs it with its own runtime dir (so its helper is its own),
 * and waits for the helper to finish. Returns {status, signal, stdout, stderr, runtime, dir, landed}.
 */
export function runScript (name, body, env = {}, { dir = scratch(), timeout = 60_000, wait = true } = {}) {
  const path = join(dir, name)
  writeFileSync(path, `#!/usr/bin/env bash\nset -euo pipefail\nsource ${JSON.stringify(WRAPPER)}\n${body}\n`)
  chmodSync(path, 0o755)
  const runtime = env.XDG_RUNTIME_DIR ?? scratch('ds01-runtime-')
  const r = spawnSync('bash', [path], { encoding: 'utf8', env: cleanEnv({ XDG_RUNTIME_DIR: runtime, ...env }), timeout })
  const landed = wait ? helpersDone(runtime) : undefined
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, error: r.error, runtime, dir, path, landed }
}
