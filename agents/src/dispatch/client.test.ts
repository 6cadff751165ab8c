import { describe, expect, it } from 'vitest'
import { AssignmentClient, AssignmentPullError } from './client'

type Answer = { status: number; body?: unknown } | Error

/** A fetch that answers from a list and records what was asked. */
function fakeFetch(...answers: Answer[]) {
  const calls: { url: string; method: string; body: unknown; authorization: string | null }[] = []
  const fetch = (async (url: string, init: RequestInit = {}) => {
    calls.push({
      url,
      method: init.method ?? 'GET',
      body: init.body === undefined ? undefined : JSON.parse(String(init.body)),
      authorization: new Headers(init.headers).get('authorization'),
    })
    const answer = answers.shift() ?? { status: 500 }
    if (answer instanceof Error) throw answer
    return new Response(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {}), { status: answer.status })
  }) as typeof globalThis.fetch
  return { fetch, calls }
}

const client = (fetch: typeof globalThis.fetch) =>
  new AssignmentClient({ baseUrl: 'https://cp.example/', token: 't0k', clusterId: 'bj 1', fetch })

describe('AssignmentClient', () => {
  it('pulls the list with the cluster token and sorts out entries that break the contract', async () => {
    const good = { workloadId: 'w1', objectName: 'sp-w1', replicas: 1, template: {}, labels: {}, state: 'assigned' }
    const { fetch, calls } = fakeFetch({
      status: 200,
      body: { clusterId: 'bj 1', generatedAt: 5, assignments: [good, { workloadId: 'w2' }] },
    })
    const pulled = await client(fetch).pull()
    expect(calls[0]).toMatchObject({
      url: 'https://cp.example/api/v1/clusters/bj%201/assignments',
      method: 'GET',
      authorization: 'Bearer t0k',
    })
    expect(pulled).toMatchObject({ generatedAt: 5, assignments: [good], complete: true })
    expect(pulled.invalid).toMatchObject([{ workloadId: 'w2' }])
  })

  it('marks a list with an entry without workload id as incomplete', async () => {
    const { fetch } = fakeFetch({ status: 200, body: { clusterId: 'bj 1', generatedAt: 5, assignments: [{}] } })
    expect((await client(fetch).pull()).complete).toBe(false)
  })

  it.each([
    ['a network error', new TypeError('fetch failed'), /unreachable/],
    ['HTTP 401', { status: 401, body: { code: 'UNAUTHENTICATED', message: 'bad token' } }, /HTTP 401: UNAUTHENTICATED: bad token/],
    ['a body that is not JSON', { status: 200, body: '<html>' }, /not JSON/],
    ["another cluster's list", { status: 200, body: { clusterId: 'x', generatedAt: 1, assignments: [] } }, /for cluster "x"/],
  ])('fails the pull on %s', async (_case, answer, message) => {
    const { fetch } = fakeFetch(answer as Answer)
    const pull = client(fetch).pull()
    await expect(pull).rejects.toBeInstanceOf(AssignmentPullError)
    await expect(pull).rejects.toThrow(message)
  })

  it('posts a status and maps the answers: acknowledged, gone, rejected, retry', async () => {
    const { fetch, calls } = fakeFetch(
      { status: 200, body: { state: 'running' } },
      { status: 404 },
      { status: 400, body: { code: 'INVALID', message: 'no' } },
      { status: 403 },
      { status: 503 },
      { status: 200, body: {} },
      new TypeError('fetch failed'),
    )
    const c = client(fetch)
    const status = { state: 'running' as const, readyReplicas: 2 }
    expect(await c.report('w/1', status)).toEqual({ outcome: 'acknowledged', state: 'running' })
    expect(calls[0]).toMatchObject({
      url: 'https://cp.example/api/v1/clusters/bj%201/assignments/w%2F1/status',
      method: 'POST',
      body: status,
    })
    expect(await c.report('w1', status)).toEqual({ outcome: 'gone' })
    expect(await c.report('w1', status)).toMatchObject({ outcome: 'rejected', error: expect.stringContaining('INVALID: no') })
    expect(await c.report('w1', status)).toMatchObject({ outcome: 'retry', unreachable: false })
    expect(await c.report('w1', status)).toMatchObject({ outcome: 'retry', unreachable: false })
    expect(await c.report('w1', status)).toMatchObject({ outcome: 'retry', unreachable: false })
    expect(await c.report('w1', status)).toMatchObject({ outcome: 'retry', unreachable: true })
  })
})
