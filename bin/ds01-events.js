#!/usr/bin/env node
'use strict'
// First: Node >= 22 then compiles the modules below from the user's own cache (src/cli/compile-cache.ts).
require('../dist/cli/compile-cache.js').enableCompileCache()
require('../dist/cli/main.js').runCli(process.argv.slice(2))
