// The options every query takes, over files or over the fleet's database.
export const FILTER_OPTIONS = {
  user: { type: 'string', multiple: true },
  type: { type: 'string', multiple: true },
  container: { type: 'string', multiple: true },
  source: { type: 'string', multiple: true },
  where: { type: 'string', multiple: true },
  since: { type: 'string' },
  until: { type: 'string' },
  limit: { type: 'string', short: 'n' },
  all: { type: 'boolean' },
  json: { type: 'boolean' },
  follow: { type: 'boolean', short: 'f' },
  summary: { type: 'boolean' },
  reverse: { type: 'boolean', short: 'r' },
  help: { type: 'boolean', short: 'h' }
} as const

export const DEFAULT_LIMIT = 50
