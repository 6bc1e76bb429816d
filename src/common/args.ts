// Every subcommand's options go through parseArgs (node:util); this turns its
// errors into usage errors a person can act on: the option named as it was
// typed, "did you mean" for a near miss, the form that passes a value that
// starts with '-', and --help honoured wherever it stands (`setup --forward
// --help` shows help instead of taking --help as the host).
import { parseArgs, type ParseArgsConfig } from 'node:util'

type Options = NonNullable<ParseArgsConfig['options']>
type Token = { kind: 'option'; name: string; rawName: string; index: number; value?: string; inlineValue?: boolean } | { kind: 'positional'; index: number; value: string } | { kind: 'option-terminator'; index: number }

export type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>

export type ArgsResult<O extends Options> = { ok: true; help: boolean; values: Parsed<O>['values']; positionals: string[] } | { ok: false; problem: string }

/** Edit distance (insert, delete, substitute, swap neighbours), for "did you mean". */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)])
  for (let j = 1; j <= b.length; j++) (d[0] as number[])[j] = j
  for (let i = 1; i <= a.length; i++) {
    const row = d[i] as number[]
    const prev = d[i - 1] as number[]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, ((d[i - 2] as number[])[j - 2] as number) + 1)
      row[j] = best
    }
  }
  return (d[a.length] as number[])[b.length] as number
}

/**
 * The candidate closest to what was typed, when it is close enough to be a
 * typo (a third of its length, at least one edit) or what was typed is its
 * start (`--sum` for `--summary`); undefined otherwise.
 */
export function didYouMean(typed: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of candidates) {
    if (candidate === typed) continue
    const distance = typed.length >= 3 && candidate.startsWith(typed) ? 0.5 : editDistance(typed, candidate)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(typed.length / 3)) ? best : undefined
}

function optionList(options: Options): string[] {
  return Object.keys(options).map((name) => `--${name}`)
}

function unknownOption(token: Extract<Token, { kind: 'option' }>, options: Options): string {
  const typed = token.rawName
  const guess = typed.startsWith('--') ? didYouMean(typed, optionList(options)) : undefined
  return `unknown option '${typed}'` + (guess !== undefined ? ` (did you mean '${guess}'?)` : '')
}

function badValue(token: Extract<Token, { kind: 'option' }>, options: Options): string | undefined {
  const spec = options[token.name]
  if (spec === undefined) return undefined
  const long = `--${token.name}`
  if (spec.type === 'boolean' && token.inlineValue === true) return `'${long}' takes no value (given '${token.rawName}=${String(token.value)}')`
  if (spec.type !== 'string') return undefined
  if (token.value === undefined) return `'${token.rawName}' needs a value`
  if (token.inlineValue !== true && token.value.startsWith('-')) {
    return `'${token.rawName}' needs a value, and '${token.value}' looks like an option; to pass it as the value, write ${long}=${token.value}`
  }
  return undefined
}

/** Whether -h/--help stands among the options (before any `--`), also where a value was expected. */
function asksForHelp(tokens: Token[], options: Options): boolean {
  for (const token of tokens) {
    if (token.kind === 'option-terminator') return false
    if (token.kind !== 'option') continue
    if (token.name === 'help' || token.rawName === '-h') return true
    if (options[token.name]?.type === 'string' && token.inlineValue !== true && (token.value === '--help' || token.value === '-h')) return true
  }
  return false
}

/**
 * parseArgs, strict, with the problems worded for people. `positionals`
 * false: an argument that is not an option is a usage error.
 */
export function parseCommandArgs<O extends Options>(args: string[], options: O, allowPositionals = false): ArgsResult<O> {
  const loose = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true })
  const tokens = loose.tokens as Token[]
  if ('help' in options && asksForHelp(tokens, options)) {
    return { ok: true, help: true, values: {} as Parsed<O>['values'], positionals: [] }
  }
  for (const token of tokens) {
    if (token.kind === 'option-terminator') break
    if (token.kind === 'option') {
      if (!Object.hasOwn(options, token.name)) return { ok: false, problem: unknownOption(token, options) }
      const problem = badValue(token, options)
      if (problem !== undefined) return { ok: false, problem }
    } else if (!allowPositionals) {
      return { ok: false, problem: `unexpected argument '${token.value}' (this command takes options only)` }
    }
  }
  try {
    const parsed = parseArgs({ args, options, strict: true, allowPositionals: true })
    if (!allowPositionals && parsed.positionals.length > 0) return { ok: false, problem: `unexpected argument '${parsed.positionals[0] as string}' (this command takes options only)` }
    return { ok: true, help: false, values: parsed.values as Parsed<O>['values'], positionals: parsed.positionals }
  } catch (err) {
    return { ok: false, problem: err instanceof Error ? err.message : String(err) }
  }
}
