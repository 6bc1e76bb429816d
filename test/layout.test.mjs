// The source tree shows the layers: a folder per layer, imports only
// downward, across folders only through a folder's index.ts, and no cycle.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

const src = new URL('../src/', import.meta.url).pathname

// Lowest first. A file may import its own folder and folders ranked below it.
// accounting: GPU spans and samples joined (on the reader); exporter and report
// answer on top of it; the package entry ('') may expose any of them.
const RANK = { common: 0, writer: 1, event: 2, reader: 3, 'gpu-monitor': 4, fleet: 4, accounting: 5, exporter: 6, report: 6, '': 7, cli: 8, tools: 9 }

const files = readdirSync(src, { recursive: true }).filter((f) => f.endsWith('.ts')).map((f) => f.split(path.sep).join('/'))

function folderOf (file) {
  return file.includes('/') ? file.slice(0, file.indexOf('/')) : ''
}

function importsOf (file) {
  const text = readFileSync(path.join(src, file), 'utf8')
  const specs = [...text.matchAll(/(?:from\s+|require\(|import\()'(\.{1,2}\/[^']+)'/g)].map((m) => m[1])
  return [...new Set(specs)].map((spec) => path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).replace(/\.js$/, '.ts'))
}

const graph = new Map(files.map((f) => [f, importsOf(f).filter((t) => t.endsWith('.ts'))]))

test('every folder under src/ is a known layer with an index.ts entry', () => {
  const folders = new Set(files.map(folderOf).filter((f) => f !== ''))
  for (const folder of folders) {
    assert.ok(folder in RANK, `src/${folder}/ is not a known layer: add it to RANK in test/layout.test.mjs`)
    if (folder !== 'cli' && folder !== 'tools') assert.ok(files.includes(`${folder}/index.ts`), `src/${folder}/ has no index.ts`)
  }
})

test('imports go only downward, and across folders only through index.ts', () => {
  const wrong = []
  for (const [file, targets] of graph) {
    const from = folderOf(file)
    for (const target of targets) {
      const to = folderOf(target)
      if (to === from) continue
      if (!(RANK[to] < RANK[from])) wrong.push(`${file} -> ${target} (upward: ${to || 'src'} is not below ${from || 'src'})`)
      else if (from !== 'tools' && !target.endsWith('/index.ts')) wrong.push(`${file} -> ${target} (not through ${to}/index.ts)`)
    }
  }
  assert.deepEqual(wrong, [])
})

function findCycles (edges) {
  const state = new Map() // file -> 'open' | 'done'
  const cycles = []
  const visit = (file, trail) => {
    if (state.get(file) === 'done') return
    if (state.get(file) === 'open') {
      cycles.push([...trail.slice(trail.indexOf(file)), file].join(' -> '))
      return
    }
    state.set(file, 'open')
    for (const next of edges.get(file) ?? []) visit(next, [...trail, file])
    state.set(file, 'done')
  }
  for (const file of edges.keys()) visit(file, [])
  return cycles
}

test('no import cycle', () => {
  assert.deepEqual(findCycles(graph), [])
})

test('the checker sees imports and would find a cycle', () => {
  // Guards against a regex that silently matches nothing.
  assert.ok((graph.get('event/event-log.ts') ?? []).includes('writer/index.ts'))
  assert.ok((graph.get('writer/index.ts') ?? []).includes('writer/native.ts'))
  const planted = new Map(graph)
  planted.set('writer/native.ts', [...planted.get('writer/native.ts'), 'writer/index.ts'])
  assert.deepEqual(findCycles(planted), ['writer/index.ts -> writer/native.ts -> writer/index.ts'])
})
