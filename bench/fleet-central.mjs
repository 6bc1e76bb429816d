// The whole central path, measured: a sender rsyslog ships a log of ROWS event
// lines over RELP (loopback) to the central rsyslog, which inserts them into a
// PostgreSQL cluster started here. Prints rows/s (wall, until the last row is
// stored) and CPU-seconds of the central rsyslogd and of PostgreSQL's backend,
// as rows per core-second of the central host. Root; Debian packages rsyslog,
// rsyslog-relp, rsyslog-pgsql, postgresql, acl.
//   node bench/fleet-central.mjs [ROWS]
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fleetMissing, freePort, Rsyslog, startPostgres, waitListening } from '../test/helpers/fleet.mjs'

const require = createRequire(import.meta.url)
const { Client } = require('pg')
const ROWS = Number(process.argv[2] ?? 100_000)
const REPO = new URL('..', import.meta.url).pathname
const CLI = join(REPO, 'bin', 'ds01-events.js')
const missing = fleetMissing()
if (missing !== undefined) {
  console.error(`bench/fleet-central: ${missing}`)
  process.exit(2)
}

function cpuSeconds (pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

function cli (args) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`)
}

const root = mkdtempSync(join(tmpdir(), 'ds01-bench-fleet-'))
chmodSync(root, 0o755)
const stops = []
try {
  const pg = await startPostgres(join(root, 'pg'))
  stops.push(() => pg.stop())
  const port = await freePort()
  const dbFile = join(root, 'db.url')
  writeFileSync(dbFile, pg.url + '\n', { mode: 0o600 })
  const pki = join(root, 'pki')
  cli(['setup', '--central', '--db-file', dbFile, '--name', 'central.bench', '--listen', `127.0.0.1:${port}`, '--archive', join(root, 'archive'),
    '--rsyslog-dir', join(root, 'central.d'), '--pki-dir', pki, '--rsyslog-user', 'root', '--logrotate-dir', join(root, 'logrotate.d')])
  cli(['setup', '--central', '--add-host', 'bench-host', '--pki-dir', pki, '--rsyslog-dir', join(root, 'central.d')])
  const logDir = join(root, 'log')
  mkdirSync(logDir)
  const lines = []
  for (let i = 0; i < ROWS; i++) {
    const t = new Date(Date.UTC(2026, 0, 30) + i * 10).toISOString().replace('Z', '000Z')
    lines.push(`{"timestamp":"${t}","event_type":"container.create","schema_version":"1","user":"user${i % 50}","source":"docker-wrapper","details":{"container":"user${i % 50}-job-${i}","interface":"orchestration","gpu":"${i % 8}","image":"ds01/pytorch:latest"}}`)
  }
  writeFileSync(join(logDir, 'events.jsonl'), lines.join('\n') + '\n')
  writeFileSync(join(logDir, 'gpu-utilization.jsonl'), '')
  cli(['setup', '--forward', '127.0.0.1', '--tls-bundle', join(pki, 'bundles', 'bench-host'), '--tls-dir', join(root, 'tls'), '--rsyslog-user', 'root', '--dir', logDir, '--reader-group', 'root', '--rsyslog-dir', join(root, 'sender.d'),
    '--rsyslog-workdir', join(root, 'sender', 'work'), '--systemd-dir', join(root, 'systemd'), '--sbin-dir', join(root, 'sbin')])
  const central = new Rsyslog({ dir: join(root, 'central'), include: [join(root, 'central.d', '60-ds01-central.conf'), join(root, 'central.d', '61-ds01-central-hosts.conf')] })
  central.start()
  stops.push(() => central.stop())
  await waitListening(port)
  const db = new Client({ connectionString: pg.url })
  await db.connect()
  stops.push(() => db.end())
  const centralCpu0 = cpuSeconds(central.pid)
  const sender = new Rsyslog({ dir: join(root, 'sender'), include: join(root, 'sender.d', '60-ds01-forward.conf'), hostname: 'bench-host' })
  const t0 = Date.now()
  sender.start()
  stops.push(() => sender.stop())
  let stored = 0
  while (stored < ROWS) {
    await sleep(200)
    stored = Number((await db.query('SELECT count(*) AS n FROM ds01_events')).rows[0].n)
    if (Date.now() - t0 > 600_000) throw new Error(`only ${stored} of ${ROWS} rows after 10 minutes`)
  }
  const wall = (Date.now() - t0) / 1000
  const backends = (await db.query("SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")).rows.map((r) => r.pid)
  const pgCpu = backends.reduce((sum, pid) => sum + cpuSeconds(pid), 0)
  const centralCpu = cpuSeconds(central.pid) - centralCpu0
  console.log(JSON.stringify({
    rows: ROWS,
    wall_s: wall,
    rows_per_s: Math.round(ROWS / wall),
    central_rsyslogd_cpu_s: centralCpu,
    postgres_backend_cpu_s: pgCpu,
    rows_per_central_core_s: Math.round(ROWS / (centralCpu + pgCpu))
  }, null, 2))
} finally {
  for (const stop of stops.reverse()) {
    try { await stop() } catch (err) { console.error(err) }
  }
  rmSync(root, { recursive: true, force: true })
}
