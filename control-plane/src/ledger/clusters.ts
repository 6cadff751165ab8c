import type { ClusterRegistered, ClusterRegistration } from '../schemas'
import type { Store } from '../store/open'
import type { ClustersTable } from '../store/schema'
import { LedgerError } from './errors'
import { hashToken, newToken } from './tokens'

export type ClusterRecord = ClustersTable

export function defaultPlatform(identity: Pick<ClusterRegistration, 'level' | 'province' | 'platform'>): string {
  if (identity.platform) return identity.platform
  return identity.level === 'national' ? 'cn' : `cn-${identity.province}`
}

/**
 * Register a cluster, or rotate its token when `rotate` is set. The token is returned once and only
 * its hash is stored.
 */
export async function registerCluster(
  store: Store,
  identity: ClusterRegistration,
  now: number,
  options: { rotate?: boolean } = {},
): Promise<ClusterRegistered> {
  const token = newToken()
  const tokenHash = hashToken(token)
  const existing = await store.db.selectFrom('clusters').select('id').where('id', '=', identity.clusterId).executeTakeFirst()
  if (existing && !options.rotate) {
    throw new LedgerError(409, 'CLUSTER_EXISTS', `cluster "${identity.clusterId}" is already registered; rotate its token instead`, [
      { path: '/clusterId', message: 'already registered' },
    ])
  }
  const values = {
    platform: defaultPlatform(identity),
    site: identity.site,
    site_name: identity.siteName ?? null,
    province: identity.province,
    city: identity.city,
    city_code: identity.cityCode ?? null,
    level: identity.level,
    ministry: identity.ministry ?? null,
    hub: identity.hub ?? null,
    token_hash: tokenHash,
  }
  if (existing) {
    await store.db.updateTable('clusters').set(values).where('id', '=', identity.clusterId).execute()
  } else {
    await store.db
      .insertInto('clusters')
      .values({ id: identity.clusterId, registered_at: now, last_sequence: null, last_report_at: null, ...values })
      .execute()
  }
  return { clusterId: identity.clusterId, token, registeredAt: new Date(now).toISOString() }
}

/** Who is reporting: the token must be a registered cluster's (401), and only for itself (403/404). */
export class ClusterAuthenticator {
  constructor(private readonly store: Store) {}

  async authenticate(token: string | null): Promise<ClusterRecord> {
    if (!token) throw new LedgerError(401, 'UNAUTHENTICATED', 'missing bearer token: send "authorization: Bearer <cluster token>"')
    const cluster = await this.store.db.selectFrom('clusters').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirst()
    if (!cluster) throw new LedgerError(401, 'UNAUTHENTICATED', 'bearer token is not valid for any cluster')
    return cluster
  }

  async authorize(holder: ClusterRecord, clusterId: string): Promise<void> {
    if (holder.id === clusterId) return
    const other = await this.store.db.selectFrom('clusters').select('id').where('id', '=', clusterId).executeTakeFirst()
    if (!other) {
      throw new LedgerError(404, 'CLUSTER_NOT_FOUND', `cluster "${clusterId}" is not registered (suanpan cluster register)`, [
        { path: '/cluster/clusterId', message: 'not registered' },
      ])
    }
    throw new LedgerError(403, 'FORBIDDEN_CLUSTER', `this token belongs to cluster "${holder.id}" and may not report for "${clusterId}"`, [
      { path: '/cluster/clusterId', message: 'not the token holder' },
    ])
  }
}
