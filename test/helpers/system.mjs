// Users, groups and the real /var/log/ds01 layout, for tests that run as root
// (CI is a fresh root Debian 12 machine): a non-root member of a test group
// standing in for `docker`, a user outside it, and a temporary directory laid
// out like the real one.
// Every user and group is named after this process (and the runner's tag, see
// test/run.mjs), made only here, and removed when the process exits, whatever
// the tests did. The real `docker` group is never created nor changed.
import { spawn, spawnSync } from 'node:child_process'
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after } from 'node:test'

export const IS_ROOT = process.getuid?.() === 0
/** Prefix of every user and group the tests make: the runner's tag, then the pid. */
export const TEST_PREFIX = `ds01-${process.env.DS01_TEST_TAG ?? ''}${process.pid}-`
/** A name for a user or group of this test process. */
export function testName (suffix) {
  return TEST_PREFIX + suffix
}
/** A tagged group of the calling file's own (root only), removed after its tests. */
export function fileGroup (suffix) {
  const name = testName(suffix)
  if (IS_ROOT) {
    spawnSync('groupadd', [name])
    after(() => spawnSync('groupdel', [name]))
  }
  return name
}

const HAS_FORWARD_TOOLS = ['setfacl', 'rsyslogd'].every((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0)
/** The skip option of a test that runs `setup --forward`: root, and setfacl and rsyslogd (which CI must have). */
export const FORWARD_SETUP = { skip: !IS_ROOT ? 'needs root' : (!HAS_FORWARD_TOOLS && !process.env.CI) ? 'setfacl and rsyslogd needed (apt-get install acl rsyslog)' : false }

/** The group that stands in for `docker`. */
export const GROUP = testName('docker')
export const MEMBER = testName('member')
export const OUTSIDER = testName('outsider')
export const REPO = new URL('../../', import.meta.url).pathname.replace(/\/$/, '')

const madeUsers = new Set()
const madeGroups = new Set()
let cleanupHooked = false

/** Removes every user, then every group, this process made; says what it could not. */
export function removeTestAccounts () {
  for (const [set, command, gone] of [[madeUsers, 'userdel', (n) => userId(n) === undefined], [madeGroups, 'groupdel', (n) => groupId(n) === undefined]]) {
    for (const name of set) {
      try {
        shadow(command, [name], () => gone(name))
      } catch (err) {
        process.stderr.write(`test cleanup: ${err.message}\n`)
      }
    }
    set.clear()
  }
}

function made (set, name) {
  set.add(name)
  if (cleanupHooked) return
  cleanupHooked = true
  process.on('exit', removeTestAccounts)
}

function ownName (name) {
  if (!name.startsWith(TEST_PREFIX)) throw new Error(`tests make only their own users and groups (${TEST_PREFIX}*), not ${name}`)
}

function sleepSync (ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/** Runs a shadow-utils command, retrying while another test holds /etc/passwd's lock. */
function shadow (command, args, alreadyDone) {
  for (let attempt = 0; ; attempt++) {
    const r = spawnSync(command, args, { encoding: 'utf8' })
    if (r.status === 0 || alreadyDone()) return
    if (attempt >= 40) throw new Error(`${command} ${args.join(' ')} failed: ${r.stderr || r.error}`)
    sleepSync(50 + Math.random() * 100)
  }
}

/** The numeric id of a group, or undefined. */
export function groupId (name) {
  const r = spawnSync('getent', ['group', name], { encoding: 'utf8' })
  return r.status === 0 ? Number(r.stdout.split(':')[2]) : undefined
}

export function userId (name) {
  const r = spawnSync('id', ['-u', name], { encoding: 'utf8' })
  return r.status === 0 ? Number(r.stdout.trim()) : undefined
}

function groupsOf (name) {
  const r = spawnSync('id', ['-nG', name], { encoding: 'utf8' })
  return r.status === 0 ? r.stdout.trim().split(/\s+/) : []
}

/** Creates this process's group if missing (removed at exit); returns its id. */
export function ensureGroup (name = GROUP) {
  ownName(name)
  if (groupId(name) === undefined) {
    made(madeGroups, name)
    shadow('groupadd', [name], () => groupId(name) !== undefined)
  }
  return groupId(name)
}

/** A system user with no home and no login, in `groups` (and only those we add); returns its uid. */
export function ensureUser (name, groups = []) {
  ownName(name)
  for (const group of groups) ensureGroup(group)
  if (userId(name) === undefined) {
    made(madeUsers, name)
    const extra = groups.length > 0 ? ['-G', groups.join(',')] : []
    shadow('useradd', ['-M', '-N', '-s', '/usr/sbin/nologin', ...extra, name], () => userId(name) !== undefined)
  }
  for (const group of groups) {
    if (!groupsOf(name).includes(group)) shadow('usermod', ['-a', '-G', group, name], () => groupsOf(name).includes(group))
  }
  return userId(name)
}

/** The member of the stand-in docker group and the outsider, created if missing (removed at exit). */
export function ensureTestUsers () {
  const gid = ensureGroup(GROUP)
  const member = ensureUser(MEMBER, [GROUP])
  const outsider = ensureUser(OUTSIDER, [])
  if (groupsOf(OUTSIDER).includes(GROUP)) throw new Error(`${OUTSIDER} is in ${GROUP}; remove it: gpasswd -d ${OUTSIDER} ${GROUP}`)
  return { gid, member, outsider }
}

/**
 * A temporary tree laid out like the real one: ROOT (0755, so other users can
 * reach it) / ds01 (root:docker 2775). Removed after the test (or file) that made it.
 */
export function makeLayout (gid) {
  const root = mkdtempSync(join(tmpdir(), 'ds01-layout-'))
  after(() => rmSync(root, { recursive: true, force: true }))
  chmodSync(root, 0o755)
  const dir = join(root, 'ds01')
  mkdirSync(dir)
  chownSync(dir, 0, gid)
  chmodSync(dir, 0o2775)
  return { root, dir, events: join(dir, 'events.jsonl'), gpu: join(dir, 'gpu-utilization.jsonl') }
}

/** A directory a test user owns (for its reports, its HOME). */
export function userDir (root, name, uid) {
  const dir = join(root, name)
  mkdirSync(dir, { recursive: true })
  chownSync(dir, uid, -1)
  chmodSync(dir, 0o755)
  return dir
}

const RUNTIME = ['package.json', 'dist', 'bin', 'shell', 'deploy', 'build/Release', 'prebuilds', 'node_modules/node-gyp-build', 'node_modules/zod', 'test/helpers']
let runtimeFor

/**
 * The package root other users can run: the repository itself when they can
 * read it, else a world-readable copy of what runs (CI may check out under /root, 0700).
 */
export function packageRootFor (user) {
  if (runtimeFor !== undefined) return runtimeFor
  const probe = spawnSync('runuser', ['-u', user, '--', process.execPath, '-e', `require(${JSON.stringify(join(REPO, 'dist', 'index.js'))})`], { encoding: 'utf8' })
  if (probe.status === 0) {
    runtimeFor = REPO
    return runtimeFor
  }
  const copy = mkdtempSync(join(tmpdir(), 'ds01-runtime-'))
  // shared by every test of the file: removed when the process ends, not after one test
  process.on('exit', () => rmSync(copy, { recursive: true, force: true }))
  for (const part of RUNTIME) {
    if (existsSync(join(REPO, part))) cpSync(join(REPO, part), join(copy, part), { recursive: true })
  }
  spawnSync('chmod', ['-R', 'a+rX', copy])
  chmodSync(copy, 0o755)
  runtimeFor = copy
  return runtimeFor
}

/** argv that runs `command args` as `user` (initgroups: the user's groups apply). */
export function asUser (user, command, args = []) {
  return ['runuser', ['-u', user, '--', command, ...args]]
}

/** spawnSync as another user; env is passed whole (HOME included). */
export function runAs (user, command, args, options = {}) {
  const [cmd, argv] = asUser(user, command, args)
  return spawnSync(cmd, argv, { encoding: 'utf8', ...options })
}

/** spawn as another user; resolves {code, signal, stdout, stderr}. */
export function spawnAs (user, command, args, options = {}) {
  const [cmd, argv] = asUser(user, command, args)
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], ...options })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (s) => { stdout += s })
  child.stderr.setEncoding('utf8').on('data', (s) => { stderr += s })
  const done = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })))
  return { child, done }
}
