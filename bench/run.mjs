// npm run bench: runs every bench/*.bench.mjs in turn, each in its own process.
// Arguments go to each benchmark (e.g. --quick for a short smoke run).
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'

const dir = new URL('.', import.meta.url).pathname
const only = process.env.BENCH_ONLY // e.g. BENCH_ONLY=log runs log.bench.mjs alone, BENCH_ONLY=bash bash.bench.mjs
const files = readdirSync(dir).filter((f) => f.endsWith('.bench.mjs') && (only === undefined || f.startsWith(only + '.'))).sort()
let failed = 0
for (const file of files) {
  console.log(`\n## ${file}\n`)
  const r = spawnSync(process.execPath, ['--expose-gc', join(dir, file), ...process.argv.slice(2)], { stdio: 'inherit' })
  if (r.status !== 0) {
    console.log(`${file} failed (exit ${r.status ?? r.signal})`)
    failed++
  }
}
process.exit(failed === 0 ? 0 : 1)
