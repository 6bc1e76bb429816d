// Usage texts. Loaded only for --help and usage errors, never on a good `log`.
import { WHEN_FORMS as WHEN_HELP } from '../reader/index.js'
import { GPU_USAGE } from './gpu-help.js'

const MAIN = `ds01-events: structured event log for the DS01 GPU server (format v1, JSON Lines)

Usage:
  ds01-events log <event_type> [user=U] [source=S] [key=value ...]
  ds01-events log --stdin
  ds01-events query [--user U] [--type T] [--since WHEN] [--follow] [--summary] [--json] [...]
  ds01-events [query options]
  ds01-events types [--json] [TYPE]
  ds01-events report --month YYYY-MM [--json]
  ds01-events setup [--dir DIR] [--group NAME] [--logrotate-dir DIR] [--cron-dir DIR | --no-cron] [--exporter]
  ds01-events setup --uninstall [--purge-logs]
  ds01-events gpu status|usage|waste [options]
  ds01-events gpu-monitor [options]
  ds01-events exporter [--listen ADDR:PORT] [--state-dir DIR]
  ds01-events completion [bash]
  ds01-events --help | --version (-v, version)

Commands:
  log          append one event (or one per stdin line with --stdin)
  query        read the log and its rotated files: filter, follow, summary (alone: query options)
  types        list the known event types and their detail fields (or one: types TYPE)
  report       one month's figures (UTC) from the logs: users, containers, rejections, kills
  setup        prepare this host (as root): log directory, file modes, logrotate
  gpu          who holds which GPU, GPU-hours per user, wasted allocations (see 'ds01-events gpu --help')
  gpu-monitor  sample GPU utilization into the GPU log (see 'ds01-events gpu-monitor --help')
  exporter     serve Prometheus metrics: exact event counters, GPUs (see docs/exporter.md)
  completion   print the bash completion script (install: see 'ds01-events completion --help')

The event file is /var/log/ds01/events.jsonl; DS01_EVENTS_FILE or --file overrides it.
Run 'ds01-events <command> --help' for a command's options.
`

