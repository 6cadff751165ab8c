import { useSyncExternalStore } from 'react'

/**
 * The console's sign-in session. The session itself is an HttpOnly, SameSite=Strict cookie that this code
 * never sees; what it keeps is who signed in (for the header) and the session's CSRF token, which every
 * change made with the cookie must carry in `x-csrf-token` (`api/client.ts`). Both live in memory and in
 * `sessionStorage` (this tab only, so a reload keeps working; the token is useless without the cookie),
 * never in `localStorage` or the URL, and are forgotten on sign-out or as soon as the API says the
 * session is gone.
 */
export const SESSION_STORAGE_KEY = 'suanpan.session'

export interface SessionUser {
  username: string
  /** `planner`, `provincial-admin`… (control-plane/src/access/roles.ts). */
  role: string
  /** `national`, a province code (`110000`) or `ministry:<name>`. */
  scope: string
}

export interface SessionState {
  /** Who is signed in with the session cookie, or null. */
  user: SessionUser | null
  /** The session's CSRF token; null when this tab never got it (a tab opened after signing in elsewhere). */
  csrfToken: string | null
  expiresAt: string | null
  /** Bumped whenever who is signed in changes: every answer fetched before is dropped. */
  version: number
  /** The header's sign-in dialog is open. */
  dialogOpen: boolean
  /** A read answered 401: the shell shows the sign-in form in place of the page. */
  signInRequired: boolean
  /** The session this tab had was refused by the API (expired, signed out elsewhere, account disabled). */
  expired: boolean
}

interface Stored extends SessionUser {
  csrfToken: string | null
  expiresAt: string | null
}

function isStored(value: unknown): value is Stored {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return typeof v.username === 'string' && typeof v.role === 'string' && typeof v.scope === 'string'
}

function read(): Stored | null {
  try {
    const raw = window.sessionStorage.getItem(SESSION_STORAGE_KEY)
    const value: unknown = raw ? JSON.parse(raw) : null
    if (!isStored(value)) return null
    if (value.expiresAt && Date.parse(value.expiresAt) <= Date.now()) return null
    return value
  } catch {
    return null
  }
}

function write(value: Stored | null): void {
  try {
    if (value) window.sessionStorage.setItem(SESSION_STORAGE_KEY, JSON.stringify(value))
    else window.sessionStorage.removeItem(SESSION_STORAGE_KEY)
  } catch {
    // Storage refused (private mode): the session then lasts in this tab until the page is reloaded.
  }
}

const initial = typeof window === 'undefined' ? null : read()
let state: SessionState = {
  user: initial ? { username: initial.username, role: initial.role, scope: initial.scope } : null,
  csrfToken: typeof initial?.csrfToken === 'string' ? initial.csrfToken : null,
  expiresAt: typeof initial?.expiresAt === 'string' ? initial.expiresAt : null,
  version: 0,
  dialogOpen: false,
  signInRequired: false,
  expired: false,
}
const listeners = new Set<() => void>()

function update(patch: Partial<SessionState>): void {
  state = { ...state, ...patch }
  for (const listener of listeners) listener()
}

/** `POST /api/v1/session` answered: this tab is signed in, and holds the CSRF token for changes. */
export function sessionStarted(answer: SessionUser & { csrfToken: string; expiresAt: string }): void {
  const user = { username: answer.username, role: answer.role, scope: answer.scope }
  write({ ...user, csrfToken: answer.csrfToken, expiresAt: answer.expiresAt })
  update({
    user,
    csrfToken: answer.csrfToken,
    expiresAt: answer.expiresAt,
    version: state.version + 1,
    dialogOpen: false,
    signInRequired: false,
    expired: false,
  })
}

/**
 * Signed out, or the API no longer knows the session: forget the user and the CSRF token. `expired` says
 * the API refused a session this tab still held (shown on the sign-in form).
 */
export function sessionEnded(options: { expired?: boolean } = {}): void {
  if (!state.user && !state.csrfToken) return
  write(null)
  update({ user: null, csrfToken: null, expiresAt: null, version: state.version + 1, expired: options.expired ?? false })
}

/**
 * `GET /api/v1/session` says the cookie is a live session of `user:<name>`. A different user (signed in
 * in another tab: the cookie is shared) makes this tab's CSRF token useless, so it is dropped.
 */
export function sessionConfirmed(who: { id: string; role: string; scope: string }): void {
  const username = who.id.replace(/^user:/, '')
  const same = state.user?.username === username
  if (same && state.user?.role === who.role && state.user?.scope === who.scope) return
  const user = { username, role: who.role, scope: who.scope }
  const csrfToken = same ? state.csrfToken : null
  const expiresAt = same ? state.expiresAt : null
  write({ ...user, csrfToken, expiresAt })
  update({ user, csrfToken, expiresAt, version: state.version + 1, signInRequired: false, expired: false })
}

/** The CSRF token to send with a change made with the session cookie (null when not signed in). */
export function csrfToken(): string | null {
  return state.user ? state.csrfToken : null
}

export function hasSession(): boolean {
  return state.user !== null
}

/** A read answered 401: the shell replaces the page with the sign-in form until someone signs in. */
export function requireSignIn(): void {
  if (!state.signInRequired) update({ signInRequired: true })
}

/** The page changed: whether it needs signing in is for its own reads to say. */
export function clearSignInRequired(): void {
  if (state.signInRequired) update({ signInRequired: false })
}

export function openSignInDialog(): void {
  update({ dialogOpen: true })
}

export function closeSignInDialog(): void {
  update({ dialogOpen: false })
}

export function subscribeSession(listener: () => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

export const sessionSnapshot = (): SessionState => state

export function useSession(): SessionState {
  return useSyncExternalStore(subscribeSession, sessionSnapshot, sessionSnapshot)
}
