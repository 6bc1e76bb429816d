// The fleet's keys and certificates (openssl): a small CA on the central host,
// the central's own certificate, and one certificate per GPU host, each with a
// name of its own (`s<serial>.<host>`) that only one central listener permits.
// The registry (hosts.json) maps each host to its listener port; revoking a
// host removes its listener, and a host added again gets a new name, so an old
// certificate is accepted nowhere.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import { join } from 'node:path'
import { say, SetupError } from './setup.js'

export interface HostEntry { name: string, port: number, peer: string, serial: number, revoked?: string }
export interface Registry { central: string, address: string, basePort: number, nextSerial: number, hosts: HostEntry[] }

/** A host name as it may appear in a certificate, a listener name and an archive path. */
export const HOST_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9-]{1,63})*$/

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer }
    if (e.code === 'ENOENT') throw new SetupError('openssl is missing: install it (apt-get install openssl) and run setup again')
    throw new SetupError(`openssl ${args[0]} failed: ${e.stderr?.toString().trim() ?? e.message}`)
  }
}

/** Where the registry is written before its rename. */
export const registryTemp = (registry: string): string => `${registry}.tmp`

/** What a host's bundle holds (bundles/HOST on the central, copied to --tls-dir on the host). */
export const BUNDLE_FILES = ['ca.pem', 'cert.pem', 'key.pem', 'fleet.json'] as const

export function pkiPaths(dir: string): { ca: string, caKey: string, cert: string, key: string, registry: string, bundles: string } {
  return {
    ca: join(dir, 'ca.pem'),
    caKey: join(dir, 'ca.key'),
    cert: join(dir, 'central.pem'),
    key: join(dir, 'central.key'),
    registry: join(dir, 'hosts.json'),
    bundles: join(dir, 'bundles')
  }
}

/** A new P-256 key and a certificate for `name` (subjectAltName DNS:name), signed by the CA. */
function issue(dir: string, name: string, serial: number, keyPath: string, certPath: string): void {
  const p = pkiPaths(dir)
  const scratch = fs.mkdtempSync(join(os.tmpdir(), 'ds01-pki-'))
  try {
    const ext = join(scratch, 'ext.cnf')
    fs.writeFileSync(ext, `subjectAltName=DNS:${name}\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n`)
    const csr = join(scratch, 'req.csr')
    const key = join(scratch, 'key.pem')
    openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-subj', `/CN=${name}`, '-out', csr])
    openssl(['x509', '-req', '-in', csr, '-CA', p.ca, '-CAkey', p.caKey, '-set_serial', String(serial), '-days', '825', '-sha256', '-extfile', ext, '-out', join(scratch, 'cert.pem')])
    fs.copyFileSync(key, keyPath)
    fs.chmodSync(keyPath, 0o600)
    fs.copyFileSync(join(scratch, 'cert.pem'), certPath)
    fs.chmodSync(certPath, 0o644)
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true })
  }
}

export function readRegistry(dir: string): Registry | undefined {
  const path = pkiPaths(dir).registry
  if (!fs.existsSync(path)) return undefined
  return JSON.parse(fs.readFileSync(path, 'utf8')) as Registry
}

function writeRegistry(dir: string, registry: Registry): void {
  const path = pkiPaths(dir).registry
  fs.writeFileSync(registryTemp(path), JSON.stringify(registry, null, 2) + '\n', { mode: 0o600 })
  fs.renameSync(registryTemp(path), path)
}

/**
 * The CA and the central's certificate (made once; kept on later runs), and
 * the registry with the listen address and first port. The CA key never leaves
 * this directory (0700 root); the central's key is readable by rsyslog's user.
 */
export function ensureCentralPki(dir: string, central: string, address: string, basePort: number, rsyslogUid: number, rsyslogGid: number): Registry {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 })
  fs.chmodSync(dir, 0o755)
  const p = pkiPaths(dir)
  if (!fs.existsSync(p.ca) || !fs.existsSync(p.caKey)) {
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', p.caKey, '-out', p.ca, '-days', '3650', '-sha256',
      '-subj', `/CN=ds01-events fleet CA (${central})`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'])
    fs.chmodSync(p.caKey, 0o600)
    fs.chmodSync(p.ca, 0o644)
    say(`${p.ca}: fleet CA made (its key ${p.caKey} stays here, 0600)`)
  } else {
    say(`${p.ca}: ok`)
  }
  let registry = readRegistry(dir)
  if (registry === undefined || registry.central !== central || !fs.existsSync(p.cert) || !fs.existsSync(p.key)) {
    const serial = registry?.nextSerial ?? 1
    issue(dir, central, serial, p.key, p.cert)
    registry = { central, address, basePort, nextSerial: serial + 1, hosts: registry?.hosts ?? [] }
    say(`${p.cert}: certificate for ${central}`)
  }
  registry.address = address
  registry.basePort = basePort
  fs.chownSync(p.key, rsyslogUid, rsyslogGid)
  fs.chmodSync(p.key, 0o400)
  fs.mkdirSync(p.bundles, { recursive: true, mode: 0o700 })
  writeRegistry(dir, registry)
  return registry
}

