// Too large: details shrink until the line fits in 4096 bytes, longest values
// first, byte-exact with multi-byte text and escapes, marked truncated with
// the original size; refused when even the bare envelope cannot fit.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { createEventLog } from '../dist/index.js'
import shrink from '../dist/event/shrink.js'
import { rawLines, readV1, tempLog, warningSink } from './helpers/v1-lines.mjs'

function logAll (calls) {
  const path = tempLog()
  const sink = warningSink()
  const log = createEventLog({ path, onWarning: sink.onWarning })
  const results = calls.map(([type, fields]) => log.log(type, fields))
  log.close()
  return { results, lines: rawLines(path), events: readV1(path), warnings: sink.messages, stats: log.stats() }
}

/** The size the line would have had, computed independently of the library. */
function fullSize (event, fields) {
  const { user, source, ...details } = fields
  const head = { timestamp: event.timestamp, event_type: event.event_type, schema_version: '1' }
  if (user) head.user = user
  if (source) head.source = source
  return Buffer.byteLength(JSON.stringify({ ...head, details })) + 1
}

test('ASCII: the longest value is cut, the short ones stay intact, the line is at most 4096 bytes', () => {
  const fields = { user: 'alice', message: 'x'.repeat(10000), note: 'y'.repeat(300), container: 'c1', n: 5 }
  const { results, lines, events, warnings, stats } = logAll([['health.fail', fields]])
  assert.deepEqual(results, [true])
  const d = events[0].details
  assert.equal(d.note, fields.note)
  assert.equal(d.container, 'c1')
  assert.equal(d.n, 5)
  assert.equal(d.truncated, true)
  assert.equal(d.original_size, fullSize(events[0], fields))
  assert.ok(d.message.startsWith('xxxx') && d.message.endsWith('\u2026'))
  const bytes = Buffer.byteLength(lines[0]) + 1
  assert.ok(bytes <= 4096 && bytes >= 4090, `${bytes} bytes: as much kept as fits`)
  assert.equal(stats.truncated, 1)
  assert.ok(warnings.some((w) => w.includes('over the 4096-byte line limit')))
})

test('multi-byte text and escapes are cut on character boundaries, byte-exact', () => {
  const pieces = ['é', '€', '\ud83d\ude00', '"', '\\', '\n', '\u0001', '\ud800', 'a']
  for (const piece of pieces) {
    const fields = { text: piece.repeat(5000), other: 'kept' }
    const { lines, events } = logAll([['test.big', fields]])
    assert.equal(lines.length, 1, piece)
    const bytes = Buffer.byteLength(lines[0]) + 1
    assert.ok(bytes <= 4096, `${JSON.stringify(piece)}: ${bytes}`)
    assert.ok(bytes > 4096 - 8, `${JSON.stringify(piece)}: only ${bytes} bytes used`)
    const text = events[0].details.text
    assert.ok(text.endsWith('\u2026'))
    assert.equal(text.slice(0, -1), piece.repeat(text.slice(0, -1).length / piece.length), 'whole characters only')
    assert.equal(events[0].details.other, 'kept')
  }
})

test('a line of exactly 4096 bytes is written untouched; one byte more is shrunk', () => {
  const probe = logAll([['test.edge', { pad: '' }]])
  const base = Buffer.byteLength(probe.lines[0]) + 1 // with an empty pad
  const exact = logAll([['test.edge', { pad: 'p'.repeat(4096 - base) }]])
  assert.equal(Buffer.byteLength(exact.lines[0]) + 1, 4096)
  assert.equal(exact.events[0].details.truncated, undefined)
  const over = logAll([['test.edge', { pad: 'p'.repeat(4097 - base) }]])
  assert.equal(over.events[0].details.truncated, true)
  assert.equal(over.events[0].details.original_size, 4097)
})

test('many fields: values are cut longest first, then whole fields dropped until it fits', () => {
  const fields = {}
  for (let i = 0; i < 400; i++) fields[`field_number_${i}`] = `value ${i} ` + 'z'.repeat(i % 7)
  const { events, lines } = logAll([['test.many', fields]])
  assert.ok(Buffer.byteLength(lines[0]) + 1 <= 4096)
  const d = events[0].details
  assert.equal(d.truncated, true)
  const kept = Object.keys(d).filter((k) => k.startsWith('field_number_'))
  assert.ok(kept.length > 50 && kept.length < 400, `${kept.length} fields kept`)
})

test('nested objects and arrays are cut as JSON text; existing truncated/original_size keys are replaced', () => {
  const fields = { list: Array.from({ length: 2000 }, (_, i) => i), truncated: 'mine', original_size: 'mine' }
  const { events } = logAll([['test.nested', fields]])
  const d = events[0].details
  assert.equal(typeof d.list, 'string')
  assert.ok(d.list.startsWith('[0,1,2,3,'))
  assert.equal(d.truncated, true)
  assert.equal(typeof d.original_size, 'number')
})

test('a user or source too long for any line is refused', () => {
  const { results, lines, stats, warnings } = logAll([
    ['test.cli', { user: 'u'.repeat(5000) }],
    ['test.cli', { source: 'é'.repeat(2100), result: 'ok' }]
  ])
  assert.deepEqual(results, [false, false])
  assert.equal(lines.length, 0)
  assert.equal(stats.refused, 2)
  assert.ok(warnings.some((w) => w.includes('even with its details cut down to the truncation marker')))
})

test('a long user still fits with details shrunk to almost nothing, marked truncated', () => {
  const { results, events } = logAll([['test.cli', { user: 'u'.repeat(3900), result: 'r'.repeat(500) }]])
  assert.deepEqual(results, [true])
  assert.equal(events[0].user.length, 3900)
  assert.equal(events[0].details.truncated, true)
  assert.ok(events[0].details.original_size > 4096)
})

test('where not even the truncation marker fits beside the envelope, the event is refused, not written unmarked', () => {
  const { results, lines, warnings } = logAll([['test.cli', { user: 'u'.repeat(3990), result: 'r'.repeat(500) }]])
  assert.deepEqual(results, [false])
  assert.equal(lines.length, 0)
  assert.ok(warnings.some((w) => w.includes('truncation marker')))
})

test('cutStringLiteral: a valid JSON string, a prefix of the original, within the byte budget', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.integer({ min: 5, max: 400 }), (s, max) => {
    const literal = JSON.stringify(s)
    const cut = shrink.cutStringLiteral(literal, max)
    assert.ok(Buffer.byteLength(cut) <= max)
    const back = JSON.parse(cut)
    assert.ok(back.endsWith('\u2026'))
    assert.ok(JSON.parse(literal).startsWith(back.slice(0, -1)))
  }), { numRuns: 2000 })
})