export const USAGE: Record<string, string> = {
  query: `Usage:
  ds01-events query [options]
  ds01-events [options]          (options alone mean query)

Shows the last 50 matching events of the log and its rotated files (.1, .2.gz,
...), oldest first. Filters are combined with AND; a repeated filter is an OR.

Filters:
  --user U           the event's user
  --type T           event_type starts with T (gpu: gpu.allocate ...), or matches
                     a glob (container.*, *.reject); every spelling of a type
                     counts (gpu.allocate also finds gpu.allocated)
  --not-type T       event_type does not match T (also: --type '!T')
  --container NAME   details.container (the flat container of pre-v1 lines)
  --source S         the event's source
  --where KEY=VALUE  a detail, VALUE read as 'log' reads it (gpu=0, gpu=0:1);
                     repeated on one KEY: any of the values
  --where KEY!=VALUE, KEY<N, KEY<=N, KEY>N, KEY>=N
                     another value; or compared as a number (all must hold)
  --since WHEN       at or after WHEN
  --until WHEN       at or before WHEN

Output:
  -n, --limit N      the last N matches (default 50)
  --all              every match
  -r, --reverse      newest first
  --json             the matching lines exactly as stored, for tools
  -f, --follow       then print new events as they are written, across
                     rotations, until Ctrl-C
  --summary          counts by type, user, source and day (--json: one object)
  --by FIELD         with --summary: counts by FIELD's value too (repeatable)
  --values FIELD     the distinct values of FIELD among the matches, with counts
  -o, --output-fields F1,F2
                     only these fields (user, event_type, gpu, details.KEY, ...):
                     columns after the time, or with --json one object each
  --utc              show times in UTC, and read WHENs without a zone as UTC

What is new (cron jobs):
  --cursor-file FILE only what is new since the last run that used FILE (all of
                     it: implies --all), then saves where it ended (atomically)
  --after-cursor C   only what comes after cursor C
  --show-cursor      then print '-- cursor: C' (where this run ended)

Which log:
  --file PATH        default: $DS01_EVENTS_FILE, else /var/log/ds01/events.jsonl
  --gpu              the GPU utilization log ($DS01_GPU_UTILIZATION_FILE, else
                     /var/log/ds01/gpu-utilization.jsonl)
  --db URL           the fleet's PostgreSQL instead (postgresql://...), with
                     --host H (repeatable) and a host column; see docs/fleet.md.
                     Keep a password out of argv: set $DS01_EVENTS_DB (used when
                     neither --file nor --gpu is given) or --db-file PATH
  -h, --help         this text

${WHEN_HELP}

Lines that cannot be read (not JSON, a torn last line) are skipped and counted
on stderr. Colour only on a terminal, and never with NO_COLOR set.

Exit status: 0 it ran (even with no match), 1 no log could be read, or part of
it could not (a generation, damage in a .gz; stderr names what), 2 usage error.
`,
  log: `Usage:
  ds01-events log [--file PATH] <event_type> [user=U] [source=S] [key=value ...]
  ds01-events log [--file PATH] --stdin

Appends one event. user= and source= go to the envelope; every other value is
read as strict JSON when it is JSON (gpu=0 -> 0, ok=true -> true, x=null -> null)
and kept as a string otherwise (gpu=0:1 -> "0:1", x=NaN -> "NaN"). Integers too
large to keep exactly stay strings. Arguments without '=' are skipped with a warning.
An argument after <event_type> that starts with '-' (other than --file) is a usage
error: write user=alice, not --user alice. After '--', arguments are taken as given.

--stdin reads one JSON object per line: {"event_type", "user"?, "source"?, "details"?};
a bad line (or one over 1 MiB) is reported with its number and skipped.

Options:
  --file PATH  the event file (default: $DS01_EVENTS_FILE, else /var/log/ds01/events.jsonl)
  --stdin      read events from standard input
  -h, --help   this text

Exit status: 0 logged (with --stdin: every line), 1 not logged (the reason is on
stderr), 2 usage error.
`,
  report: `Usage:
  ds01-events report --month YYYY-MM [--json] [--file PATH] [--gpu-file PATH]

The figures of one month (UTC, from its first to its last millisecond) from
the logs alone: new users (user.added); containers created by container type,
with the top 10 users; containers exited, with the mean and median lifetime
(detection.container_discovered/exited paired by container_id); GPU rejections
and access denials with the top 5 users; idle, runtime and OOM kills;
warnings (bare_metal.warning and any other *.warning or *.*_warning); GPU-hours
allocated and idle per user. Another spelling of a type counts as its
registered name. Only the rotated files that hold the month are read.

Options:
  --month YYYY-MM    the month (last month: "$(date -u -d 'last month' +%Y-%m)")
  --json             one JSON object (snake_case keys) instead of Markdown
  --file PATH        the events log (default: $DS01_EVENTS_FILE, else
                     /var/log/ds01/events.jsonl)
  --gpu-file PATH    the GPU log, for GPU-hours (default:
                     $DS01_GPU_UTILIZATION_FILE, else /var/log/ds01/gpu-utilization.jsonl)
  -h, --help         this text

Exit status: 0 it ran, 1 the events log could not be read, 2 usage error.
`,
  types: `Usage:
  ds01-events types [--json] [TYPE]

Lists the event types of the registry with their description and detail fields;
with TYPE, that type only (exit status 2 when it is not registered).
Unknown types that follow the naming rule (category.action) may be logged too.

Options:
  --json      one JSON object: {type: {description, fields: {name: [JSON kinds]}}}
  -h, --help  this text
`,
  setup: `Usage:
  sudo ds01-events setup [--dir DIR] [--group NAME] [--logrotate-dir DIR] [--cron-dir DIR | --no-cron]
                         [--exporter [--systemd-dir DIR]]
  sudo ds01-events setup --uninstall [--purge-logs]   (undoes it: see 'ds01-events setup --uninstall --help')

Prepares this host, and can be run again at any time (idempotent):
  - DIR (default /var/log/ds01): owner root:NAME, mode 2775 (setgid, so new files get group NAME)
  - DIR/events.jsonl and DIR/gpu-utilization.jsonl: created if missing, root:NAME 0660;
    refused (nothing changed) when one is a symbolic link, a hardlink or not a regular file
  - the logrotate config, as LOGROTATE_DIR/ds01 (default /etc/logrotate.d)
  - an hourly logrotate run for these logs, as CRON_DIR/ds01-logrotate (default /etc/cron.hourly),
    so that 'maxsize 100M' takes effect between the daily runs
  - the GPU waste check every 30 minutes ('ds01-events gpu waste'): ds01-gpu-waste.timer and .service
    (in CRON_DIR/../systemd/system or --systemd-dir; enabled where systemd runs) and
    CRON_DIR/../cron.d/ds01-gpu-waste; none with --no-cron

Options:
  --dir DIR            the log directory (default /var/log/ds01)
  --group NAME         the group whose members may log (default docker)
  --logrotate-dir DIR  where the logrotate config goes (default /etc/logrotate.d)
  --cron-dir DIR       where the hourly job goes (default /etc/cron.hourly)
  --no-cron            do not install the hourly job
  --exporter           also install the Prometheus exporter's unit, ds01-events-exporter.service,
                       in SYSTEMD_DIR (default /etc/systemd/system; see docs/exporter.md)
  --systemd-dir DIR    where that unit goes
  -h, --help           this text

A fleet (rsyslog to one PostgreSQL, docs/fleet.md):
  sudo ds01-events setup --forward HOST[:PORT]   on every GPU host
  sudo ds01-events setup --central --db-file F   on the central host
  ('ds01-events setup --central --help' for their options)
`
}

