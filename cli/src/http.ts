import type { ApiError } from '@suanpan/control-plane/schemas'

export class CliError extends Error {}

/** JSON over HTTP with the API's error body turned into one readable line. */
export async function requestJson<T>(url: string, init: { method?: string; token?: string | null; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (init.token) headers.authorization = `Bearer ${init.token}`
  if (init.body !== undefined) headers['content-type'] = 'application/json'
  let response: Response
  try {
    response = await fetch(url, {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    })
  } catch (error) {
    throw new CliError(`cannot reach ${url}: ${(error as Error).message}`, { cause: error })
  }
  const text = await response.text()
  if (!response.ok) {
    let detail = text
    try {
      const body = JSON.parse(text) as ApiError
      detail = `${body.code}: ${body.message}`
    } catch {}
    throw new CliError(`${init.method ?? 'GET'} ${url} -> ${response.status} ${detail}`)
  }
  return JSON.parse(text) as T
}
