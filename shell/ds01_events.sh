# shellcheck shell=bash
# ds01-events bash wrapper. Source it, then log with the old signature:
#
#   source /path/to/ds01-events/shell/ds01_events.sh
#   log_event <event_type> [user] [source] [key=value ...]
#
#   log_event container.create alice docker-wrapper container=alice-jupyter gpu=0:1
#   log_event gpu.release "" "" container=alice-jupyter reason=idle
#
# An empty user is left out; an empty source becomes the calling script's file
# name. Values are JSON when they parse as JSON (gpu=0 -> 0), else strings.
#
# user and source are taken from their positions only: a user= or source=
# argument after them is left out with a warning (it never replaces them).
#
# Logging is diagnostic: log_event never stops or fails its caller. It returns
# 0 whatever happens (no CLI, no node, an unwritable log, no arguments, a
# closed stderr), under `set -euo pipefail` too; problems are reported on
# stderr (when it is open), and the status is left in DS01_EVENTS_LAST_STATUS
# for callers that want it (0 logged or queued, 1 not logged, 2 usage error,
# 127 no CLI).
#
# Queued (the default, bash >= 5): the event (its arguments, the log's path
# and the time of the call, $EPOCHREALTIME) is appended to a spool file of
# this script's own, in a directory only its user can enter, and one
# background `ds01-events log --spool` per script (started on the first
# event, detached: not a job of the script, no descriptor of it kept) builds,
# checks and writes the events in order, then exits when the script has
# exited. A call costs a few bash builtins; nothing waits for Node. See
# docs/cli.md for what each failure costs.
#
# Synchronous: DS01_EVENTS_SYNC=1, or anything the wrapper can see will fail
# (an unwritable log, a bad event type), runs the
# CLI for the event and waits for it, as before: the event is on disk (or the
# reason on stderr) when log_event returns.
#
# The CLI is found, in order: $DS01_EVENTS_CLI; ../bin/ds01-events.js next to
# this file (the npm package layout); `ds01-events` on PATH. DS01_EVENTS_NODE
# names the node binary to run it with; DS01_EVENTS_TIMEOUT (seconds, default
# 10) bounds each synchronous call so a hung disk cannot hang the caller.

if [ -z "${BASH_VERSION:-}" ]; then
  echo 'ds01_events.sh: needs bash (log_event not defined)' >&2
  # shellcheck disable=SC2317  # exit is for a shell that cannot return here
  return 0 2>/dev/null || exit 0
fi

# Resolved once, when sourced: where this file lives.
_ds01_events_here="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" 2>/dev/null && pwd -P)" || _ds01_events_here=""
# The CLI's default log (src/common/paths.ts) and the longest event type (the
# compiled registry's): test/shell-wrapper.test.mjs checks both against the
# TypeScript layer's.
_ds01_events_default_file=/var/log/ds01/events.jsonl
_ds01_events_type_max=128
# A queued record stays under PIPE_BUF: one write(2), never interleaved with another's.
_ds01_events_record_max=4000

# Sets _ds01_events_cli and _ds01_events_cmd (the command that runs the CLI); fails when none is found.
_ds01_events_find_cli() {
  local cli="${DS01_EVENTS_CLI:-}"
  if [[ -z "$cli" && -n "$_ds01_events_here" && -f "$_ds01_events_here/../bin/ds01-events.js" ]]; then
    cli="$_ds01_events_here/../bin/ds01-events.js"
  fi
  if [[ -z "$cli" ]]; then
    cli="$(command -v ds01-events 2>/dev/null)" || return 1
  fi
  [[ -f "$cli" ]] || return 1
  _ds01_events_cli="$cli"
  if [[ -n "${DS01_EVENTS_NODE:-}" ]]; then
    _ds01_events_cmd=("$DS01_EVENTS_NODE" "$cli")
  elif [[ -x "$cli" ]]; then
    _ds01_events_cmd=("$cli")
  else
    _ds01_events_cmd=(node "$cli")
  fi
}

# The caller's stderr may be closed (`exec 2>&-`): then any `>&2` fails, and
# the CLI would not even start. Test it once per call; the redirection error
# itself goes to the closed stderr, that is nowhere.
log_event() {
  _ds01_events_log "$@"
  return 0
}

