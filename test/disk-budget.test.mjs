// The disk is a budget: the GPU log's growth per GPU per sample is what the
// agent really writes; both logs have a size bound that holds between
// logrotate's runs (maxsize + the hourly job), and the shipped retention fits
// the budget stated in docs/deployment.md ("Disk budget").
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, chownSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import gpuCli from '../dist/gpu-monitor/cli.js'
import { makeSandbox, startAgent, readEvents, waitFor } from './fixtures/gpu-monitor.mjs'
import { GROUP, IS_ROOT, REPO, ensureTestUsers, makeLayout } from './helpers/system.mjs'

const SHIPPED = readFileSync(join(REPO, 'deploy', 'logrotate.d', 'ds01'), 'utf8')
const LOGROTATE = ['/usr/sbin/logrotate', '/sbin/logrotate', '/usr/bin/logrotate'].find((p) => existsSync(p))
const MIB = 1024 * 1024
/** gzip -6 shrinks the agent's output 16x (fake nvidia-smi, 8 GPUs); real readings vary more: the budget assumes 10x. */
const COMPRESSION = 10

/** { maxsize (bytes), rotate, daily } of one file's block in the shipped config. */
function block (name) {
  const text = SHIPPED.split(/^(?=\/)/m).find((b) => b.startsWith(`/var/log/ds01/${name} {`))
  assert.ok(text, name)
  const maxsize = /^\s*maxsize (\d+)M$/m.exec(text)
  const rotate = /^\s*rotate (\d+)$/m.exec(text)
  assert.ok(maxsize && rotate, `${name}: maxsize and rotate`)
  return { maxsize: Number(maxsize[1]) * MIB, rotate: Number(rotate[1]), daily: /^\s*daily$/m.test(text) }
}

/**
 * The most one log takes on disk when it grows by `perHour`: the live file and
 * the newest rotated one (delaycompress keeps it plain) hold at most maxsize plus
 * an hour of growth (the hourly job), and the other rotate - 1 are compressed.
 */
function worstCase ({ maxsize, rotate }, perHour) {
  const file = maxsize + perHour
  return 2 * file + (rotate - 1) * file / COMPRESSION
}

function gpuBytesPerHour (gpus, intervalMs) {
  return gpuCli.BYTES_PER_GPU_SAMPLE * gpus * 3_600_000 / intervalMs
}

test('the agent writes about BYTES_PER_GPU_SAMPLE bytes per GPU per sample (its real output, 8 GPUs), and says so at start-up', async (t) => {
  const sandbox = makeSandbox()
  t.after(sandbox.remove)
  const run = startAgent(sandbox, ['--interval', '50'], { FAKE_NVIDIA_SMI_GPUS: '8' })
  await waitFor(() => existsSync(sandbox.gpuFile) && statSync(sandbox.gpuFile).size > 200_000, 'samples on disk')
  run.child.kill('SIGTERM')
  assert.equal((await run.exited).code, 0, run.stderr)
  const lines = readEvents(sandbox.gpuFile).length
  const perLine = statSync(sandbox.gpuFile).size / lines
  assert.ok(Math.abs(perLine - gpuCli.BYTES_PER_GPU_SAMPLE) / gpuCli.BYTES_PER_GPU_SAMPLE < 0.05, `${perLine.toFixed(1)} bytes per line`)
  assert.match(run.stderr, /disk: about 350 bytes per GPU per sample: 605 MB per GPU per day, 4\.8 GB a day for 8 GPUs/)
  assert.equal(gpuCli.dailyCost(1000), 'about 350 bytes per GPU per sample: 30 MB per GPU per day, 242 MB a day for 8 GPUs')
})

test('the shipped retention fits the budget: GPU log <= 1.4 GB for 8 GPUs at 50 ms, <= 0.75 GB at 1 s; event log <= 1.8 GB at 100 MB an hour', () => {
  const gpu = block('gpu-utilization.jsonl')
  const events = block('events.jsonl')
  assert.ok(gpu.daily && events.daily, 'both rotate daily at least')
  assert.ok(worstCase(gpu, gpuBytesPerHour(8, 50)) <= 1.4e9, `${worstCase(gpu, gpuBytesPerHour(8, 50))}`)
  assert.ok(worstCase(gpu, gpuBytesPerHour(8, 1000)) <= 0.75e9, `${worstCase(gpu, gpuBytesPerHour(8, 1000))}`)
  assert.ok(worstCase(events, 100e6) <= 1.8e9, `${worstCase(events, 100e6)}`)
  const hourly = readFileSync(join(REPO, 'deploy', 'cron.hourly', 'ds01-logrotate'), 'utf8')
  assert.match(hourly, /^exec \/usr\/sbin\/logrotate \/etc\/logrotate\.d\/ds01$/m, 'maxsize acts every hour')
})

test('both logs past their maxsize are rotated by a plain (not forced) run, as the hourly job does', { skip: !IS_ROOT ? 'needs root (logrotate su)' : !LOGROTATE ? 'needs logrotate (apt-get install logrotate)' : false }, () => {
  const { gid } = ensureTestUsers()
  const layout = makeLayout(gid)
  const config = join(layout.root, 'ds01.conf')
  writeFileSync(config, SHIPPED.split('/var/log/ds01/').join(`${layout.dir}/`).replace(/ root docker$/gm, ` root ${GROUP}`), { mode: 0o644 })
  for (const [file, name] of [[layout.events, 'events.jsonl'], [layout.gpu, 'gpu-utilization.jsonl']]) {
    writeFileSync(file, '{"n":1}\n')
    chownSync(file, 0, gid)
    chmodSync(file, 0o660)
    spawnSync('truncate', ['-s', String(block(name).maxsize + 4096), file]) // sparse: no disk used
  }
  const r = spawnSync(LOGROTATE, ['-s', join(layout.root, 'state'), config], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  for (const file of [layout.events, layout.gpu]) {
    assert.ok(existsSync(`${file}.1`), `${file} rotated by size`)
    assert.equal(statSync(file).size, 0)
  }
})
