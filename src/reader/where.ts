// `--where KEY=VALUE` and its comparisons: KEY!=VALUE, and KEY<N, KEY<=N,
// KEY>N, KEY>=N on numbers. Clauses on different keys are combined with AND;
// on one key, the `=` clauses are alternatives (OR: `--where gpu=0 --where
// gpu=1`) and the others all hold (AND: `--where gpu>=1 --where gpu<=3` is a
// range, `--where gpu!=0 --where gpu!=1` neither).
import { parseValue } from '../event/index.js'
import { boundedJson } from './json-text.js'

export type WhereOp = '=' | '!=' | '<' | '<=' | '>' | '>='

export interface WhereClause {
  key: string
  value: unknown
  /** the VALUE text as given (a number, boolean or null also matches its text as a string) */
  text: string
  /** `=` when not given */
  op: WhereOp
}

/** The clauses on one key: any of `anyOf` (when there are some), and all of `allOf`. */
export interface WhereGroup {
  key: string
  anyOf: WhereClause[]
  allOf: WhereClause[]
}

/** A number as text, the one form both this reader and PostgreSQL's numeric read alike. */
export const NUMBER_TEXT = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/

const OPERATOR = /^(!=|<=|>=|=|<|>)/

/** One `KEY<OP>VALUE` text as a clause, or the problem with it. */
export function parseWhere(pair: string): WhereClause | string {
  const at = pair.search(/[=!<>]/)
  const op = at < 0 ? null : OPERATOR.exec(pair.slice(at))
  if (at <= 0 || op === null) {
    return `--where ${JSON.stringify(pair)}: expected KEY=VALUE (for example gpu=0), or KEY!=VALUE, KEY<N, KEY<=N, KEY>N, KEY>=N`
  }
  const key = pair.slice(0, at)
  const text = pair.slice(at + op[1].length)
  const o = op[1] as WhereOp
  if (o === '=' || o === '!=') return { key, value: parseValue(text), text, op: o }
  if (!NUMBER_TEXT.test(text)) {
    return `--where ${JSON.stringify(pair)}: ${o} compares numbers: expected ${key}${o}NUMBER (for example ${key}${o}2)`
  }
  return { key, value: Number(text), text, op: o }
}

export function groupWhere(clauses: readonly WhereClause[]): WhereGroup[] {
  const groups = new Map<string, WhereGroup>()
  for (const c of clauses) {
    let g = groups.get(c.key)
    if (g === undefined) groups.set(c.key, (g = { key: c.key, anyOf: [], allOf: [] }))
    ;(c.op === '=' ? g.anyOf : g.allOf).push(c)
  }
  return [...groups.values()]
}

/** A detail value as a number for a comparison: a JSON number, or a string that holds one; else NaN. */
export function numberOf(value: unknown): number {
  if (typeof value === 'number') return value
  if (typeof value === 'string' && NUMBER_TEXT.test(value)) return Number(value)
  return NaN
}

/**
 * The same JSON (key order counts), or the clause's text for a non-string
 * clause (gpu=0 matches "0"). Never recursive: a detail nested 10,000 deep is
 * compared only as far as the clause's own JSON is long.
 */
function same(v: unknown, c: WhereClause): boolean {
  const want = c.value
  if (want === null || typeof want !== 'object') return v === want || (typeof want !== 'string' && v === c.text)
  if (v === null || typeof v !== 'object') return v === c.text
  const json = JSON.stringify(want)
  const got = boundedJson(v, json.length)
  return !got.cut && got.text === json
}

function holds(v: unknown, c: WhereClause): boolean {
  switch (c.op) {
    case '=': return same(v, c)
    case '!=': return !same(v, c)
    default: {
      const n = numberOf(v)
      const limit = c.value as number
      if (Number.isNaN(n)) return false
      return c.op === '<' ? n < limit : c.op === '<=' ? n <= limit : c.op === '>' ? n > limit : n >= limit
    }
  }
}

/** Whether the details pass every group; a clause never passes on a missing key (`!=` included). */
export function matchesWhere(groups: readonly WhereGroup[], details: Record<string, unknown>): boolean {
  for (const g of groups) {
    if (!Object.hasOwn(details, g.key)) return false
    const v = details[g.key]
    if (g.anyOf.length > 0 && !g.anyOf.some((c) => holds(v, c))) return false
    if (!g.allOf.every((c) => holds(v, c))) return false
  }
  return true
}

/** The text every matching line holds for `where` (a single `=` on a string), or null. */
export function whereAnchor(groups: readonly WhereGroup[]): string | null {
  for (const g of groups) {
    if (g.anyOf.length === 1 && typeof g.anyOf[0].value === 'string') return JSON.stringify(g.anyOf[0].value)
  }
  return null
}
