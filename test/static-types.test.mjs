// The compiler checks a known type's detail fields; an unknown type that
// follows the naming rule is accepted; a type known only at run time
// (string, unknown) is accepted and checked then. Each @ts-expect-error
// below must be an error, and nothing else may be.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { tempLog } from './helpers/v1-lines.mjs'

const root = new URL('..', import.meta.url).pathname

const source = (index) => `import { logEvent, createEventLog, EVENT_TYPES } from ${JSON.stringify(index)}
logEvent('gpu.allocate', { user: 'alice', source: 'gpu-allocator', container: 'alice-jupyter', gpu: '0:1', priority: 50 })
// @ts-expect-error priority is a number
logEvent('gpu.allocate', { priority: 'high' })
// @ts-expect-error user is a string
logEvent('container.create', { user: 5 })
logEvent('gpu.hold', { gpu: 1, duration: '5m', note: 'other detail keys are allowed' })
logEvent('my_tool.did_thing', { anything: [1, 2] })
// @ts-expect-error not category.action
logEvent('Bad.Type', {})
// @ts-expect-error not a string
logEvent(5, {})
const fromArgv: string = process.argv[2]
logEvent(fromArgv, { a: 1 })
const parsed: unknown = JSON.parse('{}')
logEvent(parsed, parsed)
const log = createEventLog({ path: '/tmp/x', batch: { maxEvents: 10 }, strict: true, onWarning: (m: string) => void m })
log.log('gpu.utilization', { gpu_index: 0, power_w: null, temperature_c: 61 })
// @ts-expect-error gpu_index is a number
log.log('gpu.utilization', { gpu_index: '0' })
log.log('verify.bash')
const ok: boolean = log.flush()
const written: number = log.stats().written + log.stats().queued
const d: string = EVENT_TYPES['gpu.release'].description
// @ts-expect-error not a registered type
void EVENT_TYPES['gpu.nothing']
// @ts-expect-error batch options are numbers
createEventLog({ batch: { maxEvents: '10' } })
void [ok, written, d]
`

test('known types are checked by the compiler, others by the naming rule or at run time', () => {
  const dir = path.dirname(tempLog())
  const file = path.join(dir, 'usage.ts')
  fs.writeFileSync(file, source(path.join(root, 'dist', 'index.js')))
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc')
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'node16', '--moduleResolution', 'node16',
    '--target', 'ES2022', '--types', 'node', '--typeRoots', path.join(root, 'node_modules', '@types'), '--skipLibCheck', file], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stdout + r.stderr)
})

// Editors offer the registered types for the first argument, and a known
// type's detail fields inside the second (the language service of the
// repository's TypeScript, over the compiled declarations).
test('completions: the registered types for the event type, their fields for the details', async () => {
  const { default: ts } = await import(path.join(root, 'node_modules', 'typescript', 'lib', 'typescript.js'))
  const dir = path.dirname(tempLog())
  const file = path.join(dir, 'complete.ts')
  const head = `import { logEvent, createEventLog } from ${JSON.stringify(path.join(root, 'dist', 'index.js'))}\n`
  function completionsAt (text) {
    const host = {
      getScriptFileNames: () => [file],
      getScriptVersion: () => '1',
      getScriptSnapshot: (f) => f === file ? ts.ScriptSnapshot.fromString(text) : ts.sys.fileExists(f) ? ts.ScriptSnapshot.fromString(ts.sys.readFile(f)) : undefined,
      getCurrentDirectory: () => dir,
      getCompilationSettings: () => ({ strict: true, noEmit: true, types: [] }),
      getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
      fileExists: ts.sys.fileExists,
      readFile: ts.sys.readFile,
      readDirectory: ts.sys.readDirectory,
      directoryExists: ts.sys.directoryExists,
      getDirectories: ts.sys.getDirectories
    }
    const service = ts.createLanguageService(host)
    return (service.getCompletionsAtPosition(file, text.length, {})?.entries ?? []).map((e) => e.name)
  }
  const types = completionsAt(head + "logEvent('gpu.")
  for (const name of ['gpu.allocate', 'gpu.release', 'container.create', 'verify.bash']) assert.ok(types.includes(name), `${name} offered: ${types.join(' ')}`)
  const viaLog = completionsAt(head + "createEventLog().log('")
  assert.ok(viaLog.includes('gpu.utilization'), viaLog.join(' '))
  const fields = completionsAt(head + "logEvent('gpu.allocate', { ")
  for (const name of ['priority', 'container', 'gpu', 'user', 'source']) assert.ok(fields.includes(name), `${name} offered: ${fields.join(' ')}`)
})
