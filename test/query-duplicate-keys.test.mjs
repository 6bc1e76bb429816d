// A key given twice in one line: the last one counts, everywhere (as
// JSON.parse and PostgreSQL's jsonb read it): the filters, the fast path that
// reads the envelope in place, the output, the summary and readEvents().
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { logFile, query } from './helpers/query.mjs'

const require = createRequire(import.meta.url)
const lib = require('../dist/index.js')

const TS = '2026-01-30T14:30:00.000000Z'
const LINES = [
  // user twice
  `{"timestamp":"${TS}","event_type":"gpu.allocate","schema_version":"1","user":"alice","source":"allocator","details":{"n":1},"user":"bob"}`,
  // source twice
  `{"timestamp":"${TS}","event_type":"gpu.allocate","schema_version":"1","user":"carol","source":"allocator","details":{"n":2},"source":"wrapper"}`,
  // user after the details only (not where the writers put it)
  `{"timestamp":"${TS}","event_type":"gpu.allocate","schema_version":"1","details":{"n":3},"user":"bob"}`,
  // event_type twice
  `{"timestamp":"${TS}","event_type":"gpu.allocate","schema_version":"1","user":"dave","details":{"n":4},"event_type":"container.stop"}`,
  // a detail twice
  `{"timestamp":"${TS}","event_type":"gpu.allocate","schema_version":"1","user":"erin","details":{"gpu":0,"gpu":1,"n":5}}`
]
const ns = (r) => r.stdout.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l).details.n)

test('the last of a repeated key is the one the filters see', () => {
  const path = logFile(LINES)
  assert.deepEqual(ns(query(path, ['--json', '--user', 'alice'])), [])
  assert.deepEqual(ns(query(path, ['--json', '--user', 'bob'])), [1, 3])
  assert.deepEqual(ns(query(path, ['--json', '--all', '--user', 'bob'])), [1, 3])
  assert.deepEqual(ns(query(path, ['--json', '--source', 'allocator'])), [1])
  assert.deepEqual(ns(query(path, ['--json', '--source', 'wrapper'])), [2])
  assert.deepEqual(ns(query(path, ['--json', '--type', 'container'])), [4])
  assert.deepEqual(ns(query(path, ['--json', '--type', 'gpu', '--user', 'dave'])), [])
  assert.deepEqual(ns(query(path, ['--json', '--where', 'gpu=1'])), [5])
  assert.deepEqual(ns(query(path, ['--json', '--where', 'gpu=0'])), [])
})

test('what is shown and counted is the last one too', async () => {
  const path = logFile(LINES)
  const human = query(path, ['--user', 'bob']).stdout
  assert.match(human, /gpu\.allocate +bob +allocator +n=1/)
  assert.doesNotMatch(human, /alice/)
  const summary = JSON.parse(query(path, ['--summary', '--json']).stdout)
  assert.deepEqual(summary.by_user, { bob: 2, carol: 1, dave: 1, erin: 1 })
  assert.deepEqual(summary.by_source, { allocator: 1, '(none)': 3, wrapper: 1 })
  assert.deepEqual(summary.by_type, { 'gpu.allocate': 4, 'container.stop': 1 })
  const users = []
  for await (const e of lib.readEvents({ path, onWarning: assert.fail })) users.push(e.user)
  assert.deepEqual(users, ['bob', 'carol', 'bob', 'dave', 'erin'])
})
