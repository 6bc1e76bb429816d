// Build step (after tsc): writes dist/registry.compiled.json from the zod
// schemas, so the runtime checks events without loading zod.
// Usage: node dist/tools/compile-registry.js [outfile]
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { compileRegistry } from '../compile-schema.js'
import { detailSchemas, envelopeSchema } from '../schemas.js'

const out = process.argv[2] ?? join(__dirname, '..', 'registry.compiled.json')
writeFileSync(out, JSON.stringify(compileRegistry(envelopeSchema, detailSchemas)) + '\n')
