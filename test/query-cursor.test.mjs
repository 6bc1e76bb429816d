// `query --cursor-file FILE`: only what is new since the last run that used
// FILE, then where it ended, saved atomically; exactly once across
// rotations, also when the file the cursor pointed into has since been
// compressed into a new .gz. --after-cursor and --show-cursor as journalctl has
// them, and the same machinery for Node: a record's cursor, readRecords({ after }).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { appendFileSync, existsSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { CLI, cleanEnv, scratch } from './helpers/cli.mjs'
import { query, queryInBackground, until, v1 } from './helpers/query.mjs'
import { IS_ROOT } from './helpers/system.mjs'

const LOGROTATE = ['/usr/sbin/logrotate', '/sbin/logrotate', '/usr/bin/logrotate'].find((p) => existsSync(p))
const T0 = Date.UTC(2026, 10, 1)
const lines = (from, n) => Array.from({ length: n }, (_, i) => v1(new Date(T0 + (from + i) * 1000), 'container.start', { user: 'alice', details: { seq: from + i } }) + '\n').join('')
const seqs = (stdout) => stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l).details.seq)
const range = (a, b) => Array.from({ length: b - a }, (_, i) => a + i)

function logrotateLike (base) {
  // create + compress + delaycompress, as the shipped config: .N.gz up, .1 -> .2.gz, current -> .1
  const names = readdirSync(join(base, '..')).filter((n) => /^events\.jsonl\.\d+\.gz$/.test(n)).map((n) => Number(n.split('.')[2])).sort((a, b) => b - a)
  for (const n of names) renameSync(`${base}.${n}.gz`, `${base}.${n + 1}.gz`)
  if (existsSync(`${base}.1`)) {
    renameSync(`${base}.1`, `${base}.2`)
    writeFileSync(`${base}.2.gz`, gzipSync(readFileSync(`${base}.2`)))
    unlinkSync(`${base}.2`)
  }
  renameSync(base, `${base}.1`)
  writeFileSync(base, '')
}

test('--cursor-file: everything the first time, then only what is new, across rotations and compression, exactly once', () => {
  const dir = scratch('ds01-cursor-')
  const base = join(dir, 'events.jsonl')
  const cursor = join(dir, 'state', 'cursor')
  spawnSync('mkdir', ['-p', join(dir, 'state')])
  writeFileSync(base, lines(0, 10))
  const run = () => {
    const r = query(base, ['--json', '--cursor-file', cursor])
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stderr, '')
    return seqs(r.stdout)
  }
  assert.deepEqual(run(), range(0, 10), 'the first run: everything (a cursor implies --all)')
  const saved = readFileSync(cursor, 'utf8')
  assert.match(saved, /^ds01:v1;d=\d+;i=\d+;l=\d+;h=[0-9a-f]{32};o=\d+\n$/)
  assert.deepEqual(run(), [], 'nothing new')
  appendFileSync(base, lines(10, 5))
  assert.deepEqual(run(), range(10, 15))
  // written, then rotated: the rest of the renamed file, then the new one
  appendFileSync(base, lines(15, 5))
  logrotateLike(base)
  appendFileSync(base, lines(20, 5))
  assert.deepEqual(run(), range(15, 25))
  // the cursor's file written to, then rotated twice: it is .2.gz now, a new inode
  appendFileSync(base, lines(25, 5))
  logrotateLike(base)
  appendFileSync(base, lines(30, 5))
  logrotateLike(base)
  appendFileSync(base, lines(35, 5))
  assert.ok(existsSync(`${base}.2.gz`) && !existsSync(`${base}.2`))
  assert.deepEqual(run(), range(25, 40), 'found in the compressed file by its content')
  assert.deepEqual(run(), [])
  // many rotations with nothing in between: nothing new
  logrotateLike(base)
  assert.deepEqual(run(), [])
  // the saved file is replaced whole (rename), no temporary file left
  const before = statSync(cursor).ino
  appendFileSync(base, lines(40, 1))
  assert.deepEqual(run(), [40])
  assert.notEqual(statSync(cursor).ino, before)
  assert.deepEqual(readdirSync(join(dir, 'state')), ['cursor'])
  // filters apply to what is new; the cursor still moves past what they skip
  appendFileSync(base, lines(41, 3).replace(/"alice"/, '"bob"'))
  const r = query(base, ['--json', '--cursor-file', cursor, '--user', 'bob'])
  assert.deepEqual(seqs(r.stdout), [41])
  assert.deepEqual(run(), [])
})

