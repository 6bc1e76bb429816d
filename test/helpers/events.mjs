// Reading event files back, strictly: every line must be RFC 8259 JSON.
import { readFileSync, readdirSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { join } from 'node:path'

export const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/

/**
 * The lines of a file (gunzipped when it ends in .gz); the file must end with a newline.
 * With `onTornTail`, a last line without its newline is handed to it instead of throwing
 * (copytruncate's copy can stop inside a line: the rotation test counts that, not crashes).
 */
export function fileLines (path, { onTornTail } = {}) {
  let bytes = readFileSync(path)
  if (path.endsWith('.gz')) bytes = gunzipSync(bytes)
  const text = bytes.toString('utf8')
  if (text === '') return []
  if (!text.endsWith('\n')) {
    if (onTornTail === undefined) throw new Error(`${path} does not end with a newline`)
    const cut = text.lastIndexOf('\n')
    onTornTail(text.slice(cut + 1))
    return cut === -1 ? [] : text.slice(0, cut).split('\n')
  }
  return text.slice(0, -1).split('\n')
}

/** Every event of a file, parsed with JSON.parse (throws on the first line that does not parse). */
export function readEvents (path) {
  return fileLines(path).map((line, i) => {
    try {
      return JSON.parse(line)
    } catch (err) {
      throw new Error(`${path}:${i + 1} is not JSON (${err.message}): ${line.slice(0, 200)}`)
    }
  })
}

/** Files of `dir` whose name starts with `base` (the current one, rotated ones, compressed ones). */
export function rotationFamily (dir, base) {
  return readdirSync(dir).filter((name) => name.startsWith(base)).sort().map((name) => join(dir, name))
}
