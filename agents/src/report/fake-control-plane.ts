import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type ApiError, type Report, type ReportAck, ReportSchema } from '@suanpan/control-plane/schemas'
import { Compile } from 'typebox/compile'

/** How the fake answers: normally, 503 for everything, or by cutting the connection before answering. */
export type FakeControlPlaneMode = 'up' | 'down' | 'reset'

/** A canned answer for one request, bypassing the normal logic. */
export interface FakeResponse {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

export interface FakeControlPlane {
  readonly baseUrl: string
  /** Every report accepted, in the order it arrived. */
  readonly accepted: Report[]
  /** Every request that reached the handler, including refused ones. */
  readonly requests: { status: number; sequence?: number; kind?: string }[]
  mode: FakeControlPlaneMode
  /** Consulted first; return undefined to fall through to the normal logic. */
  override?: (report: Report | undefined) => FakeResponse | undefined
  close(): Promise<void>
}

const validate = Compile(ReportSchema)

/**
 * An in-process stand-in for `POST /api/v1/reports`, for tests only: bearer token per cluster, schema check with the
 * contract, 409 FULL_REPORT_REQUIRED before the first full report, `ignored-older` and replayed acks as the real
 * control plane documents them.
 */
export async function startFakeControlPlane(opts: { tokens: Record<string, string> }): Promise<FakeControlPlane> {
  const lastAck = new Map<string, ReportAck>()
  const acks = new Map<string, ReportAck>()
  const hasFull = new Set<string>()
  const state: Omit<FakeControlPlane, 'baseUrl' | 'close'> = { accepted: [], requests: [], mode: 'up' }

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    let report: Report | undefined
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      state.requests.push({ status, sequence: report?.sequence, kind: report?.kind })
      res.writeHead(status, { 'content-type': 'application/json', ...headers })
      res.end(JSON.stringify(body))
    }
    const fail = (status: number, code: string, message: string, fields?: ApiError['fields']) =>
      send(status, { statusCode: status, code, error: 'Error', message, ...(fields ? { fields } : {}) } satisfies ApiError)

    try {
      report = JSON.parse(raw) as Report
    } catch {
      report = undefined
    }
    const canned = state.override?.(report)
    if (canned) return send(canned.status, canned.body ?? {}, canned.headers)
    if (state.mode === 'down') return fail(503, 'UNAVAILABLE', 'control plane is down')
    if (req.method !== 'POST' || req.url !== '/api/v1/reports') return fail(404, 'NOT_FOUND', 'no such route')
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
    const tokenCluster = token === undefined ? undefined : opts.tokens[token]
    if (!tokenCluster) return fail(401, 'UNAUTHENTICATED', 'bad token')
    if (!validate.Check(report)) {
      const fields = validate.Errors(report).map((e) => ({ path: e.instancePath, message: e.message }))
      return fail(400, 'INVALID_REPORT', 'report does not match the schema', fields)
    }
    const clusterId = report.cluster.clusterId
    if (clusterId !== tokenCluster) return fail(403, 'FORBIDDEN', `token is not for cluster ${clusterId}`)
    const replay = acks.get(`${clusterId}/${report.sequence}`)
    if (replay) return send(200, replay)
    if (report.kind === 'usage' && !hasFull.has(clusterId)) return fail(409, 'FULL_REPORT_REQUIRED', 'send a full report first')
    const last = lastAck.get(clusterId)
    const older = last !== undefined && report.sequence <= last.lastSequence
    const ack: ReportAck = {
      status: older ? 'ignored-older' : 'accepted',
      clusterId,
      sequence: report.sequence,
      lastSequence: older && last ? last.lastSequence : report.sequence,
      receivedAt: new Date().toISOString(),
      nodes: report.nodes.length,
      message: older ? 'older than the last accepted report' : 'ok',
    }
    acks.set(`${clusterId}/${report.sequence}`, ack)
    if (!older) {
      lastAck.set(clusterId, ack)
      if (report.kind === 'full') hasFull.add(clusterId)
      state.accepted.push(report)
    }
    send(200, ack)
  }

  const server = createServer((req, res) => {
    if (state.mode === 'reset') {
      req.socket.destroy()
      return
    }
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return Object.assign(state, {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((err) => (err ? reject(err) : resolve()))
      }),
  })
}

/** A minimal valid full report, for tests. */
export function fakeFullReport(sequence: number, clusterId = 'bj-test-1'): Report {
  return {
    schemaVersion: 'suanpan.report/v1',
    kind: 'full',
    sequence,
    timestamp: new Date(Date.UTC(2025, 0, 1, 0, 0, sequence % 60)).toISOString(),
    agentVersion: 'test',
    cluster: { clusterId, site: 'bj-site', province: '110000', city: '北京', level: 'national' },
    nodes: [
      {
        name: 'node-1',
        arch: 'amd64',
        cpu: { cores: 8 },
        memoryBytes: 32 * 2 ** 30,
        labels: {},
        allocatable: { cpuMillis: 7800, memoryBytes: 30 * 2 ** 30 },
        requested: { cpuMillis: 1000, memoryBytes: 2 ** 30 },
        accelerators: [],
      },
    ],
    storage: [],
  }
}

/** A minimal valid usage report, for tests. */
export function fakeUsageReport(sequence: number, clusterId = 'bj-test-1'): Report {
  return {
    schemaVersion: 'suanpan.report/v1',
    kind: 'usage',
    sequence,
    timestamp: new Date(Date.UTC(2025, 0, 1, 0, 0, sequence % 60)).toISOString(),
    agentVersion: 'test',
    cluster: { clusterId },
    nodes: [{ name: 'node-1', requested: { cpuMillis: 1000 + sequence, memoryBytes: 2 ** 30 } }],
  }
}
