// A rotation during a long query: what was in the files when the query
// started comes out exactly once, whatever logrotate moves meanwhile (the
// current file renamed to .1, .1 renamed to .2 and compressed into a new
// .2.gz, .2.gz renamed to .3.gz). The query holds the plain files open from its
// start and finds the .gz ones again by inode.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { CLI, cleanEnv, scratch } from './helpers/cli.mjs'
import { v1 } from './helpers/query.mjs'

const T0 = Date.UTC(2026, 10, 1)
const lines = (from, n) => Array.from({ length: n }, (_, i) => v1(new Date(T0 + (from + i) * 1000), 'container.start', { user: `u${i % 7}`, details: { seq: from + i } }) + '\n').join('')

/** What logrotate (create, compress, delaycompress) does, in its order. */
function rotate (base, newLines) {
  renameSync(`${base}.2.gz`, `${base}.3.gz`)
  renameSync(`${base}.1`, `${base}.2`)
  renameSync(base, `${base}.1`)
  writeFileSync(base, newLines)
  writeFileSync(`${base}.2.gz`, gzipSync(readFileSync(`${base}.2`)))
  unlinkSync(`${base}.2`)
}

test('a rotation while a slow consumer holds the query back: every event there at the start, once, in order', async () => {
  const base = join(scratch('ds01-rot-during-'), 'events.jsonl')
  writeFileSync(`${base}.2.gz`, gzipSync(lines(0, 1000)))
  writeFileSync(`${base}.1`, lines(1000, 100_000)) // 13 MB: several read chunks
  writeFileSync(base, lines(101_000, 20_000))
  const child = spawn(process.execPath, [CLI, 'query', '--file', base, '--all', '--json'], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
  const out = []
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (s) => { stderr += s })
  const started = new Promise((resolve) => {
    child.stdout.on('data', (d) => {
      out.push(d)
      if (out.length === 1) {
        child.stdout.pause() // the slow consumer: the query blocks on a full pipe
        resolve()
      }
    })
  })
  const done = new Promise((resolve) => child.on('close', (code) => resolve(code)))
  await started
  rotate(base, lines(1_000_000, 500)) // new events, written after the query started
  child.stdout.resume()
  const code = await done
  assert.equal(code, 0, stderr)
  assert.equal(stderr, '')
  const seqs = Buffer.concat(out).toString('utf8').trim().split('\n').map((l) => JSON.parse(l).details.seq)
  assert.equal(seqs.length, 121_000, 'every event there at the start, none twice')
  for (let i = 0; i < seqs.length; i++) if (seqs[i] !== i) assert.fail(`event ${i}: got seq ${seqs[i]}`)
})
