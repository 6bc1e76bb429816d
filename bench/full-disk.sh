#!/bin/bash
# Full disk, as readers see it (root; not part of `npm run bench`): three writer
# processes try 2,000 lines of 1,000 bytes each on a 64 KiB tmpfs while
# `tail -F` follows the file; prints how many times tail saw it truncated.
#   sudo bench/full-disk.sh                                   # the addon in prebuilds/ or build/
#   sudo DS01_EVENTS_NATIVE=0 bench/full-disk.sh              # the JavaScript writer
#   sudo DS01_EVENTS_ADDON=/tmp/ds01-before.node bench/full-disk.sh   # another build of the addon
set -eu
cd "$(dirname "$0")/.."
npm run --silent compile >/dev/null
work=$(mktemp -d /tmp/ds01-full-disk-XXXXXX)
mkdir "$work/mnt"
mount -t tmpfs -o size=64k,mode=0755 tmpfs "$work/mnt"
cleanup() {
  if [ -n "${tail_pid:-}" ]; then kill "$tail_pid" 2>/dev/null || true; fi
  umount "$work/mnt" 2>/dev/null || umount --lazy "$work/mnt"
  rm -rf "$work"
}
trap cleanup EXIT
file=$work/mnt/events.jsonl
: > "$file"
tail -n +1 -F "$file" > "$work/tail.out" 2> "$work/tail.err" &
tail_pid=$!
writers=()
for id in 1 2 3; do
  node test/writer/child.mjs "{\"path\":\"$file\",\"fill\":{\"id\":$id,\"count\":2000,\"size\":1000}}" > "$work/report.$id" &
  writers+=($!)
done
wait "${writers[@]}"
sleep 1 # let tail catch up
sum() { grep -ho "\"$1\":[0-9]*" "$work"/report.* | awk -F: '{ n += $2 } END { print n + 0 }'; }
echo "lines in the file: $(wc -l < "$file"); refused: $(sum failures); rolled back: $(sum rollbacks);" \
  "tail -F printed $(wc -l < "$work/tail.out") lines and $(grep -c truncated "$work/tail.err" || true) truncation notices"
