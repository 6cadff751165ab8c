import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Assignment, type AssignmentList, type AssignmentStatus, AssignmentStatusSchema } from '@suanpan/control-plane/schemas'
import { Compile } from 'typebox/compile'

/**
 * How an endpoint answers: normally; `error` = HTTP 500; `reset` = the connection is cut before any answer (what an
 * unreachable control plane looks like to the agent).
 */
export type FakeEndpointMode = 'up' | 'error' | 'reset'

/** A status report the fake received and answered (reset connections are not recorded). */
export interface FakeStatusReport {
  workloadId: string
  status: AssignmentStatus
  /** The HTTP status it answered. */
  httpStatus: number
}

export interface FakeDispatchControlPlane {
  /** `http://127.0.0.1:<port>`: the agent's `controlPlane.url`. */
  readonly baseUrl: string
  /** What `GET …/assignments` lists; tests change it. A report of a listed assignment updates its `state`. */
  assignments: Assignment[]
  /** Replaces the whole body of `GET …/assignments` (e.g. an entry that breaks the contract); undefined = normal. */
  listBody: unknown
  pullMode: FakeEndpointMode
  statusMode: FakeEndpointMode
  /** Reports answered, in order. */
  readonly reports: FakeStatusReport[]
  /** Requests answered: method, path and HTTP status. */
  readonly requests: { method: string; path: string; status: number }[]
  close(): Promise<void>
}

const checkStatus = Compile(AssignmentStatusSchema)

/**
 * An in-process stand-in for the control plane's dispatch endpoints, for the agent package's tests only:
 * `GET /api/v1/clusters/{id}/assignments` and `POST /api/v1/clusters/{id}/assignments/{workloadId}/status`, bearer
 * token of one cluster, 404 for a report of an assignment that is not listed (or is withdrawn).
 */
export async function startFakeDispatchControlPlane(opts: {
  clusterId: string
  token: string
  assignments?: Assignment[]
}): Promise<FakeDispatchControlPlane> {
  const state: Omit<FakeDispatchControlPlane, 'baseUrl' | 'close'> = {
    assignments: opts.assignments ?? [],
    listBody: undefined,
    pullMode: 'up',
    statusMode: 'up',
    reports: [],
    requests: [],
  }
  const base = `/api/v1/clusters/${encodeURIComponent(opts.clusterId)}/assignments`

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const path = new URL(req.url ?? '/', 'http://fake').pathname
    const send = (status: number, body: unknown) => {
      state.requests.push({ method: req.method ?? 'GET', path, status })
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    const fail = (status: number, code: string, message: string) => send(status, { statusCode: status, code, error: 'Error', message })
    const statusMatch = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/([^/]+)/status$`).exec(path)
    const mode = statusMatch ? state.statusMode : state.pullMode
    if (mode === 'reset') {
      req.socket.destroy()
      return
    }
    if (mode === 'error') return fail(500, 'INTERNAL', 'control plane failure (fake)')
    if (req.headers.authorization !== `Bearer ${opts.token}`) return fail(401, 'UNAUTHENTICATED', 'bad token')

    if (req.method === 'GET' && path === base) {
      if (state.listBody !== undefined) return send(200, state.listBody)
      const list: AssignmentList = { clusterId: opts.clusterId, assignments: state.assignments, generatedAt: Date.now() }
      return send(200, list)
    }
    if (req.method === 'POST' && statusMatch) {
      const workloadId = decodeURIComponent(statusMatch[1] ?? '')
      let status: unknown
      try {
        status = JSON.parse(raw)
      } catch {
        status = undefined
      }
      if (!checkStatus.Check(status)) return fail(400, 'INVALID_STATUS', 'status does not match the schema')
      const assignment = state.assignments.find((a) => a.workloadId === workloadId && a.state !== 'withdrawn')
      const httpStatus = assignment ? 200 : 404
      state.reports.push({ workloadId, status, httpStatus })
      if (!assignment) return fail(404, 'NOT_FOUND', `no assignment of ${workloadId} on ${opts.clusterId}`)
      assignment.state = status.state
      return send(200, { state: assignment.state })
    }
    return fail(404, 'NOT_FOUND', 'no such route')
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const fake = state as FakeDispatchControlPlane
  Object.assign(fake, {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  })
  return fake
}
