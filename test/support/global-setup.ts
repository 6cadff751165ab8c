import type { TestProject } from 'vitest/node'
import { type PostgresServer, postgresBinDir, startPostgres } from './postgres'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the test PostgreSQL server, or null when there is none. */
    pgUrl: string | null
  }
}

let server: PostgresServer | null = null

/** One real PostgreSQL server for the whole run; each suite creates its own database on it. */
export async function setup(project: TestProject): Promise<void> {
  const required = process.env.SUANPAN_REQUIRE_SERVICES === '1'
  if (!postgresBinDir()) {
    if (required) throw new Error('SUANPAN_REQUIRE_SERVICES=1 but PostgreSQL is not installed (apt-get install postgresql)')
    console.warn('\n*** skipped: no PostgreSQL (apt-get install postgresql): PostgreSQL variants of the ledger tests will be skipped ***\n')
    project.provide('pgUrl', null)
    return
  }
  server = await startPostgres()
  project.provide('pgUrl', server.url)
}

export async function teardown(): Promise<void> {
  server?.stop()
}
