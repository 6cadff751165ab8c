import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStore, type Store } from '@suanpan/control-plane'
import pg from 'pg'
import { inject } from 'vitest'

export interface TestStore {
  name: 'sqlite' | 'postgres'
  open(): Promise<{ store: Store; url: string | null; cleanup(): Promise<void> }>
}

/** A fresh database on the run's PostgreSQL server. */
export async function createPgDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `t_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  const url = adminUrl.replace(/\/postgres$/, `/${name}`)
  return {
    url,
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl })
      await c.connect()
      await c.query(`drop database if exists ${name} with (force)`)
      await c.end()
    },
  }
}

/**
 * The two stores every ledger test runs on. PostgreSQL is absent only outside CI; then its variant
 * is reported as skipped, loudly (SUANPAN_REQUIRE_SERVICES=1 makes that a failure instead).
 */
export function testStores(): { store: TestStore; skip: string | null }[] {
  const pgUrl = inject('pgUrl')
  return [
    {
      skip: null,
      store: {
        name: 'sqlite',
        async open() {
          const dir = mkdtempSync(join(tmpdir(), 'suanpan-sqlite-'))
          const store = await openStore({ sqlitePath: join(dir, 'ledger.db'), databaseUrl: null })
          return { store, url: null, cleanup: async () => rmSync(dir, { recursive: true, force: true }) }
        },
      },
    },
    {
      skip: pgUrl ? null : 'skipped: no PostgreSQL',
      store: {
        name: 'postgres',
        async open() {
          if (!pgUrl) throw new Error('skipped: no PostgreSQL')
          const db = await createPgDatabase(pgUrl)
          const store = await openStore({ sqlitePath: '', databaseUrl: db.url })
          return { store, url: db.url, cleanup: () => db.drop() }
        },
      },
    },
  ]
}