# Whether $1 follows the naming rule for event types (category.action:
# dot-separated segments [a-z][a-z0-9_]*), the registry's eventTypePattern in
# glob form (a bash regex costs a compile per call). Letters are listed, not
# ranged: a range may follow the locale.
_ds01_events_type_ok() {
  local lower=abcdefghijklmnopqrstuvwxyz
  (( ${#1} <= _ds01_events_type_max )) &&
    [[ "$1" == ["$lower"]*.* && "$1" != *[!"$lower"0123456789_.]* && "$1" != *..* && "$1" != *. && "$1" != *.[!"$lower"]* ]]
}

# A warning on stderr, from a subshell that ignores SIGPIPE: a stderr whose
# reader is gone (`script 2>&1 | head -1`) must not kill the caller.
_ds01_events_warn() {
  (trap '' PIPE; printf '%s\n' "$1" >&2) || true
}

# shellcheck disable=SC2034  # DS01_EVENTS_LAST_STATUS is for the caller
_ds01_events_log() {
  DS01_EVENTS_LAST_STATUS=2
  local event_type="${1:-}" user="${2:-}" event_source="${3:-}"
  if [[ -z "$event_type" ]]; then
    _ds01_events_warn 'log_event: missing event type (usage: log_event <event_type> [user] [source] [key=value ...]); nothing logged'
    return 0
  fi
  if (( $# > 3 )); then shift 3; else set --; fi
  if [[ -z "$event_source" ]]; then
    event_source="${BASH_SOURCE[2]:-${0:-}}" # [0] this function, [1] log_event, [2] its caller
    event_source="${event_source##*/}"
  fi

  local -a args=("$event_type")
  if [[ -n "$user" ]]; then args+=("user=$user"); fi
  if [[ -n "$event_source" ]]; then args+=("source=$event_source"); fi
  # The envelope's user and source come from their positions only: a later
  # user=/source= (a command's own arguments passed through, say) must not
  # replace them. It is left out, with a warning.
  local arg message
  for arg in "$@"; do
    case "$arg" in
      user=* | source=*)
        printf -v message 'log_event: %s: argument %q left out: %s is the %s argument (log_event <event_type> [user] [source] [key=value ...])' \
          "$event_type" "$arg" "${arg%%=*}" "$(if [[ "$arg" == user=* ]]; then echo second; else echo third; fi)"
        _ds01_events_warn "$message"
        ;;
      *) args+=("$arg") ;;
    esac
  done

  if [[ "${DS01_EVENTS_SYNC:-}" != 1 ]] && _ds01_events_queue "${args[@]}"; then
    DS01_EVENTS_LAST_STATUS=0
    return 0
  fi

  if ! _ds01_events_find_cli; then
    DS01_EVENTS_LAST_STATUS=127
    _ds01_events_warn "log_event: ds01-events CLI not found (set DS01_EVENTS_CLI to bin/ds01-events.js of the package); $event_type not logged"
    return 0
  fi
  local -a cmd=("${_ds01_events_cmd[@]}")
  if command -v timeout >/dev/null 2>&1; then
    cmd=(timeout --foreground -k 2 "${DS01_EVENTS_TIMEOUT:-10}" "${cmd[@]}")
  fi

  # stdin closed: the CLI must not eat the caller's input (a `while read` loop);
  # its stdout goes to stderr: the caller's stdout may be captured with $(...).
  # A closed stderr (`exec 2>&-`) would keep the CLI from starting: /dev/null then.
  local status=0
  if true >&2; then
    "${cmd[@]}" log -- "${args[@]}" </dev/null >&2 || status=$?
  else
    "${cmd[@]}" log -- "${args[@]}" </dev/null >/dev/null 2>&1 || status=$?
  fi
  DS01_EVENTS_LAST_STATUS=$status
  return 0
}

# Queues one event (its CLI arguments) for this script's helper. Fails, having
# queued nothing, when the event should rather go the synchronous way: what is
# wrong with it is then said by the CLI itself.
_ds01_events_queue() {
  local now="${EPOCHREALTIME:-}"
  [[ -n "$now" ]] || return 1 # bash < 5
  _ds01_events_type_ok "$1" || return 1
  local file="${DS01_EVENTS_FILE:-$_ds01_events_default_file}"
  [[ "$file" == /* ]] || file="$PWD/$file" # the helper runs in /
  if [[ -f "$file" && -w "$file" ]]; then
    :
  elif [[ ! -e "$file" ]]; then
    local dir="${file%/*}"
    [[ -d "${dir:-/}" && -w "${dir:-/}" ]] || return 1
  else
    return 1
  fi
  _ds01_events_spool_ready || return 1
  if ! _ds01_events_helper_alive; then
    _ds01_events_start_helper || return 1
  fi
  # One write(2) of the whole record (O_APPEND); fields end in NUL, which no
  # bash string holds. A record that may not fit in one write goes to a file
  # of its own first, and the spool gets a record that names it.
  local joined="$file $*"
  if (( ${#joined} * 4 + 64 > _ds01_events_record_max )); then # characters: at most 4 bytes each
    _ds01_events_bytes "$joined"
    if (( _ds01_events_nbytes + 64 > _ds01_events_record_max )); then
      local large="$_ds01_events_spool.$BASHPID.${now//[!0123456789]/}"
      printf '%s\0' ds01e1 "$now" "$file" "$#" "$@" >|"$large" 2>/dev/null || return 1
      set -- "$large"
      now="file"
    fi
  fi
  printf '%s\0' ds01e1 "$now" "$file" "$#" "$@" >>"$_ds01_events_spool" 2>/dev/null || return 1
  # The helper died between the check and the write: a new one takes up where it stopped.
  _ds01_events_helper_alive || _ds01_events_start_helper || true
  return 0
}

# Sets _ds01_events_nbytes to the length of $1 in bytes.
_ds01_events_bytes() {
  local LC_ALL=C
  _ds01_events_nbytes=${#1}
}

# Sets _ds01_events_spool, this script's spool file ($$ is the script's, in
# its subshells too: they all share one spool and one helper, so one order).
# Its directory is the user's own: $XDG_RUNTIME_DIR, else $TMPDIR or /tmp,
# then ds01-events-$EUID, made 0700; one that is a link or another user's is
# not used (the events go the synchronous way).
_ds01_events_spool_ready() {
  if [[ -n "${_ds01_events_spool:-}" && "${_ds01_events_spool_of:-}" == "$$" ]]; then return 0; fi
  local root="${XDG_RUNTIME_DIR:-}"
  if [[ -z "$root" || ! -d "$root" || ! -O "$root" ]]; then root="${TMPDIR:-/tmp}"; fi
  local base="${root%/}/ds01-events-$EUID"
  if [[ ! -d "$base" ]]; then
    mkdir -m 700 -- "$base" 2>/dev/null || true
  fi
  [[ -d "$base" && ! -L "$base" && -O "$base" && -w "$base" ]] || return 1
  _ds01_events_spool="$base/$$.spool"
  _ds01_events_spool_of=$$
}

# Whether process $1 exists (one stat: cheaper than kill -0 and its redirection).
_ds01_events_running() {
  if [[ -d /proc/self ]]; then [[ -d "/proc/$1" ]]; else kill -0 "$1" 2>/dev/null; fi
}

# Whether this script's helper runs (its pid is in $spool.pid).
_ds01_events_helper_alive() {
  local pid="${_ds01_events_helper:-}"
  if [[ -n "$pid" && "${_ds01_events_helper_of:-}" == "$$" ]] && _ds01_events_running "$pid"; then return 0; fi
  pid=""
  { IFS= read -r pid <"$_ds01_events_spool.pid"; } 2>/dev/null || true
  if [[ -n "$pid" && "$pid" != *[!0123456789]* ]] && _ds01_events_running "$pid"; then
    _ds01_events_helper=$pid
    _ds01_events_helper_of=$$
    return 0
  fi
  return 1
}

# Starts this script's helper, detached: a subshell starts it in the
# background and exits, so it is no job of the script's (`wait` does not wait
# for it). It gets no descriptor of the script's: stdio are /dev/null, every
# other descriptor is closed (a pipe or lock the script holds must not outlive
# it), and it runs in / (no mount kept busy).
_ds01_events_start_helper() {
  [[ -z "${_ds01_events_no_helper:-}" ]] || return 1
  if ! _ds01_events_find_cli; then
    _ds01_events_no_helper=1
    return 1
  fi
  local node="${DS01_EVENTS_NODE:-node}"
  if [[ "$node" != */* ]]; then
    hash "$node" 2>/dev/null || return 1
    node="${BASH_CMDS[$node]:-}"
  fi
  [[ "$node" == /* ]] || node="$PWD/$node" # the helper starts in /
  [[ -n "$node" && -x "$node" ]] || return 1
  local spool="$_ds01_events_spool" cli="$_ds01_events_cli"
  [[ "$cli" == /* ]] || cli="$PWD/$cli"
  if [[ ! -e "$spool" ]] && ! { : >>"$spool"; } 2>/dev/null; then
    _ds01_events_spool="" # its directory went (another script's helper removed it empty): made again next time
    return 1
  fi
  # The helper reports on the script's stderr by opening /proc/$$/fd/2 for
  # each report; a socket (journald's, a Node parent's) cannot be opened so:
  # the helper keeps that one (it is never a $(...) capture or a pipeline).
  local stderr_socket=0
  if [[ -S /dev/fd/2 ]]; then stderr_socket=1; fi
  (
    cd / || exit 0
    for f in /proc/self/fd/*; do
      f="${f##*/}"
      if [[ "$f" =~ ^[0-9]+$ ]] && (( f > 2 )); then exec {f}>&-; fi
    done
    if [[ "$stderr_socket" == 1 ]]; then
      "$node" "$cli" log --spool "$spool" --pid "$$" --stderr </dev/null >/dev/null &
    else
      "$node" "$cli" log --spool "$spool" --pid "$$" </dev/null >/dev/null 2>&1 &
    fi
    printf '%s\n' "$!" >|"$spool.pid"
  ) </dev/null >/dev/null || return 1
  _ds01_events_helper_alive
}
