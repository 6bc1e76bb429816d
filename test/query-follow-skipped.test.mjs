// --follow finds the generations it skipped: two rotations within one poll, or
// a consumer that stopped reading across two rotations, move a file it never
// opened out of its way (and compress the one it was reading). Every event
// comes out once.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { appendFileSync, existsSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { gzipSync } from 'node:zlib'
import { scratch } from './helpers/cli.mjs'
import { queryInBackground, until, v1 } from './helpers/query.mjs'

const T0 = Date.UTC(2026, 10, 1)
const lines = (from, n) => Array.from({ length: n }, (_, i) => v1(new Date(T0 + (from + i) * 1000), 'container.start', { details: { seq: from + i } }) + '\n').join('')
const range = (a, b) => Array.from({ length: b - a }, (_, i) => a + i)

/** logrotate's create + compress + delaycompress, in its order. */
function rotate (base) {
  if (existsSync(`${base}.2.gz`)) renameSync(`${base}.2.gz`, `${base}.3.gz`)
  if (existsSync(`${base}.1`)) {
    renameSync(`${base}.1`, `${base}.2`)
    writeFileSync(`${base}.2.gz`, gzipSync(readFileSync(`${base}.2`)))
    unlinkSync(`${base}.2`)
  }
  renameSync(base, `${base}.1`)
  writeFileSync(base, '')
}

function seqsOf (stdout) {
  // complete lines only: output read while it arrives may end in part of one
  return stdout.slice(0, stdout.lastIndexOf('\n') + 1).split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l).details.seq)
}

async function live (base, f) {
  appendFileSync(base, lines(0, 1))
  await until(() => seqsOf(f.result.stdout).length === 1, 20_000, 'follow to print the first event')
}

test('two rotations within one poll: the generation in between is found (by inode) and read; the compressed one is not read twice', async () => {
  const base = join(scratch('ds01-follow-skip-'), 'events.jsonl')
  writeFileSync(base, '')
  const f = queryInBackground(base, ['--follow', '--json'])
  try {
    await live(base, f)
    appendFileSync(base, lines(1, 100)) // A
    // within one poll (it looks every 200 ms): A renamed, B written and renamed, A compressed
    rotate(base)
    appendFileSync(base, lines(101, 100)) // B
    rotate(base)
    appendFileSync(base, lines(201, 100)) // C
    await until(() => seqsOf(f.result.stdout).length >= 301, 20_000, '301 events')
    await sleep(2500) // anything more would be a duplicate: give it the chance to show
    assert.deepEqual(seqsOf(f.result.stdout), range(0, 301))
  } finally {
    f.child.kill('SIGINT')
  }
  const exit = await f.done
  assert.equal(exit.code, 0, exit.stderr)
  assert.equal(exit.stderr, '')
})

test('a consumer that stops reading across two rotations (query --follow | less, paused): the middle generation is read, once', async () => {
  const base = join(scratch('ds01-follow-stall-'), 'events.jsonl')
  writeFileSync(base, '')
  const f = queryInBackground(base, ['--follow', '--json'])
  try {
    await live(base, f)
    f.child.stdout.pause() // the pipe fills: follow blocks on its output
    appendFileSync(base, lines(1, 5000)) // A, far more than a pipe holds
    await sleep(700)
    rotate(base)
    appendFileSync(base, lines(5001, 2000)) // B
    await sleep(700)
    rotate(base) // A compressed into .2.gz, B is .1
    appendFileSync(base, lines(7001, 1000)) // C
    f.child.stdout.resume()
    await until(() => seqsOf(f.result.stdout).length >= 8001, 30_000, '8001 events')
    await sleep(2500)
    assert.deepEqual(seqsOf(f.result.stdout), range(0, 8001))
  } finally {
    f.child.stdout.resume()
    f.child.kill('SIGINT')
  }
  const exit = await f.done
  assert.equal(exit.code, 0, exit.stderr)
})
