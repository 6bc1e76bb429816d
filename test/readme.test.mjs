// The README's code blocks work verbatim: each sh, bash and js block runs,
// exits 0 and appends valid v1 events to the log it names. A block is left
// out only when a `<!-- readme-test: skip (why) -->` line stands right above it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync, existsSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const root = new URL('..', import.meta.url).pathname

function codeBlocks (markdown) {
  const blocks = []
  const re = /(<!-- readme-test: skip[^>]*-->\n)?```(\w+)\n([\s\S]*?)```/g
  for (const m of markdown.matchAll(re)) blocks.push({ skip: m[1] !== undefined, lang: m[2], code: m[3] })
  return blocks
}

function lines (file) {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []
}

const blocks = codeBlocks(readFileSync(path.join(root, 'README.md'), 'utf8'))

test('the README has runnable blocks for the shell, bash and Node, and skips only what it says', () => {
  const run = blocks.filter((b) => !b.skip).map((b) => b.lang)
  for (const lang of ['sh', 'bash', 'js']) assert.ok(run.includes(lang), `no ${lang} block is run`)
  assert.ok(blocks.filter((b) => b.skip).length <= 1, 'only the set-up/test block is skipped')
})

for (const [i, block] of blocks.entries()) {
  if (block.skip) continue
  test(`README block ${i + 1} (${block.lang}) runs verbatim and logs valid events`, (t) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ds01-readme-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    const log = path.join(dir, 'ds01-readme-events.jsonl')
    // The blocks name the log through DS01_EVENTS_FILE or ${TMPDIR:-/tmp}: both point into dir.
    const env = { ...process.env, TMPDIR: dir, DS01_EVENTS_FILE: log }
    let r
    if (block.lang === 'js') {
      mkdirSync(path.join(dir, 'node_modules'))
      symlinkSync(root, path.join(dir, 'node_modules', 'ds01-events'))
      writeFileSync(path.join(dir, 'block.js'), block.code)
      r = spawnSync(process.execPath, ['block.js'], { cwd: dir, env, encoding: 'utf8' })
    } else {
      r = spawnSync('bash', ['-euo', 'pipefail', '-c', block.code], { cwd: root, env, encoding: 'utf8' })
    }
    assert.equal(r.status, 0, `exit ${r.status}\n${r.stdout}\n${r.stderr}`)
    const written = lines(log)
    assert.ok(written.length >= 1, `nothing logged to ${log}: ${r.stderr}`)
    for (const line of written) {
      const event = JSON.parse(line)
      assert.equal(event.schema_version, '1')
      assert.match(event.event_type, /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/)
    }
    assert.equal(r.stderr, '', 'no warning')
  })
}
