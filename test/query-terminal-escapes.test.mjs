// Bidi and other format characters (U+202E RIGHT-TO-LEFT OVERRIDE, isolates,
// zero-width ones, U+FEFF) in the log's text are shown escaped in the human
// output, never sent to the terminal as they are: they could make a line read
// as something else.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { logFile, query, v1 } from './helpers/query.mjs'

const TS = '2026-01-30T14:30:00.000000Z'
const FORMAT = ['\u202e', '\u202a', '\u2066', '\u2069', '\u200b', '\u200f', '\ufeff', '\u061c', '\u0085', '\u009b', '\u2028']

test('format and bidi characters in any column are escaped', () => {
  const lines = FORMAT.map((c, i) => v1(TS, 'test.bidi', { user: `ali${c}ce`, source: `s${c}`, details: { [`k${c}`]: `v${c}x`, n: i, list: [`a${c}`] } }))
  const path = logFile(lines)
  for (const args of [[], ['--all'], ['--summary']]) {
    const r = query(path, args)
    assert.equal(r.status, 0, r.stderr)
    for (const c of FORMAT) assert.ok(!r.stdout.includes(c), `U+${c.charCodeAt(0).toString(16)} reached the output (${args.join(' ')})`)
  }
  const human = query(path, []).stdout
  assert.match(human, /"ali\\u202ece"/)
  assert.match(human, /"k\\u202e"="v\\u202ex"/)
  assert.match(human, /list=\["a\\u202e"\]/)
  assert.match(human, /"ali\\u200bce"/)
  // --json is the line as stored, byte for byte
  assert.ok(query(path, ['--json']).stdout.includes('\u202e'))
})
