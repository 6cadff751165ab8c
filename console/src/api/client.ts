import type { ApiError as ApiErrorBody } from '@suanpan/control-plane/schemas'

/** A failed API call: HTTP status (0 when the network failed) and the API's stable error code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'ApiError'
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

function isErrorBody(value: unknown): value is Pick<ApiErrorBody, 'code' | 'message'> {
  return typeof value === 'object' && value !== null && 'code' in value && 'message' in value
}

export async function getJson<T>(path: string, params: QueryParams = {}, signal?: AbortSignal): Promise<T> {
  const url = apiPath(path, params)
  let response: Response
  try {
    response = await fetch(url, { headers: { accept: 'application/json' }, signal })
  } catch (error) {
    throw new ApiError(0, 'NETWORK', `GET ${url} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
  }
  const body: unknown = await response.json().catch(() => null)
  if (!response.ok) {
    if (isErrorBody(body)) throw new ApiError(response.status, String(body.code), String(body.message))
    throw new ApiError(response.status, `HTTP_${response.status}`, `GET ${url} answered ${response.status}`)
  }
  if (body === null) throw new ApiError(response.status, 'BAD_RESPONSE', `GET ${url} did not answer JSON`)
  return body as T
}
