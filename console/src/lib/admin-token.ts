import { useSyncExternalStore } from 'react'

/**
 * The administrator bearer token, until access control with real users and roles arrives. It lives in
 * `sessionStorage` (this tab only, gone when the tab closes): never in `localStorage`, never in the URL,
 * and it is sent only on the requests that need it (`api/client.ts`, `token` option).
 */
export const ADMIN_TOKEN_STORAGE_KEY = 'suanpan.adminToken'

export interface AdminTokenState {
  token: string | null
  /** Bumped on every change, so queries made with an old token are not shown for the new one. */
  version: number
  /** The header's token dialog is open (pages ask for it with `openAdminTokenDialog`). */
  dialogOpen: boolean
}

function read(): string | null {
  try {
    return window.sessionStorage.getItem(ADMIN_TOKEN_STORAGE_KEY) || null
  } catch {
    return null
  }
}

let state: AdminTokenState = { token: typeof window === 'undefined' ? null : read(), version: 0, dialogOpen: false }
const listeners = new Set<() => void>()

function update(patch: Partial<AdminTokenState>): void {
  state = { ...state, ...patch }
  for (const listener of listeners) listener()
}

/** Sets (or, with null or blank, forgets) the token for this tab. */
export function setAdminToken(token: string | null): void {
  const value = token?.trim() || null
  try {
    if (value) window.sessionStorage.setItem(ADMIN_TOKEN_STORAGE_KEY, value)
    else window.sessionStorage.removeItem(ADMIN_TOKEN_STORAGE_KEY)
  } catch {
    // Storage refused (private mode): the token then lasts until the page is reloaded.
  }
  update({ token: value, version: state.version + 1 })
}

export function openAdminTokenDialog(): void {
  update({ dialogOpen: true })
}

export function closeAdminTokenDialog(): void {
  update({ dialogOpen: false })
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

const snapshot = () => state

export function useAdminToken(): AdminTokenState {
  return useSyncExternalStore(subscribe, snapshot, snapshot)
}
