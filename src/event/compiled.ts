// The compiled registry (dist/event/registry.compiled.json, written by the build
// from the zod schemas). Where it is missing (tsc run without the build
// script) it is compiled from zod once, so behaviour is the same, only slower.
import type { CompiledRegistry } from './compile-schema.js'

let compiled: CompiledRegistry | undefined

function compileNow(): CompiledRegistry {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { compileRegistry } = require('./compile-schema.js') as typeof import('./compile-schema.js')
  const { envelopeSchema, detailSchemas, eventTypeAliases } = require('./schemas.js') as typeof import('./schemas.js')
  /* eslint-enable @typescript-eslint/no-require-imports */
  return compileRegistry(envelopeSchema, detailSchemas, eventTypeAliases)
}

export function compiledRegistry(): CompiledRegistry {
  if (compiled !== undefined) return compiled
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require('./registry.compiled.json') as CompiledRegistry
    compiled = loaded.format === 2 ? loaded : compileNow()
  } catch {
    compiled = compileNow()
  }
  return compiled
}
