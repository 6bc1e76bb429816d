#!/usr/bin/env node
'use strict'
require('../dist/cli/main.js').runCli(process.argv.slice(2))
