// Preloaded with `node -r`: at exit, writes every module file the process loaded
// to the file named by TRACE_REQUIRES_OUT, one per line.
'use strict'
const Module = require('node:module')
const { writeFileSync } = require('node:fs')
const load = Module._load
const seen = new Set()
Module._load = function (request, parent, isMain) {
  const result = load.apply(this, arguments)
  try {
    seen.add(Module._resolveFilename(request, parent, isMain))
  } catch {
    // a built-in or an unresolvable request: not a file
  }
  return result
}
process.on('exit', () => {
  writeFileSync(process.env.TRACE_REQUIRES_OUT, [...seen].filter((f) => f.includes('/')).join('\n') + '\n')
})
