#!/usr/bin/env node
'use strict'
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('../dist/cli/main.js').runCli(process.argv.slice(2))
