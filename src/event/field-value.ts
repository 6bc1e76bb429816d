// How a `key=value` text becomes a detail value: shared by `log` (writing)
// and `query --where` (reading), so both read `gpu=0` and `gpu=0:1` alike.

/** Strict JSON when it is JSON, else the text itself. */
export function parseValue(text: string): unknown {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return text
  }
  // An integer JSON.parse cannot hold exactly (a long numeric id) would be
  // written with other digits, and a number beyond a double (1e400) as null:
  // keep the text instead.
  if (typeof value === 'number' && !Number.isFinite(value)) return text
  if (typeof value === 'number' && !Number.isSafeInteger(value) && /^\s*-?\d+\s*$/.test(text)) return text
  return value
}
