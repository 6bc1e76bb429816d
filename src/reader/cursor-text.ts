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

const CURSOR = /^ds01:v1;d=(\d+);i=(\d+);l=(\d+);h=([0-9a-f]{32});o=(\d+)$/

/** A position as cursor text (one line, no spaces: safe in a file and as an argument). */
export function encodeCursor(p: Position): string {
  return `ds01:v1;d=${p.file.dev};i=${p.file.ino};l=${p.file.fpLen};h=${p.file.fp};o=${p.offset}`
}

/** The position of cursor text, or null when it is not one. */
export function decodeCursor(text: string): Position | null {
  const m = CURSOR.exec(text.trim())
  if (m === null) return null
  const [dev, ino, fpLen, offset] = [m[1], m[2], m[3], m[5]].map(Number)
  if (![dev, ino, fpLen, offset].every(Number.isSafeInteger) || fpLen > FINGERPRINT_BYTES || fpLen === 0) return null
  return { file: { dev, ino, fpLen, fp: m[4] }, offset }
}

