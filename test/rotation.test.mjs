// Rotation with the real logrotate, in the real layout (directory root:docker
// 2775), while writers running as a non-root docker member log: the shipped
// config loses nothing; copytruncate (the old config) loses events, counted and
// printed; and the old config's other two defects stay gone.
// DS01_STRESS=1 makes the runs 60 s instead of 15 s, and adds a run with
// writers logging as fast as they can through 100 rotations.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { chmodSync, chownSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { cleanEnv } from './helpers/cli.mjs'
import { TIMESTAMP, fileLines, rotationFamily } from './helpers/events.mjs'
import { helpersDone } from './helpers/shell.mjs'
import { GROUP, IS_ROOT, MEMBER, REPO, ensureTestUsers, makeLayout, packageRootFor, spawnAs, userDir } from './helpers/system.mjs'

const LOGROTATE = ['/usr/sbin/logrotate', '/sbin/logrotate', '/usr/bin/logrotate'].find((p) => existsSync(p))
const SKIP = !IS_ROOT ? 'needs root (creates users, runs writers as a docker member)' : !LOGROTATE ? 'needs logrotate (apt-get install logrotate)' : false
const SECONDS = process.env.DS01_STRESS === '1' ? 60 : 15
const ROTATIONS = 20 // >= 15, and fewer than `rotate 64`, so no rotated file is deleted during the run
const SHIPPED = readFileSync(join(REPO, 'deploy', 'logrotate.d', 'ds01'), 'utf8')

/** The shipped config, pointed at a test layout and at the group standing in for docker. */
function configFor (dir, text = SHIPPED) {
  return text.split('/var/log/ds01/').join(`${dir}/`).replace(/ root docker$/gm, ` root ${GROUP}`)
}

function writeConfig (layout, name, text) {
  const path = join(layout.root, name)
  writeFileSync(path, text, { mode: 0o644 }) // logrotate ignores group/world-writable configs
  return path
}

