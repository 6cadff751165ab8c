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
  options: { rotate?: boolean; graceMs?: number } = {},
): Promise<ClusterRegistered> {
  const token = newToken()
  const tokenHash = hashToken(token)
  const existing = await store.db
    .selectFrom('clusters')
    .select(['id', 'token_hash'])
    .where('id', '=', identity.clusterId)
    .executeTakeFirst()
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
    // Rotation: the old token stays valid for the grace period (0: stops at once), so agents can pick up the new one.
    const grace = options.graceMs ?? 0
    const keepOld = grace > 0 && !existing.token_hash.startsWith(REVOKED)
    await store.db
      .updateTable('clusters')
      .set({
        ...values,
        previous_token_hash: keepOld ? existing.token_hash : null,
        previous_token_expires_at: keepOld ? now + grace : null,
      })
      .where('id', '=', identity.clusterId)
      .execute()
  } else {
    await store.db
      .insertInto('clusters')
      .values({
        id: identity.clusterId,
        registered_at: now,
        last_sequence: null,
        last_report_at: null,
        previous_token_hash: null,
        previous_token_expires_at: null,
        ...values,
      })
      .execute()
  }
  return { clusterId: identity.clusterId, token, registeredAt: new Date(now).toISOString() }
}

/** A revoked cluster's token hash: no token hashes to it (SHA-256 hex never has a colon). */
const REVOKED = 'revoked:'

/** Revoke every token of a cluster: it cannot report or pull work until a new token is issued (rotation). */
export async function revokeClusterTokens(store: Store, clusterId: string, now: number): Promise<boolean> {
  const res = await store.db
    .updateTable('clusters')
    .set({ token_hash: `${REVOKED}${now}:${newToken()}`, previous_token_hash: null, previous_token_expires_at: null })
    .where('id', '=', clusterId)
    .executeTakeFirst()
  return Number(res.numUpdatedRows) > 0
}

/** Who is reporting: the token must be a registered cluster's (401), and only for itself (403/404). */
export class ClusterAuthenticator {
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  async authenticate(token: string | null): Promise<ClusterRecord> {
    if (!token) throw new LedgerError(401, 'UNAUTHENTICATED', 'missing bearer token: send "authorization: Bearer <cluster token>"')
    const hash = hashToken(token)
    const cluster =
      (await this.store.db.selectFrom('clusters').selectAll().where('token_hash', '=', hash).executeTakeFirst()) ??
      // The token before the last rotation, within its grace period.
      (await this.store.db
        .selectFrom('clusters')
        .selectAll()
        .where('previous_token_hash', '=', hash)
        .where('previous_token_expires_at', '>', this.now())
        .executeTakeFirst())
    if (!cluster)
      throw new LedgerError(
        401,
        'UNAUTHENTICATED',
        'bearer token is not valid for any cluster (unknown, rotated past its grace period, or revoked)',
      )
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
