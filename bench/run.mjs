// npm run bench: runs every bench/*.bench.mjs in turn, each in its own process,
// then says how long each took. Arguments go to each benchmark (e.g. --quick
// for a short smoke run). BENCH_ONLY=NAME runs NAME.bench.mjs alone.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'

const dir = new URL('.', import.meta.url).pathname
const all = readdirSync(dir).filter((f) => f.endsWith('.bench.mjs')).sort()
const only = process.env.BENCH_ONLY
const files = all.filter((f) => only === undefined || only === '' || f.startsWith(only + '.'))
if (files.length === 0) {
  console.error(`bench: no benchmark named '${only}' (BENCH_ONLY=NAME runs NAME.bench.mjs; there are: ${all.map((f) => f.replace('.bench.mjs', '')).join(', ')})`)
  process.exit(2)
}
let failed = 0
const took = []
const started = process.hrtime.bigint()
for (const file of files) {
  console.log(`\n## ${file}\n`)
  const t0 = process.hrtime.bigint()
  const r = spawnSync(process.execPath, ['--expose-gc', join(dir, file), ...process.argv.slice(2)], { stdio: 'inherit' })
  took.push([file, Number(process.hrtime.bigint() - t0) / 1e9, r.status === 0])
  if (r.status !== 0) {
    console.log(`${file} failed (exit ${r.status ?? r.signal})`)
    failed++
  }
}
console.log('\n## how long each took\n')
for (const [file, seconds, ok] of took) console.log(`${file.padEnd(28)} ${seconds.toFixed(0).padStart(5)} s${ok ? '' : '  (failed)'}`)
console.log(`${'total'.padEnd(28)} ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(0).padStart(5)} s`)
process.exit(failed === 0 ? 0 : 1)
