// Build step (after tsc): writes dist/event/registry.compiled.json from the zod
// schemas, so the runtime checks events without loading zod.
// Usage: node dist/tools/compile-registry.js [outfile]
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { compileRegistry } from '../event/compile-schema.js'
import { detailSchemas, envelopeSchema, eventTypeAliases } from '../event/schemas.js'

const out = process.argv[2] ?? join(__dirname, '..', 'event', 'registry.compiled.json')
writeFileSync(out, JSON.stringify(compileRegistry(envelopeSchema, detailSchemas, eventTypeAliases)) + '\n')
