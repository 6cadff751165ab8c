import type { ApiError as ApiErrorBody } from '@suanpan/control-plane/schemas'

export type ApiErrorField = NonNullable<ApiErrorBody['fields']>[number]

/** A failed API call: HTTP status (0 when the network failed), the API's stable error code and the fields it names. */
export class ApiError extends Error {
  /** The fields a 400 names (`/period`, `/title`…), as the API reported them. */
  readonly fields: readonly ApiErrorField[]

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown; fields?: readonly ApiErrorField[] },
  ) {
    super(message, options)
    this.name = 'ApiError'
    this.fields = options?.fields ?? []
  }
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

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'DELETE'
  params?: QueryParams
  /** Sent as JSON. */
  body?: unknown
  /** The administrator token: sent as `Authorization: Bearer …` on this request only. */
  token?: string | null
  signal?: AbortSignal
}

export async function requestJson<T>(path: string, { method = 'GET', params = {}, body, token, signal }: RequestOptions = {}): Promise<T> {
  const url = apiPath(path, params)
  const headers: Record<string, string> = { accept: 'application/json' }
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (token) headers.authorization = `Bearer ${token}`
  let response: Response
  try {
    response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal })
  } catch (error) {
    throw new ApiError(0, 'NETWORK', `${method} ${url} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
  }
  const answer: unknown = await response.json().catch(() => null)
  if (!response.ok) {
    if (isErrorBody(answer)) {
      throw new ApiError(response.status, String(answer.code), String(answer.message), { fields: answer.fields ?? [] })
    }
    throw new ApiError(response.status, `HTTP_${response.status}`, `${method} ${url} answered ${response.status}`)
  }
  if (answer === null) throw new ApiError(response.status, 'BAD_RESPONSE', `${method} ${url} did not answer JSON`)
  return answer as T
}

export function getJson<T>(path: string, params: QueryParams = {}, signal?: AbortSignal): Promise<T> {
  return requestJson<T>(path, { params, signal })
}
