// The GPU waste check's schedule: the shipped timer and service pass
// systemd-analyze, the timer and the cron file run `gpu waste` every 30 minutes,
// `setup` installs them beside the hourly job (rendered for --dir), --no-cron
// installs none, and `setup --uninstall` removes them (keeping foreign files).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCli, scratch } from './helpers/cli.mjs'
import { GROUP, IS_ROOT, REPO, ensureTestUsers } from './helpers/system.mjs'

const ROOT_ONLY = { skip: IS_ROOT ? false : 'needs root' }
const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' })
const NO_ANALYZE = { skip: analyze.error ? 'systemd-analyze is not installed (apt-get install systemd)' : false }
const shipped = (path) => readFileSync(join(REPO, 'deploy', path), 'utf8')

test('the timer fires every 30 minutes; the service runs gpu waste and counts exit 1 (something wasted) as success', NO_ANALYZE, () => {
  const timer = shipped('systemd/ds01-gpu-waste.timer')
  const calendar = /^OnCalendar=(.*)$/m.exec(timer)[1]
  const r = spawnSync('systemd-analyze', ['calendar', '--iterations=3', calendar], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } })
  assert.equal(r.status, 0, r.stderr)
  const times = [...r.stdout.matchAll(/(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) UTC/g)].map((m) => Date.parse(m[1].replace(' ', 'T') + 'Z'))
  assert.equal(times.length >= 3, true, r.stdout)
  assert.deepEqual([times[1] - times[0], times[2] - times[1]], [30 * 60_000, 30 * 60_000])
  assert.equal(new Date(times[0]).getUTCMinutes() % 30, 0)
  const service = shipped('systemd/ds01-gpu-waste.service')
  assert.match(service, /^ExecStart=ds01-events gpu waste$/m)
  assert.match(service, /^SuccessExitStatus=1$/m)
  assert.match(service, /^ReadWritePaths=\/var\/log\/ds01$/m)
})

test('the cron line runs gpu waste every 30 minutes where the timer does not', () => {
  const cron = shipped('cron.d/ds01-gpu-waste')
  const line = cron.split('\n').find((l) => /^\S+ \S+ \S+ \S+ \S+ root /.test(l))
  const [minute, hour, dom, month, dow, user, ...command] = line.split(' ')
  assert.deepEqual([minute, hour, dom, month, dow, user], ['*/30', '*', '*', '*', '*', 'root'])
  assert.ok(cron.endsWith('\n'), 'cron ignores a last line without a newline')
  // run the command as cron would, with a stand-in ds01-events and a systemctl that says the timer is not enabled
  const dir = scratch('ds01-waste-cron-')
  const record = join(dir, 'args')
  writeFileSync(join(dir, 'ds01-events'), `#!/bin/sh\necho "$@" > ${record}\nexit 1\n`, { mode: 0o755 })
  writeFileSync(join(dir, 'systemctl'), '#!/bin/sh\nexit 1\n', { mode: 0o755 })
  const r = spawnSync('sh', ['-c', command.join(' ')], { encoding: 'utf8', env: { PATH: `${dir}:/usr/bin:/bin` } })
  assert.equal(r.stderr, '')
  assert.equal(readFileSync(record, 'utf8'), 'gpu waste\n')
  // where systemd runs and the timer is enabled, it stands down
  if (existsSync('/run/systemd/system')) {
    writeFileSync(join(dir, 'systemctl'), '#!/bin/sh\nexit 0\n', { mode: 0o755 })
    writeFileSync(record, '')
    spawnSync('sh', ['-c', command.join(' ')], { env: { PATH: `${dir}:/usr/bin:/bin` } })
    assert.equal(readFileSync(record, 'utf8'), '')
  }
})

function tree () {
  const root = scratch('ds01-setup-waste-')
  const etc = join(root, 'etc')
  return {
    root,
    dir: join(root, 'var', 'log', 'ds01'),
    logrotateDir: join(etc, 'logrotate.d'),
    cronDir: join(etc, 'cron.hourly'),
    unitDir: join(etc, 'systemd', 'system'),
    cronD: join(etc, 'cron.d')
  }
}

