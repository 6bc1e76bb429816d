// Shared by the writer suite, which runs twice: with the addon and, under
// DS01_EVENTS_NATIVE=0, with the JavaScript fallback.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after } from 'node:test'
import assert from 'node:assert/strict'
import { execFile, execFileSync } from 'node:child_process'
import writer from '../../dist/writer/index.js'
import native from '../../dist/writer/native.js'

export const EXPECT_NATIVE = process.env.DS01_EVENTS_NATIVE !== '0'
export const KIND = EXPECT_NATIVE ? 'native' : 'js'
export const IS_ROOT = process.getuid?.() === 0

/** openWriter, checked to be the kind (and the addon file) this run is testing: no silent fallback. */
export function open (path, options) {
  const w = writer.openWriter(path, options)
  assert.equal(w.native, EXPECT_NATIVE, `expected the ${KIND} writer`)
  if (EXPECT_NATIVE) checkAddonFile(native.nativeInfo().path)
  return w
}

function checkAddonFile (path) {
  if (process.env.DS01_EVENTS_ADDON) assert.equal(path, process.env.DS01_EVENTS_ADDON)
  else if (process.env.PREBUILDS_ONLY) assert.match(path, /\/prebuilds\/linux-x64\//)
}

/** A fresh directory, removed after the file's tests. */
export function scratch () {
  const dir = mkdtempSync(join(tmpdir(), `ds01-${KIND}-`))
  after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

export function lines (path) {
  const text = readFileSync(path, 'utf8')
  assert.ok(text === '' || text.endsWith('\n'), 'file ends with a newline')
  return text === '' ? [] : text.slice(0, -1).split('\n')
}

export const ROOT = new URL('../../', import.meta.url).pathname

/** Runs child.mjs with a job; returns its report. */
export function runChild (job, options = {}) {
  const out = execFileSync(process.execPath, [new URL('./child.mjs', import.meta.url).pathname, JSON.stringify(job)], {
    encoding: 'utf8',
    ...options
  })
  return JSON.parse(out)
}

/** The same, asynchronously (for several at once). */
export function runChildAsync (job, options = {}) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [new URL('./child.mjs', import.meta.url).pathname, JSON.stringify(job)], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
      ...options
    }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout))))
  })
}

/**
 * Waits (busy, on the monotonic clock) until the writers' periodic path check
 * is due again: a rename, delete or new link made before this call is seen by
 * the next append. Appends within PATH_CHECK_MS of the last check may still
 * go to the file the writer holds (see docs/design.md, "Follow rotation").
 */
export function waitPastPathCheck () {
  const until = performance.now() + (writer.PATH_CHECK_MS ?? 0) + 1
  while (performance.now() < until) { /* spin: no timer may run between the change and the append */ }
}
