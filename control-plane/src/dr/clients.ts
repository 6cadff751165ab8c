// Small bounded clients: Patroni's REST API, etcd's health endpoint, one-shot PostgreSQL queries,
// the control plane's health check. Every call has a timeout.
import pg from 'pg'
import { withTimeout } from './proc'

export async function getJson<T>(url: string, timeoutMs = 1500): Promise<{ status: number; body: T }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
  const text = await response.text()
  let body: unknown = null
  try {
    body = JSON.parse(text)
  } catch {
    body = text
  }
  return { status: response.status, body: body as T }
}

export async function postJson(url: string, body: unknown, timeoutMs = 5000): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  })
  return { status: response.status, text: await response.text() }
}

/** A member as Patroni's `GET /cluster` lists it (3.0.2). */
export interface PatroniClusterMember {
  name: string
  role: string
  state: string
  host: string
  port: number
  timeline?: number
  lag?: number | string
  tags?: Record<string, unknown>
}

export interface PatroniCluster {
  members: PatroniClusterMember[]
  scope?: string
}

/** Patroni's `GET /patroni`: this member's own view. */
export interface PatroniMemberStatus {
  state: string
  role: string
  timeline?: number
  server_version?: number
  xlog?: { location?: number; received_location?: number; replayed_location?: number; paused?: boolean }
  replication?: { application_name: string; state: string; sync_state: string }[]
  dcs_last_seen?: number
}

export async function patroniCluster(restPort: number, timeoutMs = 1500): Promise<PatroniCluster> {
  return (await getJson<PatroniCluster>(`http://127.0.0.1:${restPort}/cluster`, timeoutMs)).body
}

export async function patroniStatus(restPort: number, timeoutMs = 1500): Promise<PatroniMemberStatus> {
  return (await getJson<PatroniMemberStatus>(`http://127.0.0.1:${restPort}/patroni`, timeoutMs)).body
}

/** 200 when this member is the writable primary (what HAProxy checks). */
export async function patroniIsPrimary(restPort: number, timeoutMs = 1000): Promise<boolean> {
  try {
    return (await getJson(`http://127.0.0.1:${restPort}/primary`, timeoutMs)).status === 200
  } catch {
    return false
  }
}

export async function etcdHealthy(clientPort: number, timeoutMs = 1000): Promise<boolean> {
  try {
    const { status, body } = await getJson<{ health?: string }>(`http://127.0.0.1:${clientPort}/health`, timeoutMs)
    return status === 200 && body.health === 'true'
  } catch {
    return false
  }
}

export async function controlPlaneHealthy(port: number, timeoutMs = 1000): Promise<boolean> {
  try {
    return (await getJson(`http://127.0.0.1:${port}/healthz`, timeoutMs)).status === 200
  } catch {
    return false
  }
}

/**
 * One query on a fresh connection, bounded: connect timeout, statement_timeout on the server, and
 * a client-side deadline (a synchronous commit waiting for a lost standby ignores statement_timeout).
 */
export async function pgQuery<R extends Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
  timeoutMs = 5000,
): Promise<R[]> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: timeoutMs,
    query_timeout: timeoutMs,
    application_name: 'suanpan-dr',
  })
  client.on('error', () => {})
  try {
    await withTimeout(`connect ${url.replace(/\/\/[^@/]*@/, '//')}`, timeoutMs, client.connect())
    const result = await withTimeout(`query on ${url.replace(/\/\/[^@/]*@/, '//')}`, timeoutMs, client.query<R>(sql, params))
    return result.rows
  } finally {
    client.end().catch(() => {})
  }
}