test('setup installs the timer, the service and the cron file beside the hourly job; --no-cron none', ROOT_ONLY, () => {
  ensureTestUsers()
  const t = tree()
  const r = runCli(['setup', '--dir', t.dir, '--group', GROUP, '--logrotate-dir', t.logrotateDir, '--cron-dir', t.cronDir])
  assert.equal(r.status, 0, r.stderr)
  const files = { [join(t.unitDir, 'ds01-gpu-waste.timer')]: 'systemd/ds01-gpu-waste.timer', [join(t.unitDir, 'ds01-gpu-waste.service')]: 'systemd/ds01-gpu-waste.service', [join(t.cronD, 'ds01-gpu-waste')]: 'cron.d/ds01-gpu-waste' }
  const dir = t.dir
  for (const [path, source] of Object.entries(files)) {
    const st = statSync(path)
    assert.deepEqual([st.uid, st.gid, (st.mode & 0o7777).toString(8)], [0, 0, '644'], path)
    const text = readFileSync(path, 'utf8')
    if (source.endsWith('.timer')) assert.equal(text, shipped(source))
    else {
      // rendered for this --dir: the files it reads and the one place it may write
      assert.ok(text.includes(`ds01-events gpu waste --file ${dir}/events.jsonl --gpu-file ${dir}/gpu-utilization.jsonl`), text)
      if (source.endsWith('.service')) assert.match(text, new RegExp(`^ReadWritePaths=${dir}$`, 'm'))
    }
    assert.ok(r.stdout.includes(`${path}: installed`), r.stdout)
  }
  const none = tree()
  const r2 = runCli(['setup', '--dir', none.dir, '--group', GROUP, '--logrotate-dir', none.logrotateDir, '--no-cron'])
  assert.equal(r2.status, 0, r2.stderr)
  assert.equal(existsSync(none.unitDir), false)
  assert.equal(existsSync(none.cronD), false)
})

test('setup --uninstall removes them, the enablement link too, keeps a foreign file, and is quiet the second time', ROOT_ONLY, () => {
  ensureTestUsers()
  const t = tree()
  assert.equal(runCli(['setup', '--dir', t.dir, '--group', GROUP, '--logrotate-dir', t.logrotateDir, '--cron-dir', t.cronDir]).status, 0)
  mkdirSync(join(t.unitDir, 'timers.target.wants'))
  symlinkSync(join(t.unitDir, 'ds01-gpu-waste.timer'), join(t.unitDir, 'timers.target.wants', 'ds01-gpu-waste.timer'))
  writeFileSync(join(t.cronD, 'ds01-gpu-waste'), '# someone else\'s job\n*/5 * * * * root true\n')
  const args = ['setup', '--uninstall', '--dir', t.dir, '--logrotate-dir', t.logrotateDir, '--cron-dir', t.cronDir, '--systemd-dir', t.unitDir]
  const r = runCli(args)
  assert.equal(r.status, 0, r.stderr)
  for (const path of [join(t.unitDir, 'ds01-gpu-waste.timer'), join(t.unitDir, 'ds01-gpu-waste.service'), join(t.unitDir, 'timers.target.wants', 'ds01-gpu-waste.timer')]) {
    assert.equal(existsSync(path), false, path)
    assert.ok(r.stdout.includes(`${path}: removed`), r.stdout)
  }
  assert.equal(readFileSync(join(t.cronD, 'ds01-gpu-waste'), 'utf8'), '# someone else\'s job\n*/5 * * * * root true\n')
  assert.match(r.stdout, /cron\.d\/ds01-gpu-waste: kept \(not installed by ds01-events/)
  const again = runCli(args)
  assert.equal(again.status, 0, again.stderr)
  assert.doesNotMatch(again.stdout, /ds01-gpu-waste\.(timer|service)/)
})
