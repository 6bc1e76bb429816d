// Run inside `unshare --mount --propagation private` (as root): an empty
// /var/log (a private tmpfs, 0755 like Debian's), so /var/log/ds01 is missing
// as on a fresh host, and the host's own /var/log is never touched. Runs the
// steps given as JSON in argv[2] ([{ user?, argv }]) in order; prints, as
// JSON, each step's result and the state of /var/log/ds01 after it.
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const DIR = '/var/log/ds01'

const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'mode=0755', 'tmpfs', '/var/log'], { encoding: 'utf8' })
if (mount.status !== 0) {
  process.stderr.write(`mount tmpfs on /var/log failed: ${mount.stderr}`)
  process.exit(3)
}

function describe (path) {
  try {
    const st = statSync(path)
    return { uid: st.uid, gid: st.gid, mode: (st.mode & 0o7777).toString(8), size: st.size }
  } catch {
    return null
  }
}

function state () {
  const dir = describe(DIR)
  const files = {}
  if (dir !== null) for (const name of readdirSync(DIR)) files[name] = describe(join(DIR, name))
  return { dir, files }
}

const results = []
for (const { user, argv, env } of JSON.parse(process.argv[2])) {
  const [command, ...args] = user === undefined ? argv : ['runuser', '-u', user, '--', ...argv]
  const r = spawnSync(command, args, { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: '/nonexistent', ...env } })
  results.push({ status: r.status, stdout: r.stdout, stderr: r.stderr, after: state() })
}
process.stdout.write(JSON.stringify(results))
