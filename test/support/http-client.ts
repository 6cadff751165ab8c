import { request } from 'node:http'

export interface HttpAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  // biome-ignore lint/suspicious/noExplicitAny: test code reads API answers field by field
  json(): any
}

/**
 * One HTTP request on a connection of its own (no keep-alive pool), so that a control plane killed and
 * restarted on the same port never leaves a dead pooled socket behind for the next request.
 */
export function http(
  method: 'GET' | 'POST',
  url: string,
  init: { token?: string; body?: string | object; timeoutMs?: number } = {},
): Promise<HttpAnswer> {
  const body = init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body)
  const headers: Record<string, string> = { accept: 'application/json', connection: 'close' }
  if (init.token) headers.authorization = `Bearer ${init.token}`
  if (body !== undefined) {
    headers['content-type'] = 'application/json'
    headers['content-length'] = String(Buffer.byteLength(body))
  }
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false, timeout: init.timeoutMs ?? 30_000 }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', reject)
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) })
      })
    })
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer within ${init.timeoutMs ?? 30_000} ms`)))
    req.on('error', reject)
    req.end(body)
  })
}

/** GET with a few retries on connection errors (a restarted server may still be binding). */
export async function getJson<T>(url: string, attempts = 5): Promise<T> {
  let last: unknown
  for (let i = 0; i < attempts; i++) {
    try {
      const res = await http('GET', url)
      if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${res.text.slice(0, 300)}`)
      return res.json() as T
    } catch (error) {
      last = error
      await new Promise((r) => setTimeout(r, 200))
    }
  }
  throw last
}

/** Polls `probe` until it returns true; fails with `what` after `timeoutMs`. */
export async function waitUntil(what: string, probe: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await probe()) return
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}
