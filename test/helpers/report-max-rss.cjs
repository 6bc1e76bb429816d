// Preloaded with `node -r`: at exit, writes the process's peak resident set
// size (KiB, from process.resourceUsage) to stderr as "max-rss-kib=N".
'use strict'
process.on('exit', () => {
  require('node:fs').writeSync(2, `max-rss-kib=${process.resourceUsage().maxRSS}\n`)
})
