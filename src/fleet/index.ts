// The fleet layer: PostgreSQL as a source of the query reader.
export { followDatabase, newestId, readDatabase, sqlWhere, summaryRows, type DbReadOptions, type SqlWhere } from './db-source.js'
