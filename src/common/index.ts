// Shared by every layer: where the logs live, and warnings that cannot flood.
export * from './paths.js'
export * from './warnings.js'
