// Which registered type a slip of the keyboard (`container.crate`) was meant
// to be. Pure and small: on the log path, no zod.
import { editDistance } from '../common/index.js'

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
      if (Math.abs(action.length - nameAction.length) > max) continue // cheap: most names stop here
      d = editDistance(action, nameAction)
      if (d > max) continue
    } else if (nameAction === action && Math.abs(category.length - nameCategory.length) <= 1) {
      d = editDistance(category, nameCategory)
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
