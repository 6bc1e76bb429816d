#!/usr/bin/env bash
# The bash writer of the rotation test, run as a non-root docker member:
#   rotation-wrapper-loop.sh <ds01_events.sh> <stop file> <report file> <name>
# Calls log_event until the stop file appears; appends to the report file the
# seq of every event the wrapper reported logged (DS01_EVENTS_LAST_STATUS=0).
set -euo pipefail
# shellcheck source=/dev/null  # the wrapper, passed as $1
source "$1"
seq=0
while [[ ! -e "$2" ]]; do
  seq=$((seq + 1))
  log_event test.bash_wrapper "" rotation-test result=ok writer="$4" seq="$seq"
  if [[ "$DS01_EVENTS_LAST_STATUS" == 0 ]]; then printf '%s\n' "$seq" >>"$3"; fi
done
printf '%s\n' "$seq"
