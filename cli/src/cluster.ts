import { existsSync, readFileSync } from 'node:fs'
import type { ClusterRegistered } from '@suanpan/control-plane/schemas'
import { CliError, requestJson } from './http'

export interface RegisterOptions {
  clusterId: string
  site: string
  province: string
  city: string
  level: string
  siteName?: string
  hub?: string
  platform?: string
  rotate: boolean
  url: string
  adminToken?: string
  json: boolean
}

export function adminToken(given: string | undefined): string {
  if (given) return given
  const file = '.suanpan/admin-token'
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  throw new CliError(
    'no admin token: pass --admin-token, set SUANPAN_ADMIN_TOKEN, or run from the directory where `suanpan start` wrote .suanpan/admin-token',
  )
}

export async function clusterRegister(options: RegisterOptions): Promise<void> {
  const base = options.url.replace(/\/$/, '')
  const token = adminToken(options.adminToken)
  const result = options.rotate
    ? await requestJson<ClusterRegistered>(`${base}/api/v1/clusters/${encodeURIComponent(options.clusterId)}/token`, {
        method: 'POST',
        token,
      })
    : await requestJson<ClusterRegistered>(`${base}/api/v1/clusters`, {
        method: 'POST',
        token,
        body: {
          clusterId: options.clusterId,
          site: options.site,
          province: options.province,
          city: options.city,
          level: options.level,
          ...(options.siteName ? { siteName: options.siteName } : {}),
          ...(options.hub ? { hub: options.hub } : {}),
          ...(options.platform ? { platform: options.platform } : {}),
        },
      })
  if (options.json) process.stdout.write(`${JSON.stringify(result)}\n`)
  else process.stdout.write(`registered ${result.clusterId}\ntoken (shown once, store it in the agent config): ${result.token}\n`)
}
