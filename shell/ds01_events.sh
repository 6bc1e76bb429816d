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
# stderr (when it is open), and the CLI's exit
# status is left in DS01_EVENTS_LAST_STATUS for callers that want it
# (0 logged, 1 not logged, 2 usage error, 127 no CLI).
#
# The CLI is found, in order: $DS01_EVENTS_CLI; ../bin/ds01-events.js next to
# this file (the npm package layout); `ds01-events` on PATH. DS01_EVENTS_NODE
# names the node binary to run it with; DS01_EVENTS_TIMEOUT (seconds, default
# 10) bounds each call so a hung disk cannot hang the caller.

if [ -z "${BASH_VERSION:-}" ]; then
  echo 'ds01_events.sh: needs bash (log_event not defined)' >&2
  # shellcheck disable=SC2317  # exit is for a shell that cannot return here
  return 0 2>/dev/null || exit 0
fi

# Resolved once, when sourced: where this file lives.
_ds01_events_here="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" 2>/dev/null && pwd -P)" || _ds01_events_here=""

# Sets _ds01_events_cmd to the command that runs the CLI; fails when none is found.
_ds01_events_find_cli() {
  local cli="${DS01_EVENTS_CLI:-}"
  if [[ -z "$cli" && -n "$_ds01_events_here" && -f "$_ds01_events_here/../bin/ds01-events.js" ]]; then
    cli="$_ds01_events_here/../bin/ds01-events.js"
  fi
  if [[ -z "$cli" ]]; then
    cli="$(command -v ds01-events 2>/dev/null)" || return 1
  fi
  [[ -f "$cli" ]] || return 1
  if [[ -n "${DS01_EVENTS_NODE:-}" ]]; then
    _ds01_events_cmd=("$DS01_EVENTS_NODE" "$cli")
  elif [[ -x "$cli" ]]; then
    _ds01_events_cmd=("$cli")
  else
    _ds01_events_cmd=(node "$cli")
  fi
  if command -v timeout >/dev/null 2>&1; then
    _ds01_events_cmd=(timeout --foreground -k 2 "${DS01_EVENTS_TIMEOUT:-10}" "${_ds01_events_cmd[@]}")
  fi
}

# The caller's stderr may be closed (`exec 2>&-`): then any `>&2` fails, and
# the CLI would not even start. Test it once per call; the redirection error
# itself goes to the closed stderr, that is nowhere.
log_event() {
  if true >&2; then
    _ds01_events_log "$@"
  else
    _ds01_events_log "$@" 2>/dev/null
  fi
  return 0
}

# shellcheck disable=SC2034  # DS01_EVENTS_LAST_STATUS is for the caller
_ds01_events_log() {
  DS01_EVENTS_LAST_STATUS=2
  local event_type="${1:-}" user="${2:-}" event_source="${3:-}"
  if [[ -z "$event_type" ]]; then
    printf 'log_event: missing event type (usage: log_event <event_type> [user] [source] [key=value ...]); nothing logged\n' >&2
    return 0
  fi
  if (( $# > 3 )); then shift 3; else set --; fi
  if [[ -z "$event_source" ]]; then
    event_source="${BASH_SOURCE[2]:-${0:-}}" # [0] this function, [1] log_event, [2] its caller
    event_source="${event_source##*/}"
  fi

  local -a args=(log -- "$event_type")
  if [[ -n "$user" ]]; then args+=("user=$user"); fi
  if [[ -n "$event_source" ]]; then args+=("source=$event_source"); fi
  # The envelope's user and source come from their positions only: a later
  # user=/source= (a command's own arguments passed through, say) must not
  # replace them. It is left out, with a warning.
  local arg
  for arg in "$@"; do
    case "$arg" in
      user=* | source=*)
        printf 'log_event: %s: argument %q left out: %s is the %s argument (log_event <event_type> [user] [source] [key=value ...])\n' \
          "$event_type" "$arg" "${arg%%=*}" "$(if [[ "$arg" == user=* ]]; then echo second; else echo third; fi)" >&2
        ;;
      *) args+=("$arg") ;;
    esac
  done

  if ! _ds01_events_find_cli; then
    DS01_EVENTS_LAST_STATUS=127
    printf 'log_event: ds01-events CLI not found (set DS01_EVENTS_CLI to bin/ds01-events.js of the package); %s not logged\n' "$event_type" >&2
    return 0
  fi

  # stdin closed: the CLI must not eat the caller's input (a `while read` loop);
  # its stdout goes to stderr: the caller's stdout may be captured with $(...).
  local status=0
  "${_ds01_events_cmd[@]}" "${args[@]}" </dev/null >&2 || status=$?
  DS01_EVENTS_LAST_STATUS=$status
  return 0
}
