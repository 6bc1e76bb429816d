// Daemons for the fleet tests, started and stopped by the test itself, loopback
// only: a PostgreSQL cluster in a temporary folder (run as the postgres user),
// and rsyslogd instances with their own config, pid file and work directory.
import { spawn, spawnSync } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
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
/**
 * A scratch root for a fleet test (0755: privilege-dropped daemons reach their folders
 * through it) and its clean-ups, run last first when the test ends, failed or not; then
 * the root goes (DS01_FLEET_KEEP=1 keeps it and says where).
 */
export function fleetScratch (t, prefix) {
  const root = mkdtempSync(join(tmpdir(), prefix))
  chmodSync(root, 0o755)
  const cleanups = []
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) {
      try { await cleanup() } catch (err) { console.error('cleanup:', err) }
    }
    if (process.env.DS01_FLEET_KEEP === '1') console.error(`kept ${root}`)
    else rmSync(root, { recursive: true, force: true })
  })
  return { root, cleanups }
}

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
  if (spawnSync('openssl', ['version']).status !== 0) return 'openssl missing (apt-get install openssl)'
  return undefined
}

/** N consecutive TCP ports free on 127.0.0.1 right now (the central's listeners, one per host). */
export async function freePorts (n) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = await freePort()
    if (base + n > 65535) continue
    const ok = await Promise.all(Array.from({ length: n - 1 }, (_, i) => portFree(base + i + 1)))
    if (ok.every(Boolean)) return base
  }
  throw new Error(`no ${n} consecutive free ports`)
}

function portFree (port) {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
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

/** A PostgreSQL cluster in DIR on 127.0.0.1:PORT, database ds01 (server TimeZone `timezone`); stop() removes nothing (the caller's folder does). */
export async function startPostgres (dir, { timezone = 'UTC' } = {}) {
  const bin = postgresBin()
  mkdirSync(dir, { recursive: true })
  chownSync(dir, Number(run('id', ['-u', 'postgres']).trim()), Number(run('id', ['-g', 'postgres']).trim()))
  chmodSync(dir, 0o700)
  const data = join(dir, 'data')
  const asPostgres = (tool, args) => run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args])
  asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale', 'C'])
  const port = await freePort()
  asPostgres('pg_ctl', ['-D', data, '-w', '-l', join(dir, 'log'), '-o', `-k ${dir} -c listen_addresses=127.0.0.1 -p ${port} -c timezone=${timezone}`, 'start'])
  const stop = () => spawnSync('runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), '-D', data, '-w', '-m', 'fast', 'stop'], { encoding: 'utf8' })
  try {
    run('runuser', ['-u', 'postgres', '--', join(bin, 'createdb'), '-h', dir, '-p', String(port), 'ds01'])
  } catch (err) {
    stop()
    throw err
  }
  const psql = (sql) => run('runuser', ['-u', 'postgres', '--', join(bin, 'psql'), '-h', dir, '-p', String(port), '-d', 'ds01', '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', sql])
  return { port, dir, data, url: `postgresql://postgres@127.0.0.1:${port}/ds01`, stop, psql }
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
    for (const file of [include].flat()) lines.push(`include(file="${file}")`)
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

  /** SIGKILL: a crash, nothing saved on the way out. */
  async kill () {
    if (this.child === undefined) return
    const child = this.child
    this.child = undefined
    child.kill('SIGKILL')
    await this.exited
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

/**
 * A bare RELP client (plain TCP, or TLS with the given cert/key/ca): opens a
 * session, sends each message as one syslog frame, and counts the frames the
 * server acknowledged ("200 OK"). Never throws: a refused handshake or a
 * closed connection ends the count.
 */
export async function relpSend ({ port, tls, messages, timeoutMs = 5000 }) {
  const net = await import('node:net')
  const tlsModule = await import('node:tls')
  return new Promise((resolve) => {
    let buffer = ''
    let acked = 0
    let opened = false
    let done = false
    const finish = (error) => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      resolve({ opened, acked, error: error === undefined ? undefined : String(error) })
    }
    const frame = (txnr, command, data) => `${txnr} ${command} ${Buffer.byteLength(data)}${data === '' ? '' : ` ${data}`}\n`
    const socket = tls === undefined
      ? net.connect(port, '127.0.0.1')
      : tlsModule.connect({ host: '127.0.0.1', port, ...tls, rejectUnauthorized: false, checkServerIdentity: () => undefined })
    const timer = setTimeout(() => finish('timeout'), timeoutMs)
    socket.once(tls === undefined ? 'connect' : 'secureConnect', () => {
      socket.write(frame(1, 'open', 'relp_version=0\nrelp_software=ds01-test\ncommands=syslog'))
    })
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8')
      for (;;) {
        const m = /^(\d+) rsp (\d+) /.exec(buffer)
        if (m === null) break
        const len = Number(m[2])
        const start = m[0].length
        if (buffer.length < start + len + 1) break
        const data = buffer.slice(start, start + len)
        buffer = buffer.slice(start + len + 1)
        if (!data.startsWith('200')) return finish(`refused: ${data}`)
        if (m[1] === '1') {
          opened = true
          messages.forEach((msg, i) => socket.write(frame(i + 2, 'syslog', msg)))
          if (messages.length === 0) return finish()
        } else if (++acked === messages.length) {
          return finish()
        }
      }
    })
    socket.on('error', (err) => finish(err.message))
    socket.on('close', () => finish('closed'))
  })
}

/** A syslog (RFC 5424) frame as rsyslog's omrelp sends it, claiming `hostname`. */
export function syslogFrame (hostname, tag, msg) {
  return `<134>1 ${new Date().toISOString()} ${hostname} ${tag} - - - ${msg}`
}

/**
 * What `setup --forward` needs from the central host, made in ROOT without a
 * database (setup --central --no-schema): the CA, and a bundle for one host.
 * Returns the arguments to add to a `setup --forward` line.
 */
export function forwardTlsArgs (root, host = 'gpu-test.example') {
  const cli = new URL('../../bin/ds01-events.js', import.meta.url).pathname
  const pki = join(root, 'fleet-pki')
  const run = (args) => {
    const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, DS01_EVENTS_DB: '' } })
    if (r.status !== 0) throw new Error(`ds01-events ${args.join(' ')}: ${r.stderr}`)
  }
  run(['setup', '--central', '--no-schema', '--db', 'postgresql://ds01@127.0.0.1:1/ds01', '--name', 'central.example', '--listen', '127.0.0.1:2600',
    '--pki-dir', pki, '--rsyslog-dir', join(root, 'fleet-central.d'), '--archive', join(root, 'fleet-archive'), '--rsyslog-user', 'root',
    '--logrotate-dir', join(root, 'fleet-logrotate.d')])
  run(['setup', '--central', '--add-host', host, '--pki-dir', pki, '--rsyslog-dir', join(root, 'fleet-central.d')])
  return ['--tls-bundle', join(pki, 'bundles', host), '--tls-dir', join(root, 'fleet-tls'), '--rsyslog-user', 'root']
}
