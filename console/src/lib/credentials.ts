import { useAdminToken } from './admin-token'
import { useSession } from './session'

/**
 * What the census, audit and scheduling pages act with. Signed in, the session (its cookie goes with every
 * request, `api/client.ts` adds the CSRF token to changes): the user acts as themself, with their role's
 * permissions. Not signed in, the administrator token as before (sent as a bearer token; it acts as the
 * national administrator). The token stays in the tab while signed in, and is used again after signing out.
 */
export interface Credentials {
  /** The administrator token to send as `Authorization: Bearer …`: only when not signed in. */
  token: string | null
  /** How requests that need a principal authenticate; null when neither is there. */
  via: 'session' | 'admin-token' | null
  /** A session or the token: requests that need a principal can be made. */
  ready: boolean
  /** Changes whenever either changes, so an answer fetched with other credentials is never shown. */
  version: number
}

export function useCredentials(): Credentials {
  const admin = useAdminToken()
  const session = useSession()
  const version = admin.version + session.version
  if (session.user) return { token: null, via: 'session', ready: true, version }
  if (admin.token) return { token: admin.token, via: 'admin-token', ready: true, version }
  return { token: null, via: null, ready: false, version }
}