test('the cursor\'s file gone (rotated out of retention): everything there is, and said (status 1)', () => {
  const dir = scratch('ds01-cursor-gone-')
  const base = join(dir, 'events.jsonl')
  const cursor = join(dir, 'cursor')
  writeFileSync(base, lines(0, 3))
  assert.equal(query(base, ['--cursor-file', cursor]).status, 0)
  unlinkSync(base)
  writeFileSync(`${base}.1`, lines(3, 2))
  writeFileSync(base, lines(5, 2))
  const r = query(base, ['--json', '--cursor-file', cursor])
  assert.equal(r.status, 1)
  assert.match(r.stderr, /the cursor's file is no longer there/)
  assert.deepEqual(seqs(r.stdout), range(3, 7))
  assert.deepEqual(seqs(query(base, ['--json', '--cursor-file', cursor]).stdout), [])
})

test('a crash between printing and saving errs toward printing again, never toward losing: output closed early saves nothing', () => {
  const dir = scratch('ds01-cursor-crash-')
  const base = join(dir, 'events.jsonl')
  const cursor = join(dir, 'cursor')
  writeFileSync(base, lines(0, 5))
  assert.equal(query(base, ['--cursor-file', cursor]).status, 0)
  const saved = readFileSync(cursor, 'utf8')
  appendFileSync(base, lines(5, 20_000))
  // the reader goes away after one line (a crash of the consumer): the cursor is not moved
  const r = spawnSync('bash', ['-c', '"$0" "$1" query --file "$2" --json --cursor-file "$3" | head -1', process.execPath, CLI, base, cursor], { encoding: 'utf8', env: cleanEnv() })
  assert.equal(r.status, 0)
  assert.deepEqual(seqs(r.stdout), [5])
  assert.equal(readFileSync(cursor, 'utf8'), saved)
  assert.deepEqual(seqs(query(base, ['--json', '--cursor-file', cursor]).stdout), range(5, 20_005))
})

test('--show-cursor prints where it ended; --after-cursor starts there; bad cursors and --limit are usage errors', () => {
  const base = join(scratch('ds01-cursor-show-'), 'events.jsonl')
  writeFileSync(base, lines(0, 5))
  const shown = query(base, ['--json', '--all', '--show-cursor'])
  assert.equal(shown.status, 0)
  const last = shown.stdout.trim().split('\n').pop()
  assert.match(last, /^-- cursor: ds01:v1;/)
  const c = last.slice('-- cursor: '.length)
  appendFileSync(base, lines(5, 2))
  assert.deepEqual(seqs(query(base, ['--json', '--after-cursor', c]).stdout), [5, 6])
  assert.equal(query(base, ['--after-cursor', 'nonsense']).status, 2)
  assert.equal(query(base, ['--after-cursor', c, '--limit', '3']).status, 2)
  assert.equal(query(base, ['--after-cursor', c, '--cursor-file', join(base, '..', 'c')]).status, 2)
  const junk = join(base, '..', 'junk-cursor')
  writeFileSync(junk, 'hello\n')
  const bad = query(base, ['--cursor-file', junk])
  assert.equal(bad.status, 1)
  assert.match(bad.stderr, /does not hold a cursor/)
})

test('a follow ended while a rotated file is read in its grace saves both files: the next run neither repeats the new file nor misses a late line', async () => {
  // One attempt: follow, rotate, a line in the new file, then a late line in the renamed one
  // (a writer that still had it open), then SIGINT inside the 2 s grace. Retried when the
  // machine was too slow to end inside the grace (then the cursor names one file, as it should).
  const attempt = async () => {
    const dir = scratch('ds01-cursor-grace-')
    const base = join(dir, 'events.jsonl')
    const cursor = join(dir, 'cursor')
    writeFileSync(base, lines(0, 3))
    const f = queryInBackground(base, ['--follow', '--json', '--cursor-file', cursor])
    const printed = () => seqs(f.result.stdout)
    await until(() => printed().length === 3, 10_000, 'the first lines')
    renameSync(base, `${base}.1`)
    writeFileSync(base, lines(3, 2))
    await until(() => printed().includes(4), 10_000, 'the new file\'s lines')
    const rotatedAt = Date.now()
    appendFileSync(`${base}.1`, lines(5, 1)) // late, in the renamed file
    await until(() => printed().includes(5), 10_000, 'the late line')
    f.child.kill('SIGINT')
    const exit = await f.done
    assert.equal(exit.code, 0, exit.stderr)
    assert.deepEqual(printed(), [0, 1, 2, 3, 4, 5])
    const saved = readFileSync(cursor, 'utf8').trim()
    return { base, cursor, saved, inGrace: Date.now() - rotatedAt < 1500 }
  }
  let run
  for (let i = 0; i < 3; i++) {
    run = await attempt()
    if (run.inGrace) break
  }
  assert.ok(run.inGrace, 'ended inside the grace in one of 3 tries')
  assert.match(run.saved, /^ds01:v1;d=\d+;i=\d+;l=\d+;h=[0-9a-f]{32};o=\d+\/d=\d+;i=\d+;l=\d+;h=[0-9a-f]{32};o=\d+$/)
  appendFileSync(`${run.base}.1`, lines(6, 1)) // later still: the old writer's last line
  appendFileSync(run.base, lines(7, 2))
  const r = query(run.base, ['--json', '--cursor-file', run.cursor])
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(seqs(r.stdout), [6, 7, 8], 'only what is new, from both files')
  assert.match(readFileSync(run.cursor, 'utf8'), /^ds01:v1;d=\d+;i=\d+;l=\d+;h=[0-9a-f]{32};o=\d+\n$/, 'read to their ends: one file again')
  // the same text works as --after-cursor, and a cursor of nine files is refused
  assert.equal(query(run.base, ['--json', '--after-cursor', run.saved]).status, 0)
  const nine = `ds01:v1;${Array(9).fill(run.saved.slice('ds01:v1;'.length).split('/')[0]).join('/')}`
  assert.equal(query(run.base, ['--after-cursor', nine]).status, 2)
})

test('readRecords: each record\'s cursor resumes just after it, { after } a bad cursor is a warning', async () => {
  const { readRecords } = await import('../dist/index.js')
  const dir = scratch('ds01-cursor-lib-')
  const base = join(dir, 'events.jsonl')
  writeFileSync(`${base}.2.gz`, gzipSync(lines(0, 10)))
  writeFileSync(`${base}.1`, lines(10, 10))
  writeFileSync(base, lines(20, 10))
  const all = []
  for await (const r of readRecords({ path: base })) all.push(r)
  assert.equal(all.length, 30)
  for (const k of [0, 9, 10, 19, 25, 29]) {
    const got = []
    for await (const r of readRecords({ path: base, after: all[k].cursor })) got.push(r.event.details.seq)
    assert.deepEqual(got, range(k + 1, 30), `after record ${k}`)
  }
  // after a rotation (the .1 it pointed into is compressed into .2.gz)
  const at = all[15].cursor
  logrotateLike(base)
  appendFileSync(base, lines(30, 2))
  const got = []
  for await (const r of readRecords({ path: base, after: at })) got.push(r.event.details.seq)
  assert.deepEqual(got, range(16, 32))
  const warnings = []
  for await (const r of readRecords({ path: base, after: 'x', onWarning: (m) => warnings.push(m) })) assert.fail(`no record expected: ${r.line}`)
  assert.match(warnings[0], /is not a cursor/)
})

test('readRecords({ follow }): a record read while a rotated file is in its grace resumes both files', async () => {
  const { readRecords } = await import('../dist/index.js')
  const base = join(scratch('ds01-cursor-lib-grace-'), 'events.jsonl')
  writeFileSync(base, lines(0, 3))
  const controller = new AbortController()
  const records = []
  let rotatedAt = 0
  const follow = (async () => {
    for await (const r of readRecords({ path: base, follow: true, pollMs: 20, signal: controller.signal })) {
      records.push(r)
      const n = r.event.details.seq
      if (n === 2) {
        renameSync(base, `${base}.1`)
        writeFileSync(base, lines(3, 2))
      } else if (n === 4) {
        rotatedAt = Date.now()
        appendFileSync(`${base}.1`, lines(5, 1)) // late, in the renamed file
      } else if (n === 5) {
        controller.abort()
      }
    }
  })()
  await follow
  assert.deepEqual(records.map((r) => r.event.details.seq), [0, 1, 2, 3, 4, 5])
  assert.ok(Date.now() - rotatedAt < 1500, 'ended inside the grace')
  appendFileSync(base, lines(6, 1))
  const after = async (k) => {
    const got = []
    for await (const r of readRecords({ path: base, after: records[k].cursor })) got.push(r.event.details.seq)
    return got
  }
  // after 4 (the new file): the late line of the renamed one is still to come; after 5 (that late
  // line): only what is new in the new file, not its first lines again
  assert.deepEqual(await after(4), [5, 6])
  assert.deepEqual(await after(5), [6])
  assert.match(records[5].cursor, /\//, 'the late line\'s cursor names both files')
})

test('the real logrotate (numbered and dateext): a cron consumer sees every event exactly once', { skip: !IS_ROOT ? 'needs root (logrotate)' : !LOGROTATE ? 'needs logrotate' : false }, () => {
  for (const scheme of ['nodateext', 'dateext\n    dateformat -%Y%m%d-%s']) {
    const dir = scratch('ds01-cursor-real-')
    const base = join(dir, 'events.jsonl')
    const conf = join(dir, 'logrotate.conf')
    writeFileSync(conf, `${base} {\n    ${scheme}\n    rotate 20\n    missingok\n    notifempty\n    compress\n    delaycompress\n    create 0640 root root\n}\n`)
    const cursor = join(dir, 'cursor')
    writeFileSync(base, '')
    let seq = 0
    const seen = []
    const plan = ['w', 'q', 'w', 'r', 'w', 'q', 'w', 'r', 'r', 'w', 'q', 'r', 'w', 'r', 'w', 'q', 'q']
    for (const step of plan) {
      if (step === 'w') {
        appendFileSync(base, lines(seq, 7))
        seq += 7
      } else if (step === 'r') {
        const wait = Date.now() + 1100 // %s: one name per second
        while (Date.now() < wait) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50)
        const r = spawnSync(LOGROTATE, ['-f', '-s', join(dir, 'state'), conf], { encoding: 'utf8' })
        assert.equal(r.status, 0, r.stderr)
      } else {
        const r = query(base, ['--json', '--cursor-file', cursor])
        assert.equal(r.status, 0, r.stderr)
        seen.push(...seqs(r.stdout))
      }
    }
    assert.deepEqual(seen, range(0, seq), `${scheme}: ${readdirSync(dir).join(' ')}`)
  }
})
