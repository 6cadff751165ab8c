import { createHash } from 'node:crypto'
import type { Census, CensusSummary } from '../schemas'
import type { Store } from '../store/open'

function summaryOf(census: Census, digest: string): CensusSummary {
  return {
    id: census.id,
    period: census.period,
    title: census.title,
    createdAt: census.createdAt,
    asOf: census.asOf,
    catalogVersion: census.catalog.version,
    clustersIncluded: census.total.clusters,
    clustersStale: census.dataQuality.stale.length,
    clustersMissing: census.dataQuality.missing.length,
    fp32Pflops: census.total.compute.fp32Pflops,
    fp16DensePflops: census.total.compute.fp16DensePflops,
    digest,
  }
}

export function digestOf(document: string): string {
  return `sha256:${createHash('sha256').update(document).digest('hex')}`
}

/**
 * Censuses are numbered 1, 2, 3 … and never change: the document is stored as the exact text served,
 * with its digest, and nothing here updates or deletes one.
 */
export class CensusStore {
  constructor(private readonly store: Store) {}

  async create(census: Omit<Census, 'id'>): Promise<{ summary: CensusSummary; document: string }> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.store.db.transaction().execute(async (trx) => {
          const last = await trx
            .selectFrom('censuses')
            .select((eb) => eb.fn.max('id').as('id'))
            .executeTakeFirst()
          const id = Number(last?.id ?? 0) + 1
          const full: Census = { id, ...census }
          const document = JSON.stringify(full)
          const summary = summaryOf(full, digestOf(document))
          await trx
            .insertInto('censuses')
            .values({
              id,
              period: full.period,
              created_at: Date.parse(full.createdAt),
              digest: summary.digest,
              summary: JSON.stringify(summary),
              document,
            })
            .execute()
          return { summary, document }
        })
      } catch (error) {
        // Two instances numbering at once on PostgreSQL: one insert loses the primary key race; retry.
        if (attempt >= 3) throw error
      }
    }
  }

  async list(): Promise<CensusSummary[]> {
    const rows = await this.store.db.selectFrom('censuses').select(['summary']).orderBy('id', 'desc').execute()
    return rows.map((r) => JSON.parse(r.summary) as CensusSummary)
  }

  /** The stored text, exactly as frozen. */
  async document(id: number): Promise<string | null> {
    const row = await this.store.db.selectFrom('censuses').select(['document']).where('id', '=', id).executeTakeFirst()
    return row?.document ?? null
  }

  async get(id: number): Promise<Census | null> {
    const text = await this.document(id)
    return text === null ? null : (JSON.parse(text) as Census)
  }
}