function logrotate (args) {
  return new Promise((resolve) => {
    const child = spawn(LOGROTATE, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    child.stdout.resume()
    child.stderr.setEncoding('utf8').on('data', (s) => { stderr += s })
    child.on('close', (code) => resolve({ code, stderr }))
  })
}

function logrotateSync (args) {
  return spawnSync(LOGROTATE, args, { encoding: 'utf8' })
}

/** A root:docker 0660 file, as setup leaves it. */
function prepareFile (path, gid) {
  writeFileSync(path, '', { flag: 'a' })
  chownSync(path, 0, gid)
  chmodSync(path, 0o660)
}

/**
 * Four writers as MEMBER (library sync, library batched, JavaScript fallback,
 * bash wrapper in a loop) for SECONDS while logrotate -f runs ROTATIONS times;
 * then every event file is read back.
 */
async function rotationRun (configText, { seconds: runSeconds = SECONDS, rotations: runRotations = ROTATIONS, only, writerEnv: extraEnv = {} } = {}) {
  const { gid, member } = ensureTestUsers()
  const layout = makeLayout(gid)
  prepareFile(layout.events, gid)
  const work = userDir(layout.root, 'work', member)
  const config = writeConfig(layout, 'logrotate.conf', configFor(layout.dir, configText))
  const state = join(layout.root, 'logrotate.state')
  const pkg = packageRootFor(MEMBER)
  const stop = join(layout.root, 'stop')
  const env = cleanEnv({ DS01_EVENTS_FILE: layout.events, HOME: work, ...extraEnv })
  const writerScript = join(pkg, 'test', 'helpers', 'rotation-writer.mjs')
  const report = (name) => join(work, `${name}.report`)
  const writers = [
    ['lib-sync', process.execPath, [writerScript, 'sync', pkg, stop, report('lib-sync'), 'lib-sync'], env],
    ['lib-batched', process.execPath, [writerScript, 'batched', pkg, stop, report('lib-batched'), 'lib-batched'], env],
    ['js-fallback', process.execPath, [writerScript, 'sync', pkg, stop, report('js-fallback'), 'js-fallback'], { ...env, DS01_EVENTS_NATIVE: '0' }],
    // the wrapper's helper keeps its spool in the member's own runtime dir, waited for below
    ['bash', join(pkg, 'test', 'helpers', 'rotation-wrapper-loop.sh'), [join(pkg, 'shell', 'ds01_events.sh'), stop, report('bash'), 'bash'], { ...env, XDG_RUNTIME_DIR: work }]
  ].filter(([name]) => only === undefined || only.includes(name))
    .map(([name, command, args, writerEnv]) => ({ name, ...spawnAs(MEMBER, command, args, { env: writerEnv }) }))

  const started = Date.now()
  const interval = (runSeconds * 1000) / runRotations
  const errors = []
  let rotations = 0
  while (rotations < runRotations || Date.now() - started < runSeconds * 1000) {
    await sleep(Math.max(0, started + (rotations + 1) * interval - Date.now()))
    const r = await logrotate(['-f', '-s', state, config])
    rotations++
    if (r.code !== 0 || r.stderr !== '') errors.push(`rotation ${rotations}: exit ${r.code} ${r.stderr.trim()}`)
  }
  writeFileSync(stop, '')
  const exits = await Promise.all(writers.map((w) => w.done))
  if (writers.some((w) => w.name === 'bash')) assert.ok(helpersDone(work, 60_000), 'the bash wrapper\'s helper wrote its queue and left')
  const seconds = (Date.now() - started) / 1000

  const reports = writers.map((w, i) => {
    const exit = exits[i]
    assert.equal(exit.code, 0, `${w.name} exited ${exit.code} ${exit.signal ?? ''}: ${exit.stderr}`)
    if (w.name === 'bash') {
      const text = existsSync(report('bash')) ? readFileSync(report('bash'), 'utf8') : ''
      return { name: 'bash', attempted: Number(exit.stdout.trim()), logged: text.split('\n').filter(Boolean).map(Number), stderr: exit.stderr }
    }
    return { ...JSON.parse(readFileSync(report(w.name), 'utf8')), stderr: exit.stderr }
  })

  // Read everything back: current, rotated, compressed, and anything else logrotate left.
  const files = rotationFamily(layout.dir, 'events.jsonl')
  const counts = new Map()
  const unparsable = []
  const torn = []
  let lines = 0
  for (const file of files) {
    for (const line of fileLines(file, { onTornTail: (tail) => torn.push(`${file}: ${tail.slice(0, 120)}`) })) {
      lines++
      let event
      try {
        event = JSON.parse(line)
      } catch {
        unparsable.push(`${file}: ${line.slice(0, 120)}`)
        continue
      }
      const key = `${event.details?.writer}:${event.details?.seq}`
      counts.set(key, (counts.get(key) ?? 0) + 1)
      if (!TIMESTAMP.test(event.timestamp) || event.schema_version !== '1') unparsable.push(`${file}: not v1: ${line.slice(0, 120)}`)
    }
  }
  const perWriter = reports.map((r) => ({
    name: r.name,
    attempted: r.attempted,
    reported: r.logged.length,
    missing: r.logged.filter((seq) => !counts.has(`${r.name}:${seq}`)).length,
    duplicated: r.logged.filter((seq) => (counts.get(`${r.name}:${seq}`) ?? 0) > 1).length
  }))
  const rotated = files.filter((f) => /\/events\.jsonl\.\d+(\.gz)?$/.test(f))
  const other = files.filter((f) => f !== layout.events && !rotated.includes(f))
  return { layout, gid, seconds, rotations, errors, reports, perWriter, files, rotated, other, lines, unparsable, torn, current: statSync(layout.events) }
}

function summary (label, run) {
  const reported = run.perWriter.reduce((n, w) => n + w.reported, 0)
  const missing = run.perWriter.reduce((n, w) => n + w.missing, 0)
  const refused = run.perWriter.reduce((n, w) => n + w.attempted - w.reported, 0)
  const detail = run.perWriter.map((w) => `${w.name} ${w.missing}/${w.reported}`).join(', ')
  return `${label}: ${run.rotations} rotations in ${run.seconds.toFixed(1)} s, ${reported} events reported logged, ` +
    `${missing} of them lost (${detail}), ${refused} reported not logged, ${run.unparsable.length} unparsable lines, ` +
    `${run.torn.length} files ending inside a line, ${run.files.length} files`
}

test('the shipped config (create, no copytruncate): writers as a docker member lose nothing over 15+ forced rotations', { skip: SKIP }, async (t) => {
  const run = await rotationRun(SHIPPED)
  const line = summary('create + delaycompress', run)
  t.diagnostic(line)
  assert.deepEqual(run.errors, [], 'logrotate ran clean every time')
  assert.ok(run.seconds >= SECONDS, `writers logged for ${run.seconds} s`)
  assert.ok(run.rotated.length >= 15, `${run.rotated.length} rotated files`)
  assert.ok(run.rotated.some((f) => f.endsWith('.gz')), 'older files compressed')
  assert.ok(existsSync(`${run.layout.events}.1`), 'delaycompress: the newest rotated file is plain')
  assert.deepEqual(run.other, [], 'no stray files (no .backup from a create race)')
  for (const report of run.reports) {
    assert.ok(report.logged.length > 0, `${report.name} logged something`)
    // logrotate's `create` makes the new file 0600 root, then chmods it 0660:
    // the writers wait that instant out rather than refuse the event.
    assert.equal(report.attempted - report.logged.length, 0, `${report.name}: every attempt reported logged`)
    assert.equal(report.stderr, '', `${report.name}: no warning`)
  }
  assert.equal(run.reports.find((r) => r.name === 'lib-sync').native, true, 'the native writer')
  assert.equal(run.reports.find((r) => r.name === 'js-fallback').native, false, 'the JavaScript fallback')
  const batched = run.reports.find((r) => r.name === 'lib-batched')
  assert.equal(batched.flushed, true)
  assert.equal(batched.stats.dropped, 0)
  assert.deepEqual(run.unparsable, [], 'every line parses')
  assert.deepEqual(run.torn, [], 'every file ends with a whole line')
  for (const w of run.perWriter) {
    assert.equal(w.missing, 0, `${w.name}: every event reported logged is in some file`)
    assert.equal(w.duplicated, 0, `${w.name}: and in exactly one`)
  }
  assert.equal(run.current.uid, 0, 'the new file is owned by root')
  assert.equal(run.current.gid, run.gid, 'group docker')
  assert.equal(run.current.mode & 0o7777, 0o660, 'mode 0660')
})

test('copytruncate (the old config), same writers: how many events it loses', { skip: SKIP }, async (t) => {
  const copytruncate = SHIPPED.replace(/^(\s*)create 0660 root docker$/gm, '$1copytruncate')
  assert.notEqual(copytruncate, SHIPPED)
  const run = await rotationRun(copytruncate)
  const line = summary('copytruncate', run)
  t.diagnostic(line)
  // only a sanity check that rotations happened: with copytruncate and notifempty a rotation that
  // finds the file just truncated and not yet written again leaves no file (seen on a loaded machine)
  assert.ok(run.rotated.length >= 10, `${run.rotated.length} rotated files`)
  for (const w of run.perWriter) assert.equal(w.duplicated, 0, w.name)
  // The loss depends on timing, so it is printed (and goes in the README), not asserted; so is a
  // copy that stopped inside a line (logrotate reads while a writer's write(2) is half done: CI saw one).
})

test('the shipped config has none of the old defects in its text', () => {
  assert.doesNotMatch(SHIPPED, /^\s*copytruncate/m)
  assert.doesNotMatch(SHIPPED, /^\s*dateext/m)
  for (const block of SHIPPED.split(/^(?=\/)/m).slice(1)) {
    assert.match(block, /^\s*su root docker$/m)
    assert.match(block, /^\s*create 0660 root docker$/m)
    assert.match(block, /^\s*nodateext$/m)
    assert.match(block, /^\s*compress$/m)
    assert.match(block, /^\s*delaycompress$/m)
  }
  assert.match(SHIPPED, /events\.jsonl \{[^}]*\bdaily\b[^}]*\brotate 64\b[^}]*\}/s)
  assert.match(SHIPPED, /events\.jsonl \{[^}]*\bmaxsize 100M\b[^}]*\}/s)
  assert.match(SHIPPED, /gpu-utilization\.jsonl \{[^}]*\bdaily\b[^}]*\bmaxsize 200M\b[^}]*\brotate 14\b[^}]*\}/s)
})

