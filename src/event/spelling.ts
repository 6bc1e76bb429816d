// Which registered type a name was meant to be: another spelling in the field
// (an alias, from the registry's table), or a slip of the keyboard
// (`container.crate`). Pure and small: on the log path, no zod.

/** Edit distance (insert, delete, replace, swap of neighbours), stopped once it passes `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1
  let prev2: number[] = []
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    let best = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1)
      row.push(d)
      if (d < best) best = d
    }
    if (best > max) return max + 1
    prev2 = prev
    prev = row
  }
  return prev[b.length]
}

/**
 * The registered name `type` is probably a misspelling of, or null. Close
 * means: the same category with an action at most one edit away (two for
 * actions of 8 characters or more), or the same action in a category one edit
 * away. A name that only adds to a registered one (`gpu.allocate_batch`) is a
 * type of its own, not a slip.
 */
export function closestEventType(type: string, names: Iterable<string>): string | null {
  const dot = type.indexOf('.')
  if (dot < 0) return null
  const category = type.slice(0, dot)
  const action = type.slice(dot + 1)
  let best: string | null = null
  let bestDistance = Infinity
  for (const name of names) {
    if (name === type) return null
    const nameDot = name.indexOf('.')
    const nameCategory = name.slice(0, nameDot)
    const nameAction = name.slice(nameDot + 1)
    let d: number
    if (nameCategory === category) {
      const max = nameAction.length >= 8 ? 2 : 1
      d = editDistance(action, nameAction, max)
      if (d > max) continue
    } else if (nameAction === action) {
      d = editDistance(category, nameCategory, 1)
      if (d > 1) continue
    } else {
      continue
    }
    if (d < bestDistance || (d === bestDistance && best !== null && name < best)) {
      best = name
      bestDistance = d
    }
  }
  return best
}
