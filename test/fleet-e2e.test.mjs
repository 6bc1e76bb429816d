// The fleet, end to end, with the real daemons on loopback: two GPU "hosts"
// (each a log folder written by the library, the CLI and the GPU agent, and a
// sender rsyslog privilege-dropped like Ubuntu's, reading 0660 root:GROUP files
// through the ACL `setup --forward` sets), one central rsyslog (`setup
// --central`), and PostgreSQL. Meanwhile: rotations with the real logrotate
// and the shipped config, the central stopped and started again, a sender
// restarted across a rotation, and a bare-NaN line. Then every line on every
// host's disk (all generations) is in PostgreSQL exactly once with its host,
// and nothing else is; query --db answers as the host's files do.
// DS01_STRESS=1: 100 s of load and a 30 s outage (CI: 24 s and 8 s).
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { appendFileSync, chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { gunzipSync } from 'node:zlib'
import { fleetMissing, fleetScratch, Rsyslog, startPostgres, freePorts, waitListening } from './helpers/fleet.mjs'
import { REPO, testName } from './helpers/system.mjs'

const require = createRequire(import.meta.url)
const STRESS = process.env.DS01_STRESS === '1'
const LOAD_S = STRESS ? 100 : 24
const OUTAGE_S = STRESS ? 30 : 8
const ROTATE_EVERY_MS = STRESS ? 8000 : 4000
const HOSTS = ['gpu-a.test', 'gpu-b.test']
const CLI = join(REPO, 'bin', 'ds01-events.js')
const FAKE_SMI = join(REPO, 'test', 'fixtures', 'fake-nvidia-smi')
const missing = fleetMissing()
// CI has every package (.ci/run installs them): there a missing one is a failure, not a skip
const options = { timeout: (LOAD_S + OUTAGE_S + 400) * 1000, skip: process.env.CI ? false : missing }

function cli (args, env = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, ...env } })
  assert.equal(r.status, 0, `ds01-events ${args.join(' ')}: ${r.stderr}${r.stdout}`)
  return r.stdout
}

function shadow (command, args) {
  spawnSync(command, args, { stdio: 'ignore' })
}

/** Every line of every generation of `base` in `dir` (plain, .N, .N.gz). */
function linesOnDisk (dir, base) {
  const lines = []
  for (const name of readdirSync(dir)) {
    if (!new RegExp(`^${base.replace('.', '\\.')}(\\.\\d+(\\.gz)?)?$`).test(name)) continue
    const bytes = readFileSync(join(dir, name))
    const text = (name.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8')
    for (const line of text.split('\n')) if (line !== '') lines.push(line)
  }
  return lines.sort()
}

/** Spawns a long-running writer; returns a stop function. */
function keep (command, args, env) {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } })
  let stderr = ''
  child.stderr.on('data', (chunk) => { stderr += chunk })
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  return {
    async stop () {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      return { ...(await exited), stderr }
    }
  }
}

