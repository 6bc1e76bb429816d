// The GPU waste check's schedule (`ds01-events gpu waste` every 30 minutes):
// a systemd timer and service, and a cron file that stands down where the
// timer is enabled. `setup` installs them beside the hourly logrotate job
// (CRON_DIR/../systemd/system and CRON_DIR/../cron.d: /etc/... by default) and,
// on a host that runs systemd, enables the timer; `setup --uninstall` removes them.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import { dirname, join } from 'node:path'
import { DEFAULT_EVENTS_FILE } from '../common/index.js'

export const WASTE_SERVICE = 'ds01-gpu-waste.service'
export const WASTE_TIMER = 'ds01-gpu-waste.timer'
export const WASTE_CRON = 'ds01-gpu-waste'
const DEFAULT_DIR = dirname(DEFAULT_EVENTS_FILE)
const DEPLOY = join(__dirname, '..', '..', 'deploy')
const COMMAND = 'ds01-events gpu waste'

/** Where the waste job's files go for an hourly-job directory (/etc/cron.hourly: /etc/cron.d, /etc/systemd/system). */
export function wastePaths(cronDir: string): { cronD: string; unitDir: string } {
  const etc = dirname(cronDir)
  return { cronD: join(etc, 'cron.d'), unitDir: join(etc, 'systemd', 'system') }
}

/** The shipped files, for a log directory other than /var/log/ds01 when given. */
export function renderWasteFiles(logDir: string): { service: string; timer: string; cron: string } {
  const dir = logDir.replace(/\/+$/, '')
  const read = (path: string): string => fs.readFileSync(join(DEPLOY, path), 'utf8')
  let service = read(join('systemd', WASTE_SERVICE))
  let cron = read(join('cron.d', WASTE_CRON))
  if (dir !== DEFAULT_DIR) {
    if (!/^\/[A-Za-z0-9_./-]*$/.test(dir)) throw new Error(`the waste check's schedule needs a log directory of plain characters (A-Z a-z 0-9 _ . / -), not ${JSON.stringify(dir)}`)
    const command = `${COMMAND} --file ${dir}/events.jsonl --gpu-file ${dir}/gpu-utilization.jsonl`
    service = service.replace(/^ExecStart=ds01-events gpu waste$/m, `ExecStart=${command}`).replace(/^ReadWritePaths=\/var\/log\/ds01$/m, `ReadWritePaths=${dir}`)
    cron = cron.replace(/\|\| ds01-events gpu waste /, `|| ${command} `)
  }
  return { service, timer: read(join('systemd', WASTE_TIMER)), cron }
}

interface Installer {
  installFile: (path: string, content: string, mode: number) => void
  say: (message: string) => void
}

function systemctl(args: string[]): string | null {
  try {
    execFileSync('systemctl', args, { stdio: ['ignore', 'ignore', 'pipe'] })
    return null
  } catch (err) {
    return err instanceof Error ? err.message.split('\n')[0] : String(err)
  }
}

/**
 * Installs the timer and the service and the cron file. Where: `systemdDir`
 * (--systemd-dir), else beside an explicit --cron-dir (CRON_DIR/../systemd/system),
 * else /etc/systemd/system; the cron file beside the cron directory, but not
 * with --systemd-dir alone (a tree for units, not for cron). On the system's
 * own /etc (no --cron-dir, no --systemd-dir), where systemd runs, the timer is
 * enabled. `cronDir` undefined (--no-cron): no scheduled job at all.
 */
export function installWasteJob(o: { cronDir: string | undefined; explicitCron: boolean; systemdDir: string | undefined; logDir: string }, io: Installer): void {
  if (o.cronDir === undefined) return
  const files = renderWasteFiles(o.logDir)
  const beside = wastePaths(o.cronDir)
  const live = !o.explicitCron && o.systemdDir === undefined
  const unitDir = o.systemdDir ?? beside.unitDir
  const cronD = o.explicitCron || live ? beside.cronD : undefined
  io.installFile(join(unitDir, WASTE_SERVICE), files.service, 0o644)
  io.installFile(join(unitDir, WASTE_TIMER), files.timer, 0o644)
  if (cronD !== undefined) {
    if (live && !fs.existsSync(cronD)) io.say(`${cronD} does not exist (no cron here): only the systemd timer runs the waste check`)
    else io.installFile(join(cronD, WASTE_CRON), files.cron, 0o644)
  }
  if (!live) return
  if (!fs.existsSync('/run/systemd/system')) {
    io.say(`systemd is not running here: cron runs the waste check every 30 minutes (${join(beside.cronD, WASTE_CRON)})`)
    return
  }
  const failed = systemctl(['daemon-reload']) ?? systemctl(['enable', '--now', WASTE_TIMER])
  if (failed === null) io.say(`${WASTE_TIMER}: enabled, the waste check runs every 30 minutes (systemctl list-timers ${WASTE_TIMER})`)
  else io.say(`${WASTE_TIMER}: could not enable it (${failed}); cron runs the check meanwhile. Try: systemctl enable --now ${WASTE_TIMER}`)
}
