// Central ingest cost of the fleet store: the statements rsyslog's ompgsql
// sends (one `SELECT ds01_ingest(host, tag, line)` per line, committed per
// batch of 1,000), into a scratch database. Prints rows/s (wall), rows per
// CPU-second of the PostgreSQL backend (per core), and bytes per row (table +
// indexes + TOAST) for events and GPU samples.
//   DS01_BENCH_DB=postgresql://postgres@127.0.0.1:5432/ds01bench node bench/fleet-ingest.mjs [ROWS]
// The database must be a scratch one: the bench applies the schema and empties its tables.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { Client } = require('pg')
const url = process.env.DS01_BENCH_DB
if (!url) {
  console.error('set DS01_BENCH_DB to a scratch database URL')
  process.exit(2)
}
const ROWS = Number(process.argv[2] ?? 100_000)
const BATCH = 1000
const HOSTS = 20

function eventLine (i) {
  const t = new Date(Date.UTC(2026, 0, 30) + i * 10).toISOString().replace('Z', '000Z')
  const user = `user${i % 50}`
  return `{"timestamp":"${t}","event_type":"container.create","schema_version":"1","user":"${user}","source":"docker-wrapper","details":{"container":"${user}-job-${i}","interface":"orchestration","gpu":"${i % 8}","image":"ds01/pytorch:latest"}}`
}

function gpuLine (i) {
  const t = new Date(Date.UTC(2026, 0, 30) + i * 10).toISOString().replace('Z', '000Z')
  return `{"timestamp":"${t}","event_type":"gpu.utilization","schema_version":"1","source":"gpu-monitor","details":{"gpu_index":${i % 8},"gpu_uuid":"GPU-5f3c1a2b-0c4d-4e6f-8a9b-${String(i % 8).padStart(12, '0')}","name":"NVIDIA H100 80GB HBM3","gpu_util_percent":${i % 100},"mem_util_percent":${(i * 7) % 100},"mem_used_mb":${(i * 13) % 81559},"mem_total_mb":81559,"temperature_c":${40 + (i % 40)},"power_w":${(100 + (i % 600)).toFixed(2)}}}`
}

function cpuSeconds (pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100 // utime + stime, clock ticks
}

async function run (client, tag, lineOf) {
  const pid = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid
  const cpu0 = cpuSeconds(pid)
  const t0 = process.hrtime.bigint()
  for (let start = 0; start < ROWS; start += BATCH) {
    // one simple-protocol round trip per batch, as ompgsql's transaction
    let sql = 'BEGIN;'
    for (let i = start; i < Math.min(ROWS, start + BATCH); i++) {
      sql += `SELECT ds01_ingest('gpu-${String(i % HOSTS).padStart(2, '0')}.example', '${tag}', '${lineOf(i).replace(/'/g, "''")}');`
    }
    await client.query(sql + 'COMMIT;')
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e9
  const cpu = cpuSeconds(pid) - cpu0
  return { wall, cpu }
}

const client = new Client({ connectionString: url })
await client.connect()
await client.query('SET client_min_messages = warning')
await client.query(readFileSync(new URL('../deploy/postgresql/ds01-events.sql', import.meta.url), 'utf8'))
await client.query('TRUNCATE ds01_events, ds01_gpu_samples, ds01_quarantine')
const results = {}
for (const [name, tag, lineOf, table] of [['events', 'ds01-events', eventLine, 'ds01_events'], ['gpu samples', 'ds01-gpu', gpuLine, 'ds01_gpu_samples']]) {
  const { wall, cpu } = await run(client, tag, lineOf)
  await client.query(`VACUUM ANALYZE ${table}`)
  const size = (await client.query(`SELECT pg_total_relation_size('${table}') AS bytes, pg_relation_size('${table}') AS heap, (SELECT count(*) FROM ${table}) AS n`)).rows[0]
  const lineBytes = Buffer.byteLength(lineOf(ROWS >> 1)) + 1
  results[name] = {
    rows: Number(size.n),
    rows_per_s: Math.round(ROWS / wall),
    rows_per_backend_cpu_s: Math.round(ROWS / cpu),
    bytes_per_row: Math.round(Number(size.bytes) / Number(size.n)),
    heap_bytes_per_row: Math.round(Number(size.heap) / Number(size.n)),
    line_bytes: lineBytes,
    gb_per_million: +(Number(size.bytes) / Number(size.n) * 1e6 / 1e9).toFixed(2)
  }
}
// a second pass of the same lines: what imfile's re-reads cost (all conflicts)
const again = await run(client, 'ds01-events', eventLine)
results['events re-sent (duplicates)'] = { rows_per_s: Math.round(ROWS / again.wall), rows_per_backend_cpu_s: Math.round(ROWS / again.cpu) }
await client.end()
console.log(JSON.stringify({ rows: ROWS, batch: BATCH, results }, null, 2))
