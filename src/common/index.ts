// Shared by every layer: where the logs live, warnings that cannot flood, and
// command-line options parsed with usage errors a person can act on.
export * from './paths.js'
export * from './warnings.js'
export * from './args.js'
