// --where on one key given twice is an OR (docs/query.md: "a filter given
// twice is an OR"); different keys are an AND.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { logFile, queryLines, v1 } from './helpers/query.mjs'

const LINES = [
  v1('2026-11-02T10:00:00.000000Z', 'gpu.allocate', { user: 'alice', details: { gpu: 0, container: 'a' } }),
  v1('2026-11-02T10:01:00.000000Z', 'gpu.allocate', { user: 'bob', details: { gpu: 1, container: 'b' } }),
  v1('2026-11-02T10:02:00.000000Z', 'gpu.allocate', { user: 'carol', details: { gpu: 2, container: 'a' } }),
  v1('2026-11-02T10:03:00.000000Z', 'gpu.allocate', { user: 'dave', details: { gpu: '1', container: 'c' } }),
  v1('2026-11-02T10:04:00.000000Z', 'container.start', { user: 'erin', details: { container: 'a' } })
]
const file = logFile(LINES)
const idx = (args) => queryLines(file, args).map((l) => LINES.indexOf(l))

test('--where gpu=0 --where gpu=1: either', () => {
  assert.deepEqual(idx(['--where', 'gpu=0']), [0])
  assert.deepEqual(idx(['--where', 'gpu=1']), [1, 3])
  assert.deepEqual(idx(['--where', 'gpu=0', '--where', 'gpu=1']), [0, 1, 3])
})

test('strings too, and the anchored fast path does not drop the second value', () => {
  assert.deepEqual(idx(['--where', 'container=b', '--where', 'container=c']), [1, 3])
  assert.deepEqual(idx(['--where', 'container=a', '--where', 'container=zzz', '--user', 'carol']), [2])
})

test('different keys: AND; one key repeated next to another: (OR) AND', () => {
  assert.deepEqual(idx(['--where', 'gpu=0', '--where', 'container=b']), [])
  assert.deepEqual(idx(['--where', 'gpu=0', '--where', 'gpu=2', '--where', 'container=a']), [0, 2])
})

test('the library: where as a list, the same', async () => {
  const { readEvents } = await import('../dist/index.js').then((m) => m.default ?? m)
  const users = []
  for await (const e of readEvents({ path: file, where: ['gpu=0', 'gpu=2'] })) users.push(e.user)
  assert.deepEqual(users, ['alice', 'carol'])
  const others = []
  for await (const e of readEvents({ path: file, notType: 'gpu.allocated', where: ['container=a'] })) others.push(e.user)
  assert.deepEqual(others, ['erin'], 'notType (every spelling) and where from Node')
})
