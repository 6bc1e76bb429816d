// Daemons for the fleet tests, started and stopped by the test itself, loopback
// only: a PostgreSQL cluster in a temporary folder (run as the postgres user),
// and rsyslogd instances with their own config, pid file and work directory.
import { spawn, spawnSync } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

const RSYSLOG_MODULES = '/usr/lib/x86_64-linux-gnu/rsyslog'

/** The PostgreSQL server binaries (Debian's versioned folder), or undefined. */
export function postgresBin () {
  const base = '/usr/lib/postgresql'
  if (!existsSync(base)) return undefined
  const versions = readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a))
  return versions.length > 0 ? join(base, versions[0], 'bin') : undefined
}

/** Why the fleet tests cannot run here, or undefined when they can. */
export function fleetMissing () {
  if (process.getuid?.() !== 0) return 'needs root (users, groups, privilege-dropped rsyslog)'
  if (spawnSync('rsyslogd', ['-v']).status !== 0) return 'rsyslogd missing (apt-get install rsyslog rsyslog-relp rsyslog-pgsql)'
  for (const module of ['imfile', 'omrelp', 'imrelp', 'ompgsql']) {
    if (!existsSync(join(RSYSLOG_MODULES, `${module}.so`))) return `rsyslog module ${module} missing (apt-get install rsyslog-relp rsyslog-pgsql)`
  }
  if (postgresBin() === undefined) return 'PostgreSQL server missing (apt-get install postgresql)'
  if (spawnSync('id', ['-u', 'postgres']).status !== 0) return 'no postgres user (apt-get install postgresql)'
  if (spawnSync('setfacl', ['--version']).status !== 0) return 'setfacl missing (apt-get install acl)'
  if (spawnSync('logrotate', ['--version']).status !== 0) return 'logrotate missing'
  return undefined
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort () {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

function run (command, args, options = {}) {
  const r = spawnSync(command, args, { encoding: 'utf8', ...options })
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`)
  return r.stdout
}

/** A PostgreSQL cluster in DIR on 127.0.0.1:PORT, database ds01; stop() removes nothing (the caller's folder does). */
export async function startPostgres (dir) {
  const bin = postgresBin()
  mkdirSync(dir, { recursive: true })
  chownSync(dir, Number(run('id', ['-u', 'postgres']).trim()), Number(run('id', ['-g', 'postgres']).trim()))
  chmodSync(dir, 0o700)
  const data = join(dir, 'data')
  const asPostgres = (tool, args) => run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args])
  asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale', 'C'])
  const port = await freePort()
  asPostgres('pg_ctl', ['-D', data, '-w', '-l', join(dir, 'log'), '-o', `-k ${dir} -c listen_addresses=127.0.0.1 -p ${port}`, 'start'])
  const stop = () => spawnSync('runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), '-D', data, '-w', '-m', 'fast', 'stop'], { encoding: 'utf8' })
  try {
    run('runuser', ['-u', 'postgres', '--', join(bin, 'createdb'), '-h', dir, '-p', String(port), 'ds01'])
  } catch (err) {
    stop()
    throw err
  }
  return { port, url: `postgresql://postgres@127.0.0.1:${port}/ds01`, stop }
}

/**
 * One rsyslogd: a main config (work directory, host name, optional privilege
 * drop like Ubuntu's $PrivDropToUser/$PrivDropToGroup) that includes CONF.
 */
export class Rsyslog {
  constructor ({ dir, include, hostname, dropToUser }) {
    this.dir = dir
    this.work = join(dir, 'work')
    this.pidFile = join(dir, 'rsyslogd.pid')
    this.logFile = join(dir, 'rsyslogd.out')
    mkdirSync(this.work, { recursive: true })
    const lines = [`global(workDirectory="${this.work}"${hostname ? ` localHostname="${hostname}"` : ''})`]
    if (dropToUser !== undefined) {
      const uid = Number(run('id', ['-u', dropToUser]).trim())
      chownSync(this.work, uid, Number(run('id', ['-g', dropToUser]).trim()))
      lines.push(`$PrivDropToUser ${dropToUser}`, `$PrivDropToGroup ${run('id', ['-gn', dropToUser]).trim()}`)
    }
    lines.push(`include(file="${include}")`)
    this.config = join(dir, 'rsyslog.conf')
    writeFileSync(this.config, lines.join('\n') + '\n')
    this.child = undefined
  }

  start () {
    const out = `${this.logFile}`
    // -n: stay in the foreground, so this test owns the process and its exit
    this.child = spawn('rsyslogd', ['-n', '-f', this.config, '-i', this.pidFile], { stdio: ['ignore', 'ignore', 'pipe'] })
    this.child.stderr.on('data', (chunk) => writeFileSync(out, chunk, { flag: 'a' }))
    this.exited = new Promise((resolve) => this.child.once('exit', resolve))
  }

  /** SIGTERM and wait: rsyslog saves its queues on the way out. */
  async stop () {
    if (this.child === undefined) return
    const child = this.child
    this.child = undefined
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    await this.exited
    clearTimeout(timer)
  }

  get pid () { return this.child?.pid }

  /** Waits until the process has dropped to a uid other than root (the privilege drop happened). */
  async waitDropped () {
    for (let i = 0; i < 100; i++) {
      const status = this.pid === undefined ? '' : readFileSync(`/proc/${this.pid}/status`, 'utf8')
      const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1]
      if (uid !== undefined && uid !== '0') return Number(uid)
      await sleep(50)
    }
    throw new Error(`rsyslogd did not drop privileges: ${this.output()}`)
  }

  output () {
    return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8') : ''
  }
}

/** Waits for a TCP port on 127.0.0.1 to accept connections. */
export async function waitListening (port, ms = 15_000) {
  const { connect } = await import('node:net')
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    const ok = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1', () => { socket.destroy(); resolve(true) })
      socket.once('error', () => resolve(false))
    })
    if (ok) return
    await sleep(100)
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`)
}