test('group-writable 2775 directory: the shipped config (su) rotates; without su logrotate refuses', { skip: SKIP }, () => {
  const { gid } = ensureTestUsers()
  const layout = makeLayout(gid)
  prepareFile(layout.events, gid)
  writeFileSync(layout.events, '{"n":1}\n')
  const state = join(layout.root, 'state')
  const withoutSu = writeConfig(layout, 'no-su.conf', configFor(layout.dir).replace(/^\s*su root .*\n/gm, ''))
  let r = logrotateSync(['-f', '-s', state, withoutSu])
  assert.notEqual(r.status, 0, 'the control: without su it fails')
  assert.match(r.stderr, /insecure permissions/)
  assert.equal(existsSync(`${layout.events}.1`), false)

  r = logrotateSync(['-f', '-s', state, writeConfig(layout, 'shipped.conf', configFor(layout.dir))])
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stderr, '')
  assert.equal(readFileSync(`${layout.events}.1`, 'utf8'), '{"n":1}\n')
  const st = statSync(layout.events)
  assert.deepEqual([st.uid, st.gid, st.mode & 0o7777], [0, gid, 0o660])
})

test('maxsize twice in one day: the shipped config rotates both times; dateext -%Y%m%d fails the second', { skip: SKIP }, () => {
  const { gid } = ensureTestUsers()
  const bigger = () => (100 << 20) + 4096 // over maxsize 100M; sparse, so no disk is used
  for (const [name, text, secondOk] of [
    ['shipped', configFor, true],
    ['dateext', (dir) => configFor(dir).replace(/^(\s*)nodateext$/gm, '$1dateext\n$1dateformat -%Y%m%d'), false]
  ]) {
    const layout = makeLayout(gid)
    const config = writeConfig(layout, `${name}.conf`, text(layout.dir))
    const state = join(layout.root, 'state')
    const results = []
    for (let i = 0; i < 2; i++) {
      prepareFile(layout.events, gid)
      spawnSync('truncate', ['-s', String(bigger()), layout.events])
      results.push(logrotateSync(['-s', state, config])) // not forced: maxsize decides
    }
    assert.equal(results[0].status, 0, `${name}: first rotation: ${results[0].stderr}`)
    if (secondOk) {
      assert.equal(results[1].status, 0, `${name}: second rotation: ${results[1].stderr}`)
      assert.equal(statSync(layout.events).size, 0, 'rotated away')
      assert.ok(existsSync(`${layout.events}.1`) && existsSync(`${layout.events}.2.gz`))
    } else {
      assert.notEqual(results[1].status, 0, `${name}: the control fails the second rotation`)
      assert.match(results[1].stderr, /already exists/)
      assert.equal(statSync(layout.events).size, bigger(), 'not rotated: it keeps growing')
    }
  }
})

test('stress: writers logging without pause through 100 forced rotations: nothing lost, no stray file', { skip: SKIP || (process.env.DS01_STRESS === '1' ? false : 'set DS01_STRESS=1') }, async (t) => {
  // rotate 1000: with 100 rotations, `rotate 64` would delete files the check needs
  const config = SHIPPED.replace(/^(\s*)rotate 64$/m, '$1rotate 1000')
  const run = await rotationRun(config, {
    seconds: 12,
    rotations: 100,
    only: ['lib-sync', 'js-fallback'],
    writerEnv: { ROTATION_WRITER_PAUSE_MS: '0', ROTATION_WRITER_BURST: '200' }
  })
  const line = summary('stress, create', run)
  t.diagnostic(line)
  assert.deepEqual(run.errors, [], 'logrotate ran clean every time (no "destination already exists")')
  assert.deepEqual(run.other, [], 'no stray files (a writer re-creating the file between rename and create)')
  assert.deepEqual(run.unparsable, [])
  for (const w of run.perWriter) {
    assert.equal(w.missing, 0, `${w.name}: every event reported logged is in some file`)
    assert.equal(w.duplicated, 0, w.name)
    assert.equal(w.attempted - w.reported, 0, `${w.name}: none refused`)
  }
})