test('fleet: two senders, a central rsyslog and PostgreSQL keep every line exactly once through rotations and outages', options, async (t) => {
  if (missing !== undefined) assert.fail(`CI lacks what the fleet test needs: ${missing}`)
  const syslogUser = testName('fsyslog') // stands in for Ubuntu's syslog user ...
  const admGroup = testName('fadm') // ... in group adm
  const logGroup = testName('fdocker') // stands in for docker: the log files are 0660 root:logGroup
  const { root, cleanups } = fleetScratch(t, 'ds01-fleet-')

  shadow('groupadd', [admGroup])
  shadow('groupadd', [logGroup])
  cleanups.push(() => { shadow('groupdel', [admGroup]); shadow('groupdel', [logGroup]) })
  shadow('useradd', ['-M', '-U', '-s', '/usr/sbin/nologin', '-G', admGroup, syslogUser])
  cleanups.push(() => { shadow('userdel', [syslogUser]); shadow('groupdel', [syslogUser]) })
  assert.equal(spawnSync('id', ['-u', syslogUser]).status, 0, 'test user created')

  const pg = await startPostgres(join(root, 'pg'))
  cleanups.push(() => pg.stop())

  // the central host: privilege-dropped like Ubuntu's, one TLS listener per host
  const relpPort = await freePorts(HOSTS.length)
  const centralDir = join(root, 'central')
  const rsyslogD = join(centralDir, 'rsyslog.d')
  const pki = join(centralDir, 'pki')
  const dbFile = join(root, 'db.url')
  writeFileSync(dbFile, pg.url + '\n', { mode: 0o600 })
  const centralArgs = ['setup', '--central', '--db-file', dbFile, '--name', 'central.test', '--listen', `127.0.0.1:${relpPort}`, '--archive', join(centralDir, 'archive'),
    '--rsyslog-dir', rsyslogD, '--pki-dir', pki, '--rsyslog-user', syslogUser, '--logrotate-dir', join(centralDir, 'logrotate.d')]
  cli(centralArgs)
  for (const name of HOSTS) cli(['setup', '--central', '--add-host', name, '--pki-dir', pki, '--rsyslog-dir', rsyslogD])
  // idempotent: a second run changes nothing
  assert.match(cli(centralArgs), /60-ds01-central\.conf: ok/)
  const central = new Rsyslog({ dir: centralDir, include: [join(rsyslogD, '60-ds01-central.conf'), join(rsyslogD, '61-ds01-central-hosts.conf')], dropToUser: syslogUser })
  central.start()
  cleanups.push(() => central.stop())
  for (let i = 0; i < HOSTS.length; i++) await waitListening(relpPort + i)

  // the GPU hosts
  const hosts = HOSTS.map((name) => {
    const dir = join(root, name)
    const logDir = join(dir, 'log')
    cli(['setup', '--dir', logDir, '--group', logGroup, '--logrotate-dir', join(dir, 'logrotate.d'), '--no-cron'])
    // the spec's mode: 0660, so only root, the group and (by ACL) rsyslog's group read them
    for (const name of ['events.jsonl', 'gpu-utilization.jsonl']) chmodSync(join(logDir, name), 0o660)
    const logrotateConfig = join(dir, 'logrotate.d', 'ds01')
    writeFileSync(logrotateConfig, readFileSync(logrotateConfig, 'utf8').replace(/create 0664/g, 'create 0660'))
    const forwardArgs = ['setup', '--forward', '127.0.0.1', '--tls-bundle', join(pki, 'bundles', name), '--tls-dir', join(dir, 'tls'), '--rsyslog-user', syslogUser, '--dir', logDir, '--reader-group', admGroup, '--rsyslog-dir', join(dir, 'rsyslog.d'),
      '--rsyslog-workdir', join(dir, 'rsyslog', 'work'), '--systemd-dir', join(dir, 'systemd'), '--sbin-dir', join(dir, 'sbin')]
    cli(forwardArgs)
    assert.match(cli(forwardArgs), /60-ds01-forward\.conf: ok/)
    // the second host's rsyslog calls itself by the first one's name: the central stores what its certificate says
    const sender = new Rsyslog({ dir: join(dir, 'rsyslog'), include: join(dir, 'rsyslog.d', '60-ds01-forward.conf'), hostname: HOSTS[0], dropToUser: syslogUser })
    // what systemd runs before rsyslog starts (ExecStartPre of the installed drop-in)
    const dropIn = readFileSync(join(dir, 'systemd', 'rsyslog.service.d', 'ds01-events.conf'), 'utf8')
    const preStart = /^ExecStartPre=(.+)$/m.exec(dropIn)[1].split(' ')
    return { name, dir, logDir, preStart, logrotateConfig, sender, events: join(logDir, 'events.jsonl'), gpu: join(logDir, 'gpu-utilization.jsonl') }
  })
  // the stand-in syslog user cannot read the logs by their mode alone: only the ACL lets it
  const probe = join(hosts[0].logDir, 'no-acl-probe')
  writeFileSync(probe, 'x\n', { mode: 0o660 })
  spawnSync('setfacl', ['-b', probe])
  assert.notEqual(spawnSync('runuser', ['-u', syslogUser, '--', 'cat', probe]).status, 0, 'a 0660 file without the ACL is unreadable to the syslog user')
  rmSync(probe)
  assert.equal(spawnSync('runuser', ['-u', syslogUser, '--', 'cat', hosts[0].events]).status, 0, 'the ACL lets the syslog user read events.jsonl')

  for (const host of hosts) {
    assert.equal(spawnSync(host.preStart[0], host.preStart.slice(1)).status, 0)
    host.sender.start()
    cleanups.push(() => host.sender.stop())
    const uid = await host.sender.waitDropped()
    assert.equal(uid, Number(spawnSync('id', ['-u', syslogUser], { encoding: 'utf8' }).stdout.trim()))
  }

  // load on both hosts: library (paced), CLI (one process per event), GPU agent
  const writers = []
  const stopFile = join(root, 'stop')
  for (const host of hosts) {
    const env = { DS01_EVENTS_FILE: host.events, DS01_GPU_UTILIZATION_FILE: host.gpu, ROTATION_WRITER_BURST: '5', ROTATION_WRITER_PAUSE_MS: '25' }
    writers.push(keep(process.execPath, [join(REPO, 'test', 'helpers', 'rotation-writer.mjs'), 'sync', REPO, stopFile, join(root, `${host.name}.report`), host.name], env))
    writers.push(keep(process.execPath, [CLI, 'gpu-monitor', '--interval', '200', '--nvidia-smi', FAKE_SMI, '--file', host.gpu], env))
  }
  let cliRunning = true
  const cliLoop = (async () => {
    for (let seq = 0; cliRunning; seq++) {
      const host = hosts[seq % hosts.length]
      const user = ['alice', 'bob', "o'brien"][seq % 3]
      await new Promise((resolve) => spawn(process.execPath, [CLI, 'log', 'container.create', `user=${user}`, `container=${user}-job-${seq}`, `gpu=${seq % 4}`],
        { stdio: 'ignore', env: { ...process.env, DS01_EVENTS_FILE: host.events } }).once('exit', resolve))
      await sleep(50)
    }
  })()
  let rotating = true
  // while a sender is down, only the one rotation below: a file rotated twice
  // while its sender is down is compressed past imfile's reach (docs/fleet.md)
  let senderDown = false
  const rotate = (host) => {
    const r = spawnSync('logrotate', ['-f', '-s', join(host.dir, 'logrotate.state'), host.logrotateConfig], { encoding: 'utf8' })
    assert.equal(r.status, 0, `logrotate: ${r.stderr}`)
  }
  const rotations = (async () => {
    while (rotating) {
      await sleep(ROTATE_EVERY_MS)
      if (rotating && !senderDown) for (const host of hosts) rotate(host)
    }
  })()

  const started = Date.now()
  const at = (s) => sleep(Math.max(0, started + s * 1000 - Date.now()))
  // a line the older Python writer could emit: not JSON; must not stall the lines behind it
  await at(2)
  const nanLine = '{"timestamp":"2026-01-30T14:30:00.000000Z","event_type":"health.check","schema_version":"1","details":{"load":NaN}}'
  appendFileSync(hosts[0].events, nanLine + '\n')
  // a sender stopped, its files rotated while it is down, then started again (before the central's
  // outage: a TLS sender may stall after a central restart, and one stopped then loses its window, docs/fleet.md)
  await at(3)
  senderDown = true
  await hosts[1].sender.stop()
  rotate(hosts[1])
  await sleep(1500)
  const clean = spawnSync(hosts[1].preStart[0], hosts[1].preStart.slice(1), { encoding: 'utf8' })
  assert.equal(clean.status, 0, clean.stderr)
  hosts[1].sender.start()
  senderDown = false
  await at(9)
  await central.stop()
  await at(9 + OUTAGE_S)
  central.start()
  await waitListening(relpPort)
  await waitListening(relpPort + 1)
  await at(LOAD_S)

  rotating = false
  cliRunning = false
  writeFileSync(stopFile, '')
  await rotations
  await cliLoop
  for (const writer of writers) {
    const { stderr } = await writer.stop()
    assert.doesNotMatch(stderr, /refused|failed|error/i, stderr)
  }

  // what is on every host's disk, all generations
  const expected = { events: [], gpu: [], quarantine: [] }
  for (const host of hosts) {
    for (const line of linesOnDisk(host.logDir, 'events.jsonl')) {
      // a bare NaN is read as null (as the file reader does) and listed in the quarantine too
      if (line === nanLine) expected.quarantine.push(`${host.name}\t${line}`)
      expected.events.push(`${host.name}\t${line}`)
    }
    for (const line of linesOnDisk(host.logDir, 'gpu-utilization.jsonl')) expected.gpu.push(`${host.name}\t${line}`)
  }
  for (const key of Object.keys(expected)) expected[key].sort()
  assert.equal(new Set(expected.events).size, expected.events.length, 'the writers wrote no line twice (so "exactly once" is well defined)')
  assert.ok(expected.events.length > LOAD_S * 100, `load reached the disk: ${expected.events.length} events`)
  assert.deepEqual(expected.quarantine, [`${hosts[0].name}\t${nanLine}`])
  const generations = readdirSync(hosts[0].logDir).filter((n) => /\.gz$/.test(n))
  assert.ok(generations.length >= 2, `rotations happened: ${readdirSync(hosts[0].logDir).join(' ')}`)

  const { Client } = require('pg')
  const db = new Client({ connectionString: pg.url })
  await db.connect()
  cleanups.push(() => db.end())
  const rows = async (table) => (await db.query(`SELECT host || E'\\t' || line AS l FROM ${table}`)).rows.map((r) => r.l).sort()
  // wait for the queues to drain: the senders retry, the central's pgsql queue empties
  let actual
  let kicks = 0
  for (let i = 0; i < (process.env.DS01_FLEET_KEEP === '1' ? 20 : 180); i++) {
    actual = { events: await rows('ds01_events'), gpu: await rows('ds01_gpu_samples'), quarantine: await rows('ds01_quarantine') }
    if (actual.events.length >= expected.events.length && actual.gpu.length >= expected.gpu.length) break
    if (i > 0 && i % 40 === 0) {
      // librelp 1.11's TLS client may stall after the central restarted, until its connection breaks
      // again: restarting the central (its queues are on disk) frees it, and loses nothing (docs/fleet.md)
      kicks++
      await central.stop()
      central.start()
    }
    await sleep(1000)
  }
  t.diagnostic(`central restarted ${kicks} more time(s) to free a stalled TLS sender`)
  if (process.env.DS01_FLEET_KEEP === '1') {
    const stored = new Set(actual.events)
    const missingLines = expected.events.filter((x) => !stored.has(x))
    console.error(`missing ${missingLines.length}: first ${missingLines[0]}, last ${missingLines.at(-1)}`)
  }
  // settle a little more: anything extra would arrive now
  await sleep(3000)
  actual = { events: await rows('ds01_events'), gpu: await rows('ds01_gpu_samples'), quarantine: await rows('ds01_quarantine') }
  const diff = (a, b) => {
    const inB = new Set(b)
    return a.filter((x) => !inB.has(x)).slice(0, 3)
  }
  assert.deepEqual({ missing: diff(expected.events, actual.events), extra: diff(actual.events, expected.events) }, { missing: [], extra: [] },
    `events: ${expected.events.length} on disk, ${actual.events.length} in PostgreSQL\ncentral: ${central.output()}`)
  assert.equal(actual.events.length, expected.events.length)
  assert.deepEqual(actual.events, expected.events, 'every event line exactly once, with its host')
  assert.deepEqual(actual.gpu, expected.gpu, 'every GPU sample exactly once, with its host')
  assert.deepEqual(actual.quarantine, expected.quarantine, 'the NaN line is in the quarantine, nothing else')
  const nanRow = await db.query("SELECT event->'details'->'load' AS load FROM ds01_events WHERE line = $1", [nanLine])
  assert.deepEqual(nanRow.rows, [{ load: null }], 'the NaN line is queryable, NaN read as null')
  const typed = await db.query("SELECT count(*)::int AS n FROM ds01_events WHERE ts IS NULL OR event_type IS NULL")
  assert.equal(typed.rows[0].n, 0, 'every row has its time and type')

  // the raw archive holds every line too (at least once: imfile may re-read)
  let sent = 0
  let distinct = 0
  for (const host of hosts) {
    const all = linesOnDisk(join(centralDir, 'archive', host.name), 'events.jsonl')
    sent += all.length
    const archived = new Set(all)
    distinct += archived.size
    const own = linesOnDisk(host.logDir, 'events.jsonl')
    assert.deepEqual(own.filter((line) => !archived.has(line)), [], `${host.name}: archive has every line`)
  }
  // what crossed RELP (docs/fleet.md states this figure): the .1 inputs re-send rotated files
  t.diagnostic(`archive: ${sent} lines received for ${distinct} distinct (${Math.round((sent / distinct - 1) * 100)} % sent twice)`)
  t.diagnostic(`stored and checked after ${Math.round((Date.now() - started) / 1000)} s`)
  // query --db answers as query over each host's own files, for the same filters
  const middle = new Date(started + (LOAD_S / 2) * 1000).toISOString()
  const filters = [[], ['--user', "o'brien", '--type', 'container'], ['--type', '*.selftest', '--where', 'result=ok', '--since', middle],
    ['--container', 'bob-job-4', '--container', 'alice-job-9'], ['--where', 'gpu=2', '--user', 'alice'], ['--until', middle, '--type', 'health']]
  const selected = new Map(filters.map((f) => [f, 0]))
  for (const host of hosts) {
    for (const filter of filters) {
      const fromFiles = cli(['query', '--file', host.events, '--json', '--all', ...filter]).split('\n').filter(Boolean).sort()
      const fromDb = cli(['query', '--db', pg.url, '--host', host.name, '--json', '--all', ...filter]).split('\n').filter(Boolean).sort()
      selected.set(filter, selected.get(filter) + fromFiles.length)
      assert.deepEqual(fromDb, fromFiles, `query --db --host ${host.name} ${filter.join(' ')} answers as query --file`)
      const summaryFiles = JSON.parse(cli(['query', '--file', host.events, '--summary', '--json', ...filter]))
      const summaryDb = JSON.parse(cli(['query', '--db', pg.url, '--host', host.name, '--summary', '--json', ...filter]))
      assert.deepEqual(summaryDb.by_host, summaryFiles.total === 0 ? {} : { [host.name]: summaryFiles.total })
      delete summaryDb.by_host
      assert.deepEqual(summaryDb, summaryFiles, `summary ${filter.join(' ')} on ${host.name}`)
    }
  }
  for (const [filter, n] of selected) assert.ok(n > 0, `filter ${filter.join(' ')} selects something`)
  // across hosts: the union of both hosts' answers, and the host column in human output
  const both = cli(['query', '--db', pg.url, '--json', '--all', '--user', 'bob']).split('\n').filter(Boolean).sort()
  const eachHost = hosts.flatMap((host) => cli(['query', '--file', host.events, '--json', '--all', '--user', 'bob']).split('\n').filter(Boolean)).sort()
  assert.deepEqual(both, eachHost)
  const human = cli(['query', '--db', pg.url, '--user', 'bob', '--limit', '5'], { NO_COLOR: '1' })
  // the last 5 (fewer when the CLI loop, one process per event, logged fewer under load)
  assert.equal(human.trim().split('\n').length, Math.min(5, eachHost.length), human)
  assert.match(human, new RegExp(`host=(${HOSTS.map((h) => h.replace(/\./g, '\\.')).join('|')})`))

  // --follow: a new event logged on a host comes out of the database through the whole pipeline
  const follow = spawn(process.execPath, [CLI, 'query', '--db', pg.url, '--follow', '--json', '--limit', '1', '--poll-ms', '200', '--host', hosts[0].name, '--type', 'test.cli'],
    { stdio: ['ignore', 'pipe', 'pipe'] })
  let followed = ''
  follow.stdout.on('data', (chunk) => { followed += chunk })
  const followExit = new Promise((resolve) => follow.once('exit', (code) => resolve(code)))
  cleanups.push(() => follow.kill('SIGKILL'))
  await sleep(1500)
  cli(['log', 'test.cli', 'result=followed'], { DS01_EVENTS_FILE: hosts[0].events })
  cli(['log', 'test.cli', 'result=elsewhere'], { DS01_EVENTS_FILE: hosts[1].events })
  for (let i = 0; i < 300 && !followed.includes('"result":"followed"'); i++) await sleep(100)
  follow.kill('SIGINT')
  assert.equal(await followExit, 0, 'follow ends with status 0 on Ctrl-C')
  const followedLines = followed.split('\n').filter(Boolean)
  assert.equal(followedLines.length, 1, followed)
  assert.match(followedLines[0], /"result":"followed"/)

  t.diagnostic(`events ${actual.events.length}, gpu samples ${actual.gpu.length}, rotations every ${ROTATE_EVERY_MS} ms, outage ${OUTAGE_S} s`)
})
