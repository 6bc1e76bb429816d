// A position in a log's history and its text form, the cursor (no Node
// types here: these are in the published declarations). See cursor.ts.

/** Bytes of a file's start its fingerprint covers (fewer while the file is shorter). */
export const FINGERPRINT_BYTES = 4096

export interface FileIdentity {
  dev: number
  ino: number
  /** bytes of the file's start the fingerprint covers */
  fpLen: number
  /** sha256 (hex, first 32 digits) of those bytes */
  fp: string
}

export interface Position {
  file: FileIdentity
  /** just after the last line read, in the file's decompressed content */
  offset: number
}

const PART = /^d=(\d+);i=(\d+);l=(\d+);h=([0-9a-f]{32});o=(\d+)$/
/** At most this many files in one cursor (a follower reads two at once, a few after quick rotations). */
export const CURSOR_FILES = 8

function part(p: Position): string {
  return `d=${p.file.dev};i=${p.file.ino};l=${p.file.fpLen};h=${p.file.fp};o=${p.offset}`
}

/**
 * Positions as cursor text (one line, no spaces: safe in a file and, quoted, as an argument):
 * `ds01:v1;d=DEV;i=INO;l=LEN;h=FINGERPRINT;o=OFFSET`, one such part per file being read,
 * oldest first, joined by `/` (several only while a rotated file is read in its grace).
 */
export function encodeCursor(p: Position | readonly Position[]): string {
  // (one position, nearly always: a record's cursor is made for every line read, so no list for it)
  return `ds01:v1;${Array.isArray(p) ? p.map(part).join('/') : part(p as Position)}`
}

/** The positions of cursor text (oldest first, at least one), or null when it is not one. */
export function decodeCursor(text: string): Position[] | null {
  const t = text.trim()
  if (!t.startsWith('ds01:v1;')) return null
  const parts = t.slice('ds01:v1;'.length).split('/')
  if (parts.length > CURSOR_FILES) return null
  const out: Position[] = []
  for (const text of parts) {
    const m = PART.exec(text)
    if (m === null) return null
    const [dev, ino, fpLen, offset] = [m[1], m[2], m[3], m[5]].map(Number)
    if (![dev, ino, fpLen, offset].every(Number.isSafeInteger) || fpLen > FINGERPRINT_BYTES || fpLen === 0) return null
    out.push({ file: { dev, ino, fpLen, fp: m[4] }, offset })
  }
  return out
}
