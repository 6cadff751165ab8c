import type { ApiError as ApiErrorBody } from '@suanpan/control-plane/schemas'
import { csrfToken, hasSession, requireSignIn, sessionEnded } from '../lib/session'

export type ApiErrorField = NonNullable<ApiErrorBody['fields']>[number]

/** How a request authenticated: the administrator token as a bearer token, or the session cookie (when there is one). */
export type SentWith = 'token' | 'cookie'

/** A failed API call: HTTP status (0 when the network failed), the API's stable error code and the fields it names. */
export class ApiError extends Error {
  /** The fields a 400 names (`/period`, `/title`…), as the API reported them. */
  readonly fields: readonly ApiErrorField[]
  /** Whether the refused request carried the administrator token (a 401 then means the token is wrong). */
  readonly sentWith: SentWith

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown; fields?: readonly ApiErrorField[]; sentWith?: SentWith },
  ) {
    super(message, options)
    this.name = 'ApiError'
    this.fields = options?.fields ?? []
    this.sentWith = options?.sentWith ?? 'cookie'
  }
}

/** The API refused who is asking: 401 (not signed in, session gone, wrong token) or 403 (role, CSRF token). */
export function isAccessError(error: unknown): error is ApiError {
  return (
    error instanceof ApiError &&
    (error.status === 401 || (error.status === 403 && (error.code === 'FORBIDDEN' || error.code === 'CSRF_TOKEN_REQUIRED')))
  )
}

export type QueryValue = string | number | boolean | readonly string[] | null | undefined
export type QueryParams = Readonly<Record<string, QueryValue>>

/** `/api/v1/<path>?…`; empty values and empty lists are left out, lists are comma-joined. */
export function apiPath(path: string, params: QueryParams = {}): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value === null || value === undefined || value === '') continue
    if (Array.isArray(value)) {
      if (value.length > 0) search.set(key, value.join(','))
    } else search.set(key, String(value))
  }
  const query = search.toString()
  return `/api/v1/${path}${query ? `?${query}` : ''}`
}

function isErrorBody(value: unknown): value is Pick<ApiErrorBody, 'code' | 'message' | 'fields'> {
  return typeof value === 'object' && value !== null && 'code' in value && 'message' in value
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
/** With the session cookie these need the session's CSRF token (`x-csrf-token`); the API refuses them without it. */
const MUTATING: ReadonlySet<Method> = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
export const CSRF_HEADER = 'x-csrf-token'

export interface RequestOptions {
  method?: Method
  params?: QueryParams
  /** Sent as JSON. */
  body?: unknown
  /**
   * The administrator token: sent as `Authorization: Bearer …` on this request only (the API then ignores the
   * session cookie). Without it the request goes with the session cookie, if any (same-origin fetches send it).
   */
  token?: string | null
  signal?: AbortSignal
}

/**
 * One API call. Changes made with the session cookie carry the session's CSRF token; a 401
 * `UNAUTHENTICATED` to a request without the administrator token means the session this tab held is gone
 * (it is forgotten) and, for a read, that the page needs signing in (the shell shows the form).
 */
export async function requestJson<T>(path: string, { method = 'GET', params = {}, body, token, signal }: RequestOptions = {}): Promise<T> {
  const url = apiPath(path, params)
  const headers: Record<string, string> = { accept: 'application/json' }
  if (body !== undefined) headers['content-type'] = 'application/json'
  const sentWith: SentWith = token ? 'token' : 'cookie'
  if (token) headers.authorization = `Bearer ${token}`
  else if (MUTATING.has(method)) {
    const csrf = csrfToken()
    if (csrf) headers[CSRF_HEADER] = csrf
  }
  let response: Response
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      credentials: 'same-origin',
    })
  } catch (error) {
    throw new ApiError(0, 'NETWORK', `${method} ${url} failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
      sentWith,
    })
  }
  const answer: unknown = await response.json().catch(() => null)
  if (!response.ok) {
    if (isErrorBody(answer)) {
      const code = String(answer.code)
      if (response.status === 401 && code === 'UNAUTHENTICATED' && sentWith === 'cookie') {
        if (hasSession()) sessionEnded({ expired: true })
        if (method === 'GET') requireSignIn()
      }
      throw new ApiError(response.status, code, String(answer.message), { fields: answer.fields ?? [], sentWith })
    }
    throw new ApiError(response.status, `HTTP_${response.status}`, `${method} ${url} answered ${response.status}`, { sentWith })
  }
  if (answer === null) throw new ApiError(response.status, 'BAD_RESPONSE', `${method} ${url} did not answer JSON`)
  return answer as T
}

export function getJson<T>(path: string, params: QueryParams = {}, signal?: AbortSignal): Promise<T> {
  return requestJson<T>(path, { params, signal })
}
