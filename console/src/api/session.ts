import { useEffect } from 'react'
import { sessionConfirmed, sessionEnded, sessionSnapshot, sessionStarted, useSession } from '../lib/session'
import { requestJson } from './client'

/** `POST /api/v1/session`: sets the HttpOnly session cookie; the CSRF token for changes comes in the body. */
export interface SignInAnswer {
  username: string
  role: string
  scope: string
  csrfToken: string
  expiresAt: string
}

/** `GET /api/v1/session`: who the API takes this tab for. */
export interface WhoAmI {
  /** `user:<name>`, `admin` or `anonymous`. */
  id: string
  role: string
  scope: string
  via: 'session' | 'api-token' | 'admin-token' | 'anonymous'
}

/** Signs in; on success this tab holds the session (header, CSRF token). Throws the API's 401 `INVALID_CREDENTIALS`. */
export async function signIn(username: string, password: string): Promise<SignInAnswer> {
  const answer = await requestJson<SignInAnswer>('session', { method: 'POST', body: { username, password } })
  sessionStarted(answer)
  return answer
}

/** `DELETE /api/v1/session`: the API revokes the session and clears the cookie; this tab forgets it either way. */
export async function signOut(): Promise<void> {
  try {
    await requestJson<{ signedOut: boolean }>('session', { method: 'DELETE' })
  } finally {
    sessionEnded()
  }
}

/**
 * Asks the API who this tab is (on load, when the tab is shown again, after signing in or out) and keeps
 * the header honest: a session the API no longer knows is forgotten, one started in another tab is shown.
 * A 401 (not signed in, open reads off) is handled by the client: the page shows the sign-in form.
 */
export function useSessionCheck(): void {
  const { version } = useSession()
  useEffect(() => {
    let controller: AbortController | null = null
    const check = () => {
      controller?.abort()
      const current = new AbortController()
      controller = current
      requestJson<WhoAmI>('session', { signal: current.signal }).then(
        (who) => {
          // An answer to a question asked before someone signed in or out says nothing now.
          if (sessionSnapshot().version !== version) return
          if (who.via === 'session') sessionConfirmed(who)
          else sessionEnded({ expired: true })
        },
        // A 401 is the client's to handle; a network error: the next check will tell.
        () => undefined,
      )
    }
    check()
    const onVisible = () => {
      if (document.visibilityState === 'visible') check()
    }
    document.addEventListener('visibilitychange', onVisible)
    return () => {
      controller?.abort()
      document.removeEventListener('visibilitychange', onVisible)
    }
  }, [version])
}
