// GPU accounting: the allocation events of the events log joined with the
// per-GPU samples of the GPU log (docs/gpu.md).
//
// The core is one incremental state machine, GpuAccounting. Feed it records in
// time order (feed(event) for any event of either log, sample(s) for a sample
// read in place); it keeps, per GPU, its holders and its last sample, and per
// group (user, container or GPU) the milliseconds allocated, busy, idle and
// unknown, without keeping any sample. The batch answers (gpuStatus, gpuUsage,
// gpuWaste) drive it over a window with feedFromLogs; a follower (the
// Prometheus exporter) drives it as the logs grow and reads:
//   gpuViews()  per GPU: gpu_index, gpu_uuid, name, holders (user, container,
//               gpu, since), the last sample (utilization, memory, temperature,
//               power, its time), the interval in use, the last busy sample;
//   holders()   every allocation held now;
//   usage()     the counters per group, in seconds (monotone while fed in order:
//               call advance(now) first to count up to now).
//
// The rules, which every answer shares:
// - Spans. gpu.allocate (or gpu.allocated) starts a span on each device its
//   `gpu` detail names. It ends at gpu.release (gpu.released) for the same
//   container, on the named devices only when the release names some (a
//   release without a container ends the named devices' spans); at
//   container.remove naming the container; at detection.container_exited whose
//   name or container_id is the container. An allocation of a device that is
//   held ends the earlier span (its release was lost); the same allocation
//   logged twice is one span. Spellings fold through canonicalEventType().
// - Devices. `gpu` is an index ("3", 3), a UUID ("GPU-..."; its index comes
//   from the samples' gpu_uuid), a MIG slice ("3:1", "3.1"; a MIG UUID), or a
//   list ("0,1"). A slice joins its parent's samples: its time is allocated,
//   and its utilization unknown.
// - Samples. A sample stands for the time until its GPU's next sample, at most
//   two intervals; the rest of a gap is unknown. The interval is the median of
//   the GPU's last 15 gaps (the first gap stands for itself; before any gap,
//   the agent's interval from its system.startup event, else 1 s), or fixed by
//   the intervalMs option. A null reading is unknown, under the threshold
//   (default 5 %) idle, else busy.
// - Time order. A record older than what a GPU has counted (writers' disorder)
//   changes the state from the time already counted on; a sample older than
//   its GPU's last sample is ignored.
// - Waste. An allocation's samples are counted from countSamplesFrom; the last
//   alert.gpu_waste for it is kept with whether a busy sample followed, so the
//   waste check alerts once per episode with no state of its own.
export { parseDevices, type Device } from './device.js'
export {
  COVER_INTERVALS,
  DEFAULT_IDLE_THRESHOLD,
  DEFAULT_INTERVAL_MS,
  GpuAccounting,
  type AccountingOptions,
  type GpuSample,
  type GpuView,
  type GroupBy,
  type HolderView,
  type SampleView,
  type UsageCounter
} from './state.js'
/** @internal */
export { SampleBatch, sampleFromEvent, sampleSink } from './sample-sink.js'
export { ACCOUNTING_EVENT_TYPES, feedFromLogs, lastBusyTimes, type FeedOptions, type FeedResult } from './feed.js'
export {
  DEFAULT_USAGE_SINCE,
  HOLDER_LOOKBACK_MS,
  SAMPLE_LOOKBACK_MS,
  STALE_INTERVALS,
  STALE_MIN_MS,
  STATUS_SAMPLE_LOOKBACK_MS,
  gpuStatus,
  gpuUsage,
  type GpuHolder,
  type GpuLogOptions,
  type GpuSampleReport,
  type GpuStatusReport,
  type GpuStatusRow,
  type GpuUsageOptions,
  type GpuUsageReport,
  type GpuUsageRow
} from './commands.js'
export { WASTE_DEFAULTS, WASTE_SOURCE, formatDuration, gpuWaste, parseDuration, type GpuWasteOptions, type GpuWasteReport, type GpuWasteRow } from './waste.js'
