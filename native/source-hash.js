// Prints a short hash of the native sources; the addon embeds it so a test can
// tell a stale prebuild from one built from the sources it ships beside.
'use strict'
const { createHash } = require('node:crypto')
const { readFileSync, readdirSync } = require('node:fs')
const { join } = require('node:path')

function sourceHash () {
  const hash = createHash('sha256')
  for (const name of readdirSync(__dirname).filter((n) => /\.(cc|h)$/.test(n)).sort()) {
    hash.update(name).update('\0').update(readFileSync(join(__dirname, name))).update('\0')
  }
  return hash.digest('hex').slice(0, 16)
}

module.exports = { sourceHash }
if (require.main === module) process.stdout.write(sourceHash())