/** A certificate for one more host, its port, and a bundle to copy to it. Adding a host that is there already re-issues nothing. */
export function addHost(dir: string, name: string): { entry: HostEntry, bundle: string } {
  if (!HOST_NAME.test(name) || name.length > 200) throw new SetupError(`--add-host '${name}': give a host name (letters, digits, '-', dots between labels)`)
  const registry = readRegistry(dir)
  if (registry === undefined) throw new SetupError(`${dir} holds no fleet CA: run 'ds01-events setup --central' first`)
  const p = pkiPaths(dir)
  const bundle = join(p.bundles, name)
  let entry = registry.hosts.find((h) => h.name === name && h.revoked === undefined)
  if (entry !== undefined && fs.existsSync(join(bundle, 'cert.pem'))) {
    say(`${name}: registered already (port ${entry.port}, certificate ${entry.peer})`)
    return { entry, bundle }
  }
  if (entry === undefined) {
    const used = new Set(registry.hosts.map((h) => h.port))
    let port = registry.basePort
    while (used.has(port)) port++
    if (port > 65535) throw new SetupError('no port left for another host')
    const serial = registry.nextSerial
    entry = { name, port, serial, peer: `s${serial}.${name}` }
    registry.nextSerial = serial + 1
    registry.hosts.push(entry)
  }
  fs.mkdirSync(bundle, { recursive: true, mode: 0o700 })
  issue(dir, entry.peer, entry.serial, join(bundle, 'key.pem'), join(bundle, 'cert.pem'))
  fs.copyFileSync(p.ca, join(bundle, 'ca.pem'))
  fs.writeFileSync(join(bundle, 'fleet.json'), JSON.stringify({ host: name, peer: entry.peer, central: registry.central, port: entry.port }, null, 2) + '\n')
  writeRegistry(dir, registry)
  say(`${name}: certificate ${entry.peer}, listener port ${entry.port}, bundle ${bundle}`)
  return { entry, bundle }
}

/** Removes a host's listener (the caller re-renders the listeners) and its bundle; its certificate's name is never permitted again. */
export function revokeHost(dir: string, name: string): HostEntry {
  const registry = readRegistry(dir)
  if (registry === undefined) throw new SetupError(`${dir} holds no fleet CA: run 'ds01-events setup --central' first`)
  const entry = registry.hosts.find((h) => h.name === name && h.revoked === undefined)
  if (entry === undefined) throw new SetupError(`--revoke-host ${name}: no such host (registered: ${registry.hosts.filter((h) => h.revoked === undefined).map((h) => h.name).join(', ') || 'none'})`)
  entry.revoked = new Date().toISOString()
  fs.rmSync(join(pkiPaths(dir).bundles, name), { recursive: true, force: true })
  writeRegistry(dir, registry)
  say(`${name}: revoked (certificate ${entry.peer} is permitted by no listener now)`)
  return entry
}

/** One imrelp listener per registered host: TLS, the CA's certificates only, and only that host's certificate name. */
export function renderListeners(dir: string, registry: Registry, maxDataSize: string): string {
  const p = pkiPaths(dir)
  const lines = [
    '# ds01-events: one RELP-over-TLS listener per GPU host. Generated by',
    '# `ds01-events setup --central --add-host/--revoke-host`: do not edit.',
    '# Each listener permits one certificate name (tls.authMode="name"), and its',
    '# name (inputname) is the host stored in PostgreSQL and the archive folder:',
    '# the host is the one that authenticated, never what a message says.',
    ''
  ]
  for (const h of registry.hosts) {
    if (h.revoked !== undefined) {
      lines.push(`# ${h.name}: revoked ${h.revoked} (certificate ${h.peer}, port ${h.port})`)
      continue
    }
    lines.push(`input(type="imrelp" name="${h.name}" address="${registry.address}" port="${h.port}" ruleset="ds01-central" maxDataSize="${maxDataSize}"`,
      `      tls="on" tls.caCert="${p.ca}" tls.myCert="${p.cert}" tls.myPrivKey="${p.key}"`,
      `      tls.authMode="name" tls.permittedPeer=["${h.peer}"])`)
  }
  return lines.join('\n') + '\n'
}
