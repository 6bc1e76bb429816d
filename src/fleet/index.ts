// The fleet layer: PostgreSQL as a source of the query reader, and the database URL (read, masked).
export { followDatabase, newestId, readDatabase, sqlWhere, summaryRows, tableOf, type DbReadOptions, type SqlWhere } from './db-source.js'
export { ARGV_PASSWORD_WARNING, holdsPassword, loadPg, maskSecrets, PgMissingError, resolveDbUrl, type DbUrlResult } from './db-url.js'
