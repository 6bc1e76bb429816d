// Lines out of nvidia-smi's pipe: whole lines only; a line cut short is reported, never parsed.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PassThrough } from 'node:stream'
import { once } from 'node:events'
import { readLines } from '../dist/gpu-monitor/lines.js'

async function collect(chunks) {
  const stream = new PassThrough()
  const seen = { lines: [], incomplete: [] }
  readLines(stream, { line: (text) => seen.lines.push(text), incomplete: (text) => seen.incomplete.push(text) })
  for (const chunk of chunks) stream.write(chunk)
  stream.end()
  await once(stream, 'end')
  return seen
}

test('lines split across chunks, several lines in one chunk', async () => {
  const seen = await collect(['0, GPU-a, H1', '00, 1, 2, 3, 4, 5, 6\n1, GPU-b, H100, 1, 2, 3, 4, 5, 6\n2, GPU-c', ', H100, 1, 2, 3, 4, 5, 6\n'])
  assert.deepEqual(seen.lines, ['0, GPU-a, H100, 1, 2, 3, 4, 5, 6', '1, GPU-b, H100, 1, 2, 3, 4, 5, 6', '2, GPU-c, H100, 1, 2, 3, 4, 5, 6'])
  assert.deepEqual(seen.incomplete, [])
})

test('a UTF-8 character split between chunks is decoded whole', async () => {
  const bytes = Buffer.from('0, GPU-a, Grafikkarte für Äpfel, 1, 2, 3, 4, 5, 6\n')
  const cut = bytes.indexOf(Buffer.from('ü')) + 1 // inside the two bytes of ü
  const seen = await collect([bytes.subarray(0, cut), bytes.subarray(cut)])
  assert.deepEqual(seen.lines, ['0, GPU-a, Grafikkarte für Äpfel, 1, 2, 3, 4, 5, 6'])
})

test('a last line without its newline is incomplete, not a line', async () => {
  const seen = await collect(['0, GPU-a, H100, 1, 2, 3, 4, 5, 700.12\n0, GPU-a, H100, 1, 2, 3, 4, 5, 70'])
  assert.deepEqual(seen.lines, ['0, GPU-a, H100, 1, 2, 3, 4, 5, 700.12'])
  assert.deepEqual(seen.incomplete, ['0, GPU-a, H100, 1, 2, 3, 4, 5, 70'])
})

test('text that never ends its line is dropped past 64 KiB instead of growing, up to its newline', async () => {
  const seen = await collect(['x'.repeat(40 * 1024), 'x'.repeat(40 * 1024), 'x'.repeat(1024), 'tail\nnext\n'])
  assert.equal(seen.incomplete.length, 1)
  assert.equal(seen.incomplete[0].length, 80 * 1024)
  assert.deepEqual(seen.lines, ['next'], 'the rest of the overlong line is not taken for a line of its own')
})
