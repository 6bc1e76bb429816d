// JSON text of a parsed value, as JSON.stringify writes it, without recursion
// (10,000 nested arrays in a foreign line must not overflow the stack) and
// cut at a bound (a 4 MB value is never written out whole to be compared or shown).

/** JSON text of `value` (data as JSON.parse gives it), at most about `max` characters; `cut` when it was longer. */
export function boundedJson(value: unknown, max: number): { text: string; cut: boolean } {
  const parts: string[] = []
  let length = 0
  const put = (s: string): boolean => {
    parts.push(s)
    length += s.length
    return length <= max
  }
  // frames: an array or an object being written, with the next index
  type Frame = { items: unknown[]; keys: string[] | null; next: number }
  const stack: Frame[] = []
  let pending: unknown = value
  let hasPending = true
  for (;;) {
    if (hasPending) {
      hasPending = false
      const v = pending
      if (v !== null && typeof v === 'object') {
        if (Array.isArray(v)) {
          if (!put('[')) break
          stack.push({ items: v, keys: null, next: 0 })
        } else {
          const keys = Object.keys(v)
          if (!put('{')) break
          stack.push({ items: keys.map((k) => (v as Record<string, unknown>)[k]), keys, next: 0 })
        }
      } else if (!put(scalarJson(v, max - length))) {
        break
      }
    }
    const top = stack[stack.length - 1]
    if (top === undefined) return { text: parts.join(''), cut: false }
    if (top.next >= top.items.length) {
      stack.pop()
      if (!put(top.keys === null ? ']' : '}')) break
      continue
    }
    const i = top.next++
    if (i > 0 && !put(',')) break
    if (top.keys !== null && !put(JSON.stringify(top.keys[i]) + ':')) break
    pending = top.items[i]
    hasPending = true
  }
  const text = parts.join('')
  return { text: text.length > max ? text.slice(0, Math.max(0, max)) : text, cut: true }
}

/** A string, number, boolean or null as JSON; a long string is cut before it is escaped. */
function scalarJson(v: unknown, room: number): string {
  if (typeof v === 'string') return JSON.stringify(v.length > room + 1 ? v.slice(0, Math.max(0, room) + 1) : v)
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null'
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  return 'null'
}
