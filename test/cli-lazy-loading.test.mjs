// Every bash event pays the CLI's start-up: `log` must load the writer and the
// envelope code only -- no zod, no registry schemas, no other subcommand.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CLI, cleanEnv, scratch } from './helpers/cli.mjs'

const TRACE = new URL('./helpers/trace-requires.cjs', import.meta.url).pathname

function modulesLoaded (args, input = '') {
  const dir = scratch()
  const out = join(dir, 'modules.txt')
  const r = spawnSync(process.execPath, ['-r', TRACE, CLI, ...args], {
    encoding: 'utf8',
    input,
    env: cleanEnv({ TRACE_REQUIRES_OUT: out, DS01_EVENTS_FILE: join(dir, 'events.jsonl') })
  })
  assert.equal(r.status, 0, r.stderr)
  return readFileSync(out, 'utf8').trim().split('\n')
}

const NOT_ON_LOG = [/node_modules\/zod\//, /dist\/event\/schemas\.js$/, /dist\/event\/compile-schema\.js$/, /dist\/cli\/(help|types|setup|stdin|gpu-monitor|query)\.js$/, /dist\/gpu-monitor\//, /dist\/reader\//]

test('log loads no zod, no schema compiler, no other subcommand', () => {
  const files = modulesLoaded(['log', 'container.create', 'user=alice', 'gpu=0:1', 'priority=50'])
  assert.ok(files.some((f) => f.endsWith('dist/cli/log.js')), 'the trace works')
  for (const pattern of NOT_ON_LOG) {
    assert.deepEqual(files.filter((f) => pattern.test(f)), [], `${pattern} not loaded`)
  }
})

test('log --stdin loads its reader but still no zod', () => {
  const files = modulesLoaded(['log', '--stdin'], '{"event_type":"gpu.allocate","details":{"gpu":1}}\n')
  assert.ok(files.some((f) => f.endsWith('dist/cli/stdin.js')))
  assert.deepEqual(files.filter((f) => /node_modules\/zod\//.test(f)), [])
})

test('--version loads nothing of the library', () => {
  const files = modulesLoaded(['--version'])
  assert.deepEqual(files.filter((f) => /dist\/(?!cli\/(main|compile-cache)\.js)/.test(f)), [])
})

test('query loads the reader and still no zod (log loads no reader: NOT_ON_LOG)', () => {
  const log = join(scratch(), 'events.jsonl')
  writeFileSync(log, '')
  const files = modulesLoaded(['query', '--all', '--file', log])
  assert.ok(files.some((f) => f.endsWith('dist/reader/index.js')), 'the trace works')
  assert.deepEqual(files.filter((f) => /node_modules\/zod\//.test(f)), [])
})
