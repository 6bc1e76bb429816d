// Shared by every layer: where the logs live, warnings that cannot flood, and
// command-line options parsed with usage errors a person can act on.
export * from './paths.js'
export * from './warnings.js'
/** @internal CLI only: its declarations name node:util types, kept out of the published .d.ts (stripInternal) */
export { didYouMean, editDistance, parseCommandArgs, type ArgsResult } from './args.js'