USAGE.gpu = GPU_USAGE

USAGE.uninstall = `Usage:
  sudo ds01-events setup --uninstall [--purge-logs] [--dir DIR] [--logrotate-dir DIR] [--cron-dir DIR]
                                    [--systemd-dir DIR] [--rsyslog-dir DIR] [--sbin-dir DIR]
                                    [--pki-dir DIR] [--tls-dir DIR] [--archive DIR]

Undoes setup and the GPU agent's and exporter's units, and can be run again at any time (idempotent):
  - ds01-gpu-monitor.service and ds01-events-exporter.service: stopped and disabled (systemctl), then the unit file,
    its drop-ins (DIR.d) and its enablement links removed from SYSTEMD_DIR
  - LOGROTATE_DIR/ds01 and CRON_DIR/ds01-logrotate removed
  - the fleet's (setup --forward / --central / --add-host): RSYSLOG_DIR/60-ds01-forward.conf,
    60-ds01-central.conf and 61-ds01-central-hosts.conf (the listeners),
    LOGROTATE_DIR/ds01-fleet, SYSTEMD_DIR/rsyslog.service.d/ds01-events.conf,
    SBIN_DIR/ds01-imfile-state-clean, the CA folder PKI_DIR (the CA and its key, the
    central's key and certificate, hosts.json, the hosts' bundles) and the host's key
    and certificates in TLS_DIR removed (then restart rsyslog); the archive (ARCHIVE),
    the database and rsyslog's queue files in its work directory are kept
  - the logs in DIR are kept; --purge-logs removes them (rotated ones too) and DIR if
    nothing else is in it
  - setup --forward's read ACLs (group:NAME, --reader-group, default adm) on DIR and its logs
A file at one of these paths that does not name ds01-events is someone else's: kept.
Every option setup takes is accepted, so a setup command line with --uninstall added undoes
it: the options that say where setup put things are used, the others change nothing.
The system user ds01-monitor, created by hand, is kept (userdel ds01-monitor).

Options:
  --purge-logs         remove the logs too
  --dir DIR            the log directory (default /var/log/ds01)
  --logrotate-dir DIR  where setup put the logrotate config (default /etc/logrotate.d)
  --cron-dir DIR       where setup put the hourly job (default /etc/cron.hourly)
  --systemd-dir DIR    where the unit is (default /etc/systemd/system; another DIR: files only, no systemctl)
  --rsyslog-dir DIR    where setup --forward/--central put rsyslog configs (default /etc/rsyslog.d)
  --sbin-dir DIR       where setup --forward put its state cleaner (default /usr/local/sbin)
  --pki-dir DIR        the fleet's CA folder setup --central made (default /etc/ds01-events/fleet-ca)
  --tls-dir DIR        where setup --forward put the host's key (default /etc/ds01-events/tls)
  --archive DIR        the central archive, kept (default /var/log/ds01-fleet): only named
  --reader-group NAME  the group setup --forward gave read ACLs (default adm)
  -h, --help           this text
`

USAGE.exporter = `Usage:
  ds01-events exporter [--listen ADDR:PORT] [--state-dir DIR] [--file PATH] [--gpu-file PATH | --no-gpu]

Serves Prometheus metrics at http://ADDR:PORT/metrics until SIGTERM or SIGINT:
ds01_events_total{event_type, source}, exact across rotations and restarts (the
counts and the position read to are saved together in DIR), the GPU gauges and
its own health. See docs/exporter.md.

Options:
  --listen ADDR:PORT  where to listen (default 127.0.0.1:19101; [::1]:PORT for IPv6)
  --state-dir DIR     where the state file lives (default /var/lib/ds01-events)
  --file PATH         the event log (default: $DS01_EVENTS_FILE, else /var/log/ds01/events.jsonl)
  --gpu-file PATH     the GPU log (default: $DS01_GPU_UTILIZATION_FILE, else
                      /var/log/ds01/gpu-utilization.jsonl)
  --no-gpu            no GPU log
  --poll-ms MS        how often the logs are looked at (default 500)
  -h, --help          this text

Exit status: 0 stopped by a signal, 1 it could not start (the port is in use,
for example: the reason is on stderr), 2 usage error.
`

USAGE.completion = `Usage:
  ds01-events completion [bash]
`

export function runHelp(args: string[]): number {
  const topic = args[0]
  const text = topic !== undefined && Object.hasOwn(USAGE, topic) ? USAGE[topic] : MAIN
  process.stdout.write(text)
  return 0
}

/** A usage error: what was wrong, the command's usage, exit status 2. */
export function usageError(command: string, problem: string): number {
  const usage = Object.hasOwn(USAGE, command) ? USAGE[command].split('\n\n')[0] : ''
  process.stderr.write(`ds01-events ${command}: ${problem}\n${usage}\nRun 'ds01-events ${command} --help' for details.\n`)
  return 2
}
