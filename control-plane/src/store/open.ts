import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely'
import pg from 'pg'
import { migrateToLatest } from './migrations'
import type { Database } from './schema'

export type Dialect = 'sqlite' | 'postgres'

export interface Store {
  readonly db: Kysely<Database>
  readonly dialect: Dialect
  /** Where the data lives, without credentials. */
  readonly description: string
  /**
   * SQLite only: the connection under Kysely, for hot paths that run plain prepared statements
   * synchronously. Use it only inside `db.connection().execute(...)`, which holds Kysely's lock on
   * the one connection, so no Kysely transaction is open around it.
   */
  readonly sqlite?: RawSqlite
  close(): Promise<void>
}

export interface RawSqlite {
  /** A prepared statement, cached by SQL text. */
  prepare(sql: string): SQLite.Statement
  exec(sql: string): void
}

export interface StoreOptions {
  sqlitePath: string
  databaseUrl: string | null
}

// bigint (int8) and numeric come back from pg as strings; the ledger's figures fit in a double.
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700) return (value: string) => Number(value)
    return pg.types.getTypeParser(oid, format)
  },
}

export async function openStore(options: StoreOptions): Promise<Store> {
  const store = options.databaseUrl ? openPostgres(options.databaseUrl) : openSqlite(options.sqlitePath)
  try {
    await migrateToLatest(store.db as Kysely<unknown>)
  } catch (error) {
    await store.close()
    throw error
  }
  return store
}

function openSqlite(path: string): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const sqlite = new SQLite(path)
  // WAL + synchronous=NORMAL: a committed transaction survives a killed process (SIGKILL);
  // only an operating-system crash can lose the last commits.
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = NORMAL')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('cache_size = -32768')
  const cached = cachingStatements(sqlite)
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cached }) })
  const raw: RawSqlite = { prepare: cached.prepare, exec: (sql) => void sqlite.exec(sql) }
  return { db, dialect: 'sqlite', description: `sqlite:${path}`, sqlite: raw, close: () => db.destroy() }
}

const STATEMENT_CACHE_SIZE = 256

/**
 * Kysely prepares every query afresh; preparing costs more than running the small statements of the
 * ingest path, so keep the most recently used prepared statements by SQL text.
 */
function cachingStatements(sqlite: SQLite.Database) {
  const cache = new Map<string, SQLite.Statement>()
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let statement = cache.get(sql)
      if (statement) {
        cache.delete(sql)
      } else {
        statement = sqlite.prepare(sql)
        if (cache.size >= STATEMENT_CACHE_SIZE) {
          const oldest = cache.keys().next().value
          if (oldest !== undefined) cache.delete(oldest)
        }
      }
      cache.set(sql, statement)
      return statement
    },
  }
}

function openPostgres(url: string): Store {
  const pool = new pg.Pool({ connectionString: url, max: 8, types: pgTypes })
  // A connection that dies (the primary fails over, or demotes and terminates its sessions) is reported
  // as an 'error' event, on the pool when idle and on the client when in use. Unheard, it would end the
  // process; heard, the pool drops the connection and the next query gets a fresh one from the new
  // primary, and a query that was running fails with its own error (a 5xx, or a retry by the agent).
  const warn = (error: Error) => process.stderr.write(`suanpan: PostgreSQL connection lost: ${error.message}\n`)
  pool.on('error', warn)
  pool.on('connect', (client) => client.on('error', warn))
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  const safe = url.replace(/\/\/[^@/]*@/, '//')
  return { db, dialect: 'postgres', description: safe, close: () => db.destroy() }
}
