import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import type { ReportFailureReason } from '../report/errors'

/** Why a cycle or a delivery failed: the delivery reasons, plus the agent's own steps. */
export type AgentFailureReason = ReportFailureReason | 'collect' | 'energy' | 'spool'

/** The agent's own metrics, registered on a registry the caller owns (one per agent). */
export interface AgentMetrics {
  reportDuration: Histogram<'kind' | 'outcome'>
  reportFailures: Counter<'reason'>
  spoolDepth: Gauge
  spoolDropped: Counter<'kind'>
  lastSuccess: Gauge
}

export function createAgentMetrics(registry: Registry): AgentMetrics {
  const registers = [registry]
  const spoolDropped = new Counter({
    name: 'suanpan_agent_spool_dropped_total',
    help: 'Reports evicted from the full spool (oldest usage first, then oldest full), since the spool was created',
    labelNames: ['kind'] as const,
    registers,
  })
  // Present from the start, so "no drops" reads as 0 rather than as a missing series.
  spoolDropped.inc({ kind: 'usage' }, 0)
  spoolDropped.inc({ kind: 'full' }, 0)
  return {
    reportDuration: new Histogram({
      name: 'suanpan_agent_report_duration_seconds',
      help: 'Time of one report delivery attempt, by report kind and outcome (accepted, ignored-older, retry, rejected)',
      labelNames: ['kind', 'outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    reportFailures: new Counter({
      name: 'suanpan_agent_report_failures_total',
      help: 'Failed report attempts and cycles by reason (network, timeout, throttled, server, bad-ack, rejected, full-report-required, collect, energy, spool)',
      labelNames: ['reason'] as const,
      registers,
    }),
    spoolDepth: new Gauge({ name: 'suanpan_agent_spool_depth', help: 'Reports waiting in the on-disk spool', registers }),
    spoolDropped,
    lastSuccess: new Gauge({
      name: 'suanpan_agent_last_success_timestamp_seconds',
      help: 'Unix time of the last report the control plane acknowledged',
      registers,
    }),
  }
}

export interface MetricsServer {
  /** The port actually bound (useful when asked for 0). */
  readonly port: number
  close(): Promise<void>
}

/** Serves `GET /metrics` from `registry` on 127.0.0.1 only: scrapers on the node, nothing from the network. */
export async function startAgentMetricsServer(registry: Registry, port: number): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = req.url?.split('?')[0]
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try GET /metrics\n')
      return
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics collection failed: ${String(err)}\n`),
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((err) => (err ? reject(err) : resolve()))
      }),
  }
}
