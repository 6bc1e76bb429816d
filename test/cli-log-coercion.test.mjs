// `ds01-events log key=value ...`: values are strict JSON when they parse, else
// strings; user= and source= go to the envelope; bad arguments are skipped with a warning.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { runCli, scratch } from './helpers/cli.mjs'
import { fileLines, readEvents, TIMESTAMP } from './helpers/events.mjs'

function logOne (args) {
  const file = join(scratch(), 'events.jsonl')
  const r = runCli(['log', '--file', file, ...args])
  return { ...r, file, events: r.status === 0 ? readEvents(file) : [] }
}

const COERCIONS = [
  ['gpu=0', 'gpu', 0],
  ['gpu=0:1', 'gpu', '0:1'],
  ['ok=true', 'ok', true],
  ['ok=false', 'ok', false],
  ['x=NaN', 'x', 'NaN'],
  ['x=Infinity', 'x', 'Infinity'],
  ['x=-Infinity', 'x', '-Infinity'],
  ['x=null', 'x', null],
  ['n=-1.5', 'n', -1.5],
  ['n=1e3', 'n', 1000],
  ['n=1.0', 'n', 1],
  ['n= 7 ', 'n', 7],
  ['n=007', 'n', '007'],
  ['n=0x10', 'n', '0x10'],
  ['n=+1', 'n', '+1'],
  ['n=.5', 'n', '.5'],
  ['id=12345678901234567890', 'id', '12345678901234567890'],
  ['big=1e400', 'big', '1e400'],
  ['big=-1e400', 'big', '-1e400'],
  ['-x=1', '-x', 1],
  ['id=9007199254740991', 'id', 9007199254740991],
  ['id=-9007199254740993', 'id', '-9007199254740993'],
  ['s="quoted"', 's', 'quoted'],
  ["s='single'", 's', "'single'"],
  ['s=hello world', 's', 'hello world'],
  ['s=', 's', ''],
  ['s=a=b', 's', 'a=b'],
  ['s=True', 's', 'True'],
  ['s=None', 's', 'None'],
  ['arr=[1,"a",null]', 'arr', [1, 'a', null]],
  ['arr=[1,', 'arr', '[1,'],
  ['obj={"a":{"b":false}}', 'obj', { a: { b: false } }],
  ['obj={a:1}', 'obj', '{a:1}'],
  ['pids=[123,456]', 'pids', [123, 456]]
]

// One process for the whole table (each spawn costs Node's start-up); one test per row.
const table = logOne(['test.cli', ...COERCIONS.map(([arg, key], i) => `c${i}` + arg.slice(key.length))])

test('the coercion table was logged as one event, without warnings', () => {
  assert.equal(table.status, 0, table.stderr)
  assert.equal(table.stderr, '')
  assert.equal(table.events.length, 1)
  assert.equal(Object.keys(table.events[0].details).length, COERCIONS.length)
})

COERCIONS.forEach(([arg, , expected], i) => {
  test(`${arg} gives ${JSON.stringify(expected)}`, () => {
    assert.ok(Object.hasOwn(table.events[0]?.details ?? {}, `c${i}`), `c${i} logged`)
    assert.deepEqual(table.events[0].details[`c${i}`], expected)
  })
})

test('user= and source= go to the envelope, as strings, in the spec order', () => {
  const { status, events, file } = logOne(['container.create', 'user=alice', 'source=docker-wrapper', 'container=alice-jupyter', 'image=ds01/pytorch:latest'])
  assert.equal(status, 0)
  const [line] = fileLines(file)
  assert.match(line, /^\{"timestamp":"[^"]+","event_type":"container\.create","schema_version":"1","user":"alice","source":"docker-wrapper","details":\{"container":"alice-jupyter","image":"ds01\/pytorch:latest"\}\}$/)
  assert.match(events[0].timestamp, TIMESTAMP)
})

test('user and source that look like JSON stay strings', () => {
  const { status, events } = logOne(['test.cli', 'user=1001', 'source=true'])
  assert.equal(status, 0)
  assert.equal(events[0].user, '1001')
  assert.equal(events[0].source, 'true')
  assert.equal(events[0].details, undefined, 'no details key without details')
})

test('empty user= and source= are omitted', () => {
  const { status, events } = logOne(['test.cli', 'user=', 'source=', 'result=ok'])
  assert.equal(status, 0)
  assert.deepEqual(Object.keys(events[0]), ['timestamp', 'event_type', 'schema_version', 'details'])
})

test('arguments without "=" or with an empty key are warned about and skipped; the event is still logged', () => {
  const { status, stderr, events } = logOne(['test.cli', 'stray', '=value', 'result=ok', '='])
  assert.equal(status, 0)
  assert.deepEqual(events[0].details, { result: 'ok' })
  const warnings = stderr.trim().split('\n')
  assert.equal(warnings.length, 3, stderr)
  assert.match(warnings[0], /skipped argument "stray": it has no "="/)
  assert.match(warnings[1], /skipped argument "=value": its key is empty/)
  assert.match(warnings[2], /skipped argument "=": its key is empty/)
})

test('a key given twice keeps the last value, with a warning', () => {
  const { status, stderr, events } = logOne(['test.cli', 'a=1', 'a=2'])
  assert.equal(status, 0)
  assert.deepEqual(events[0].details, { a: 2 })
  assert.match(stderr, /key "a" given twice/)
})

test('__proto__ and constructor are plain detail keys', () => {
  const { status, events, file } = logOne(['test.cli', '__proto__={"polluted":1}', 'constructor=2'])
  assert.equal(status, 0)
  assert.match(fileLines(file)[0], /"details":\{"__proto__":\{"polluted":1\},"constructor":2\}/)
  assert.equal(events[0].details.constructor, 2)
  assert.equal({}.polluted, undefined)
})

test('a key that would be a Python keyword or has odd characters is kept as given', () => {
  const { status, events } = logOne(['test.cli', 'class=x', 'a.b=1', 'with space=2', 'ünï=3'])
  assert.equal(status, 0)
  assert.deepEqual(events[0].details, { class: 'x', 'a.b': 1, 'with space': 2, ünï: 3 })
})

test('after --, arguments that start with - are key=value arguments as given', () => {
  const file = join(scratch(), 'events.jsonl')
  const r = runCli(['log', '--file', file, '--', 'test.cli', 'result=ok', '--verbose=2', '-x=1'])
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(readEvents(file)[0].details, { result: 'ok', '--verbose': 2, '-x': 1 })
})
