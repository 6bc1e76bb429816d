// A TypeScript project that installed the packed tarball compiles with a plain
// `tsc --strict file.ts` (no tsconfig: the compiler's defaults), with and
// without --skipLibCheck, under the repository's TypeScript (5.x) and the newest
// (the `typescript-next` devDependency), without @types/node. A wrong detail
// type is reported at the field, with the expected type.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const ROOT = new URL('../../', import.meta.url).pathname
// DS01_TSC_NEXT: another newest-TypeScript tsc, where node_modules predates the devDependency.
const COMPILERS = {
  repository: join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
  newest: process.env.DS01_TSC_NEXT ?? join(ROOT, 'node_modules', 'typescript-next', 'bin', 'tsc')
}

const GOOD = `import { logEvent, createEventLog, EVENT_TYPES, readEvents, type KnownEventFields, type ReadEventsOptions } from 'ds01-events'
logEvent('gpu.allocate', { user: 'alice', source: 'gpu-allocator', container: 'alice-jupyter', gpu: '0:1', priority: 50 })
logEvent('my_tool.did_thing', { anything: [1, 2] })
logEvent(String(process), { a: 1 })
const fields: KnownEventFields<'gpu.release'> = { gpu: 1, reason: 'done', extra: true }
logEvent('gpu.release', fields)
const log = createEventLog({ path: '/tmp/x', batch: { maxEvents: 10 } })
log.log('gpu.utilization', { gpu_index: 0, power_w: null })
const parsed = EVENT_TYPES['gpu.allocate'].schema.safeParse({ priority: 1 })
const priority: number | undefined = parsed.success ? parsed.data.priority : undefined
const ok: boolean = log.flush()
const query: ReadEventsOptions = { path: '/tmp/x', type: 'gpu.allocate' }
const events = readEvents(query)
void events.next().then((r) => r.done === true || r.value.event_type)
void [priority, ok]
declare const process: unknown
`

const WRONG_DETAIL = `import { logEvent } from 'ds01-events'
logEvent('gpu.allocate', { container: 'c', priority: 'high' })
`

let dir
let app

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ds01-types-'))
  const env = { ...process.env, npm_config_loglevel: 'error', npm_config_update_notifier: 'false' }
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', env }))
  app = join(dir, 'app')
  execFileSync('mkdir', [app])
  writeFileSync(join(app, 'package.json'), '{"name":"app","version":"1.0.0","private":true}')
  execFileSync('npm', ['install', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', join(dir, packed.filename)], { cwd: app, env, stdio: 'pipe' })
  writeFileSync(join(app, 'good.ts'), GOOD)
  writeFileSync(join(app, 'wrong-detail.ts'), WRONG_DETAIL)
})

after(() => rmSync(dir, { recursive: true, force: true }))

function tsc (compiler, ...args) {
  assert.ok(existsSync(COMPILERS[compiler]), `${COMPILERS[compiler]} is missing: run npm ci (devDependencies typescript and typescript-next)`)
  return spawnSync(process.execPath, [COMPILERS[compiler], '--noEmit', '--pretty', 'false', ...args], { cwd: app, encoding: 'utf8' })
}

for (const compiler of Object.keys(COMPILERS)) {
  for (const skipLibCheck of [false, true]) {
    const flags = ['--strict', ...(skipLibCheck ? ['--skipLibCheck'] : [])]
    test(`${compiler} TypeScript, tsc ${flags.join(' ')} good.ts: no errors`, { timeout: 120_000 }, () => {
      assert.ok(app, 'the tarball installed')
      const r = tsc(compiler, '--version')
      assert.equal(r.status, 0, r.stdout + r.stderr)
      const version = r.stdout.trim()
      assert.match(version, compiler === 'newest' ? /^Version ([6-9]|\d\d)\./ : /^Version 5\./)
      const c = tsc(compiler, ...flags, 'good.ts')
      assert.equal(c.status, 0, `${version}:\n${c.stdout}${c.stderr}`)
    })
  }

  test(`${compiler} TypeScript: a wrong detail type is reported at the field, with the expected type`, { timeout: 120_000 }, () => {
    const r = tsc(compiler, '--strict', 'wrong-detail.ts')
    assert.notEqual(r.status, 0)
    const errors = r.stdout.trim().split('\n')
    assert.equal(errors.length, 1, r.stdout)
    const [, line, column, message] = errors[0].match(/^wrong-detail\.ts\((\d+),(\d+)\): error TS\d+: (.*)$/) ?? []
    assert.ok(message, r.stdout)
    const pointedAt = readFileSync(join(app, 'wrong-detail.ts'), 'utf8').split('\n')[line - 1].slice(column - 1)
    assert.match(pointedAt, /^priority: 'high'/, 'the error points at the field')
    assert.match(message, /'string' is not assignable to type 'number'/)
    assert.doesNotMatch(message, /never|overload/i)
  })
}
