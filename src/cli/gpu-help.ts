// The usage text of `ds01-events gpu` (help.ts shows it).
export const GPU_USAGE = `Usage:
  ds01-events gpu status [--json]
  ds01-events gpu usage [--since WHEN] [--until WHEN] [--by user|container|gpu] [--threshold PCT] [--json]
  ds01-events gpu waste [--window 30m] [--threshold 5] [--share 0.8] [--min-samples 3] [--dry-run] [--json]

GPU accounting: the allocation events of the events log joined with the
per-GPU samples of the GPU log (docs/gpu.md).

  status   who holds each GPU now, its last sample, and whether samples are stale
  usage    GPU-hours allocated, busy, idle (under the threshold) and unknown per
           user (container, GPU), and the mean utilization; default window: the
           last 24 hours; sorted by idle hours
  waste    allocations held for the whole window with more than SHARE of its
           samples under THRESHOLD % (at least MIN samples); logs alert.gpu_waste
           once per episode (not with --dry-run). Exit status 1 when any.

Options:
  --since WHEN, --until WHEN   the usage window (WHEN as in 'ds01-events query --help')
  --by user|container|gpu      how usage rows are grouped (default user)
  --threshold PCT              a sample under PCT % is idle (default 5)
  --window DURATION            waste: 30m, 1h, 90s (default 30m)
  --share FRACTION             waste: more than this share low (default 0.8)
  --min-samples N              waste: at least N samples in the window (default 3)
  --dry-run                    waste: report, log no alert
  --interval DURATION          the sampling interval (default: learned from the samples)
  --file PATH                  the events log (default $DS01_EVENTS_FILE, else /var/log/ds01/events.jsonl)
  --gpu-file PATH              the GPU log (default $DS01_GPU_UTILIZATION_FILE, else
                               /var/log/ds01/gpu-utilization.jsonl)
  --json                       one JSON object, for scripts
  -h, --help                   this text

Exit status: 0 it ran (waste: nothing wasted), 1 waste found something, or a log
could not be read (stderr says which), 2 usage error.
`
