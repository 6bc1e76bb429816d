// `--type T` as a test on event types: a prefix (`gpu`), or a glob
// (`container.*`, `*.reject`), matched by every spelling of a type: an event
// whose type is another spelling in the field (`gpu.allocated`, see
// docs/format.md) matches when any spelling of it does, so `--type
// gpu.allocate` finds `gpu.allocated` and `--type auth.denied` finds
// `auth.access_denied`.
import { eventTypeAliases, eventTypeSpellings } from '../event/index.js'

export interface TypePattern {
  /** the pattern as given (without a leading `!`) */
  readonly pattern: string
  readonly glob: boolean
  /** exact type names that match only through another spelling of theirs */
  readonly spellings: readonly string[]
  test(type: string): boolean
}

function globRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')
  return new RegExp(`^${body}$`)
}

/** Every name the table of spellings knows: the aliases and the names they spell. */
function spelledNames(): string[] {
  const aliases = eventTypeAliases()
  return [...new Set([...Object.keys(aliases), ...Object.values(aliases)])]
}

export function typePattern(pattern: string): TypePattern {
  const glob = /[*?]/.test(pattern)
  const re = glob ? globRegExp(pattern) : null
  const base = re !== null ? (type: string) => re.test(type) : (type: string) => type.startsWith(pattern)
  const spellings = spelledNames().filter((name) => !base(name) && eventTypeSpellings(name).some(base))
  const extra = new Set(spellings)
  return {
    pattern,
    glob,
    spellings,
    test: extra.size === 0 ? base : (type) => base(type) || extra.has(type)
  }
}

/**
 * A text that every line of a matching type holds (`"gpu.alloc` for `--type
 * gpu.allocated`, which also matches `gpu.allocate`), or null for a glob.
 */
export function typeAnchor(p: TypePattern): string | null {
  if (p.glob) return null
  let prefix = p.pattern
  for (const name of p.spellings) {
    let n = 0
    while (n < prefix.length && n < name.length && prefix[n] === name[n]) n++
    prefix = prefix.slice(0, n)
  }
  return '"' + prefix
}
