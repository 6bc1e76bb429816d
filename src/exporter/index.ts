// The Prometheus exporter: exact event counters across rotations and
// restarts, the GPU accounting's gauges and counters, its own health.
export { DEFAULT_LISTEN, DEFAULT_STATE_DIR, Exporter, type ExporterOptions, type StartMode } from './exporter.js'
export { MAX_PAIRS, MAX_SOURCES, MAX_UNKNOWN_TYPES, OTHER } from './counts.js'
export { STATE_FILE } from './state.js'
