// Issue 14: a SIGKILL can cut a write(2) between two pages (the kernel checks
// for a fatal signal between them), leaving a torn last line. Kill a busy
// batched writer again and again, start the next one on what it left, and
// check that no event is ever glued to a fragment: every line holds exactly
// one event start, at its beginning; a line that does not parse is a torn
// fragment, ended by the next writer's seal ('\n'), and there is at most one
// per kill. When a kill happens to tear nothing, the test cuts the last line
// itself (what a tear leaves), so every run exercises the seal.
// Runs alternate between the two writers of busy-batched.mjs: the batched
// event log (realistic; its kills rarely land inside a write) and the same
// write path fed prebuilt batches (its kills usually cut a write: real tears).
// DS01_STRESS=1: 300 kills instead of 12.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync, truncateSync, writeFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { KIND, scratch } from './helpers.mjs'

const KILLS = process.env.DS01_STRESS === '1' ? 300 : 12
const START = '{"timestamp":'
const CHILD = new URL('./busy-batched.mjs', import.meta.url).pathname

/** Starts a busy batched writer, waits for its first batch, lets it run a moment, SIGKILLs it. */
async function killOne (path, run) {
  const child = spawn(process.execPath, [CHILD, path, String(run), run % 2 === 0 ? 'events' : 'lines'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (s) => { stderr += s })
  let out = ''
  child.stdout.setEncoding('utf8')
  for await (const chunk of child.stdout) {
    out += chunk
    if (out.includes('ready')) break
  }
  assert.match(out, /ready/, `the writer started (${stderr})`)
  await sleep(run % 2 === 0 ? 5 + (run * 7) % 40 : 2 + (run * 3) % 10)
  const exited = once(child, 'exit')
  child.kill('SIGKILL')
  const [, signal] = await exited
  assert.equal(signal, 'SIGKILL', stderr)
}

test(`${KIND}: ${KILLS} SIGKILLs of a busy batched writer: no event is ever glued to a torn line`, { timeout: KILLS * 10_000 }, async (t) => {
  const path = join(scratch(), 'events.jsonl')
  writeFileSync(path, '')
  const totals = { kills: 0, realTears: 0, cutByTest: 0, fragments: 0, events: 0 }
  let tail = '' // what the last writer left after its last newline
  for (let run = 0; run < KILLS; run++) {
    await killOne(path, run)
    totals.kills++
    const text = readFileSync(path, 'latin1')
    // The seal: a torn tail left by the previous kill is ended by a '\n' of its own.
    if (tail !== '') assert.equal(text.slice(0, tail.length + 1), tail + '\n', `run ${run}: the torn tail was ended before the next event`)
    const cut = text.lastIndexOf('\n')
    assert.ok(cut >= 0, `run ${run} wrote whole lines`)
    for (const line of text.slice(0, cut).split('\n')) {
      const oneStart = (line.startsWith(START) || START.startsWith(line)) && line.indexOf(START, 1) === -1
      assert.ok(oneStart, `run ${run}: one event per line, none glued: ${line.slice(0, 120)}...${line.slice(-120)}`)
      let event
      try {
        event = JSON.parse(Buffer.from(line, 'latin1').toString('utf8'))
      } catch {
        totals.fragments++
        continue
      }
      assert.equal(event.user, 'ds01kill')
      totals.events++
    }
    tail = text.slice(cut + 1)
    if (tail !== '') totals.realTears++
    // Keep the file small: only the tail matters to the next writer.
    writeFileSync(path, tail, 'latin1')
    if (tail === '' && run % 2 === 0) {
      // No tear this time: leave one, as a tear would (the last line cut in its middle).
      const last = text.slice(text.lastIndexOf('\n', cut - 1) + 1, cut + 1)
      tail = last.slice(0, 1 + (run * 1031) % (last.length - 2))
      writeFileSync(path, tail, 'latin1')
      totals.cutByTest++
    }
  }
  t.diagnostic(JSON.stringify(totals))
  assert.ok(totals.fragments <= totals.realTears + totals.cutByTest, 'at most one damaged line per tear')
  assert.ok(totals.events > 0)
  truncateSync(path, 0)
})
