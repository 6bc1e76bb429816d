// Arguments with control characters and invalid UTF-8: the line written is
// still one line of strict JSON in valid UTF-8.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { CLI, cleanEnv, runCli, scratch } from './helpers/cli.mjs'
import { readEvents } from './helpers/events.mjs'

/** The file is valid UTF-8, one line per event, each line strict JSON. */
function strictLines (file) {
  const bytes = readFileSync(file)
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  assert.ok(text.endsWith('\n'))
  return text.slice(0, -1).split('\n').map((line) => JSON.parse(line))
}

test('control characters (C0, DEL, C1, U+2028/9, ESC sequences) round-trip and stay on one line', () => {
  const file = join(scratch(), 'events.jsonl')
  const nasty = 'a\tb\nc\rd\x00e\x01f\x1b[31mred\x1b[0m\x7f\u0085\u2028\u2029"\\/'.replace('\x00', '') // argv cannot hold NUL
  const r = runCli(['log', '--file', file, 'test.cli', `user=al\nice`, `msg=${nasty}`, `k\ney=1`])
  assert.equal(r.status, 0, r.stderr)
  const events = strictLines(file)
  assert.equal(events.length, 1, 'one line')
  assert.equal(events[0].user, 'al\nice')
  assert.equal(events[0].details.msg, nasty)
  assert.equal(events[0].details['k\ney'], 1)
  const raw = [...readFileSync(file)].filter((byte) => byte < 0x20 && byte !== 0x0a)
  assert.deepEqual(raw, [], 'no raw control bytes in the file')
})

test('invalid UTF-8 in values, keys, user and source becomes U+FFFD; the line is valid UTF-8 JSON', () => {
  const file = join(scratch(), 'events.jsonl')
  // bash's $'...' puts raw bytes in argv: a lone continuation byte, an overlong
  // '/', a truncated 3-byte sequence, an encoded surrogate, 0xFF.
  const script = `exec "$0" "$1" log --file "$2" test.cli $'user=\\xff' $'source=s\\xc0\\xaf' $'msg=a\\x80b\\xe2\\x82c\\xed\\xa0\\x80d' $'k\\xfe=1' $'ok=\\xe2\\x82\\xac'`
  const r = spawnSync('bash', ['-c', script, process.execPath, CLI, file], { encoding: 'utf8', env: cleanEnv() })
  assert.equal(r.status, 0, r.stderr)
  const [event] = strictLines(file)
  assert.equal(event.user, '\ufffd')
  assert.match(event.source, /^s\ufffd+$/)
  assert.match(event.details.msg, /^a\ufffd+b\ufffd+c\ufffd+d$/)
  assert.equal(event.details['k\ufffd'], 1)
  assert.equal(event.details.ok, '€', 'valid multi-byte text is kept')
})

test('invalid UTF-8 and control characters in the event type are refused (exit 1), nothing written', () => {
  const file = join(scratch(), 'events.jsonl')
  for (const type of ['test.cl\ni', 'test.\x1bcli']) {
    assert.equal(runCli(['log', '--file', file, type]).status, 1)
  }
  const r = spawnSync('bash', ['-c', `exec "$0" "$1" log --file "$2" $'test.cl\\xffi'`, process.execPath, CLI, file], { encoding: 'utf8', env: cleanEnv() })
  assert.equal(r.status, 1)
  assert.throws(() => readFileSync(file), /ENOENT/)
})

test('--stdin: control characters and invalid UTF-8 in the input lines', () => {
  const file = join(scratch(), 'events.jsonl')
  const good = Buffer.from('{"event_type":"test.cli","details":{"msg":"tab\\there \\u0001 \\u001b[0m"}}\n')
  const invalid = Buffer.concat([Buffer.from('{"event_type":"test.cli","details":{"msg":"'), Buffer.from([0xff, 0xc0, 0xaf]), Buffer.from('"}}\n')])
  const r = spawnSync(process.execPath, [CLI, 'log', '--stdin', '--file', file], { input: Buffer.concat([good, invalid]), env: cleanEnv() })
  assert.equal(r.status, 0, r.stderr.toString())
  const events = readEvents(file)
  assert.equal(events[0].details.msg, 'tab\there \u0001 \u001b[0m')
  assert.match(events[1].details.msg, /^\ufffd+$/)
  strictLines(file)
})
