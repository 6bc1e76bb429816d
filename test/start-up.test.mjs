// The bash path pays Node start-up per event: require('ds01-events') and
// logEvent() must not load zod (about 100 ms on its own). EVENT_TYPES[t].fields
// does not either; EVENT_TYPES[t].schema does.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { readV1, tempLog } from './helpers/v1-lines.mjs'

const index = JSON.stringify(path.join(new URL('..', import.meta.url).pathname, 'dist', 'index.js'))

function run (code, env = {}) {
  const r = spawnSync(process.execPath, ['-e', code], { env: { ...process.env, ...env }, encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  return JSON.parse(r.stdout)
}

const zodLoaded = "Object.keys(require.cache).some((f) => f.includes('/node_modules/zod/'))"

test('require + logEvent + EVENT_TYPES fields: zod is never loaded', () => {
  const file = tempLog()
  const out = run(`const m = require(${index})
    const ok = m.logEvent('test.cli', { result: 'ok' })
    const fields = m.EVENT_TYPES['gpu.utilization'].fields.power_w
    const log = m.createEventLog({ batch: true, strict: true })
    log.log('gpu.allocate', { priority: 'high' })
    log.close()
    process.stdout.write(JSON.stringify({ ok, fields, zod: ${zodLoaded} }))`, { DS01_EVENTS_FILE: file })
  assert.deepEqual(out, { ok: true, fields: ['number', 'null'], zod: false })
  assert.equal(readV1(file).length, 1)
})

test('EVENT_TYPES[type].schema loads zod on first access', () => {
  const out = run(`const m = require(${index})
    const before = ${zodLoaded}
    const ok = m.EVENT_TYPES['gpu.allocate'].schema.safeParse({ priority: 50 }).success
    process.stdout.write(JSON.stringify({ before, ok, after: ${zodLoaded} }))`)
  assert.deepEqual(out, { before: false, ok: true, after: true })
})
