// --summary --by FIELD: the summary, and counts by a detail field's value
// (`(none)` for events without it); --by alone is a usage error.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { logFile, query, v1 } from './helpers/query.mjs'

const LINES = [
  v1('2026-11-02T10:00:00.000000Z', 'container.create', { user: 'alice', details: { container_type: 'jupyter', container: 'a' } }),
  v1('2026-11-02T10:01:00.000000Z', 'container.create', { user: 'bob', details: { container_type: 'vscode', container: 'b' } }),
  v1('2026-11-02T10:02:00.000000Z', 'container.create', { user: 'alice', details: { container_type: 'jupyter', container: 'c' } }),
  v1('2026-11-03T10:03:00.000000Z', 'container.create', { user: 'carol', details: { container: 'd' } }),
  v1('2026-11-03T10:04:00.000000Z', 'gpu.allocated', { user: 'carol', details: { gpu: 2 } })
]
const file = logFile(LINES)

test('--summary --by container_type --json: the summary and a by object', () => {
  const r = query(file, ['--summary', '--by', 'container_type', '--json', '--type', 'container.create'])
  assert.equal(r.status, 0, r.stderr)
  const j = JSON.parse(r.stdout)
  assert.equal(j.total, 4)
  assert.deepEqual(j.by_user, { alice: 2, bob: 1, carol: 1 })
  assert.deepEqual(j.by, { container_type: { jupyter: 2, vscode: 1, '(none)': 1 } })
})

test('--by twice; numbers as their JSON text; event_type folded; text output has a "By FIELD" table', () => {
  const j = JSON.parse(query(file, ['--summary', '--by', 'gpu', '--by', 'event_type', '--json']).stdout)
  assert.deepEqual(j.by, { gpu: { '(none)': 4, 2: 1 }, event_type: { 'container.create': 4, 'gpu.allocate': 1 } })
  const text = query(file, ['--summary', '--by', 'container_type'], { env: { NO_COLOR: '1' } }).stdout
  assert.match(text, /\nBy container_type\n {2}\(none\) +2\n {2}jupyter +2\n {2}vscode +1\n$/)
  assert.match(text, /^Events: 5\n/)
})

test('--by without --summary is a usage error that shows the command', () => {
  const r = query(file, ['--by', 'gpu'])
  assert.equal(r.status, 2)
  assert.match(r.stderr, /--by groups the summary: add --summary/)
})
