// `log` of another spelling in the field writes the line as given (the line is
// the writer's) and says once per process which registered type it spells; a
// name one slip away from a registered type gets a "did you mean"; all of it
// without loading zod on the log path.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { CLI, cleanEnv, runCli, scratch } from './helpers/cli.mjs'
import { REPO } from './helpers/system.mjs'

const TRACE = new URL('./helpers/trace-requires.cjs', import.meta.url).pathname

function lines (file) {
  return readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
}

test('log gpu.allocated: the line keeps gpu.allocated, and the warning names gpu.allocate', () => {
  const file = join(scratch(), 'events.jsonl')
  const r = runCli(['log', 'gpu.allocated', 'user=alice', 'gpu=0', 'container=alice-x'], { env: { DS01_EVENTS_FILE: file } })
  assert.equal(r.status, 0, r.stderr)
  const [event] = lines(file)
  assert.equal(event.event_type, 'gpu.allocated')
  assert.deepEqual(event.details, { gpu: 0, container: 'alice-x' })
  assert.match(r.stderr, /"gpu\.allocated" is another spelling of gpu\.allocate/)
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
})

test('every alias of the table warns with its own registered name', () => {
  const file = join(scratch(), 'events.jsonl')
  for (const [alias, name] of [['gpu.released', 'gpu.release'], ['gpu.rejected', 'gpu.reject'], ['auth.denied', 'auth.access_denied']]) {
    const r = runCli(['log', alias, 'user=bob'], { env: { DS01_EVENTS_FILE: file } })
    assert.equal(r.status, 0, r.stderr)
    assert.ok(r.stderr.includes(`"${alias}" is another spelling of ${name}`), r.stderr)
  }
  assert.deepEqual(lines(file).map((e) => e.event_type), ['gpu.released', 'gpu.rejected', 'auth.denied'])
})

test('once per process per alias: log --stdin with many alias lines warns once for each alias', () => {
  const file = join(scratch(), 'events.jsonl')
  const input = [
    ...Array.from({ length: 5 }, () => '{"event_type":"gpu.allocated","user":"a","details":{"gpu":1}}'),
    ...Array.from({ length: 3 }, () => '{"event_type":"auth.denied","user":"a"}'),
    '{"event_type":"gpu.allocate","user":"a","details":{"gpu":1}}'
  ].join('\n') + '\n'
  const r = runCli(['log', '--stdin'], { env: { DS01_EVENTS_FILE: file }, input })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(lines(file).length, 9)
  assert.equal(r.stderr.match(/another spelling of gpu\.allocate/g)?.length, 1, r.stderr)
  assert.equal(r.stderr.match(/another spelling of auth\.access_denied/g)?.length, 1, r.stderr)
})

test('the library too: an alias logged twice through two logs of one process warns once, to onWarning', () => {
  const dir = scratch()
  const script = `
    const { createEventLog } = require(${JSON.stringify(join(REPO, 'dist', 'index.js'))})
    const heard = []
    for (const n of [1, 2]) {
      const log = createEventLog({ path: ${JSON.stringify(join(dir, 'e.jsonl'))}, onWarning: (m) => heard.push(m) })
      log.log('gpu.released', { user: 'u', gpu: n })
      log.close()
    }
    process.stdout.write(JSON.stringify(heard))`
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: cleanEnv() })
  assert.equal(r.status, 0, r.stderr)
  const heard = JSON.parse(r.stdout)
  assert.equal(heard.length, 1, r.stdout)
  assert.match(heard[0], /another spelling of gpu\.release/)
  assert.equal(lines(join(dir, 'e.jsonl')).length, 2)
})

test('an alias is checked as the type it spells: a wrong kind is named', () => {
  const file = join(scratch(), 'events.jsonl')
  const r = runCli(['log', 'gpu.allocated', 'user=a', 'priority=high'], { env: { DS01_EVENTS_FILE: file } })
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stderr, /details\.priority of gpu\.allocated should be number, not string/)
})

test('log container.crate: logged as given, with "did you mean container.create"', () => {
  const file = join(scratch(), 'events.jsonl')
  const r = runCli(['log', 'container.crate', 'user=alice'], { env: { DS01_EVENTS_FILE: file } })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(lines(file)[0].event_type, 'container.crate')
  assert.match(r.stderr, /"container\.crate" is not registered: did you mean container\.create\?/)
  for (const [typo, meant] of [['containr.create', 'container.create'], ['gpu.alocate', 'gpu.allocate'], ['maintenance.idle_kil', 'maintenance.idle_kill']]) {
    const t = runCli(['log', typo], { env: { DS01_EVENTS_FILE: file } })
    assert.equal(t.status, 0, t.stderr)
    assert.ok(t.stderr.includes(`did you mean ${meant}?`), `${typo}: ${t.stderr}`)
  }
})

test('a type of its own (not close to a registered one) and a registered type log without a word', () => {
  const file = join(scratch(), 'events.jsonl')
  for (const type of ['backup.finished', 'gpu.allocate_batch', 'gpu.allocate', 'test.thing']) {
    const r = runCli(['log', type, 'user=a'], { env: { DS01_EVENTS_FILE: file } })
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stderr, '', type)
  }
})

test('log of an alias and of a typo still loads no zod and no registry schemas', () => {
  const dir = scratch()
  for (const type of ['gpu.allocated', 'container.crate']) {
    const out = join(dir, `modules-${type}.txt`)
    const r = spawnSync(process.execPath, ['-r', TRACE, CLI, 'log', type, 'user=a'], {
      encoding: 'utf8', env: cleanEnv({ TRACE_REQUIRES_OUT: out, DS01_EVENTS_FILE: join(dir, 'events.jsonl') })
    })
    assert.equal(r.status, 0, r.stderr)
    const files = readFileSync(out, 'utf8').trim().split('\n')
    assert.ok(files.some((f) => f.endsWith('dist/cli/log.js')), 'the trace works')
    assert.deepEqual(files.filter((f) => /node_modules\/zod\/|dist\/event\/(schemas|compile-schema)\.js$|dist\/reader\//.test(f)), [], type)
  }
})
