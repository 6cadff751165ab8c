// The drill probe: an agent-like client that sends reports through the PUBLIC API every ~100 ms to
// whichever control-plane instance answers, and remembers every write the API acknowledged (2xx,
// status "accepted"). RTO is read from it (fault → first acknowledged write), RPO by looking for its
// acknowledged writes in the surviving database afterwards.
import { randomBytes } from 'node:crypto'
import { sleep } from './proc'

export interface ProbeTarget {
  name: string
  url: string
}

export interface ProbeWrite {
  sequence: number
  kind: 'full' | 'usage'
  /** Epoch ms when the request was sent / the answer arrived. */
  sentAt: number
  doneAt: number
  target: string
  /** HTTP status, or null when no answer (refused, reset, timeout). */
  status: number | null
  /** The API's ack status when 2xx ("accepted", "ignored-older"). */
  ack: string | null
  error: string | null
}

export interface ProbeIdentity {
  clusterId: string
  token: string
}

export const PROBE_PROVINCE = '110000'

/** The probe cluster's registration (a real cluster record; its reports are real ledger writes). */
export function probeRegistration(clusterId: string) {
  return {
    clusterId,
    site: 'dr-probe-site',
    siteName: 'DR drill probe',
    province: PROBE_PROVINCE,
    city: 'Beijing',
    level: 'national' as const,
  }
}

/** Registers the probe cluster once with the admin token, through the API. */
export async function registerProbe(baseUrl: string, adminToken: string): Promise<ProbeIdentity> {
  const clusterId = `dr-probe-${randomBytes(3).toString('hex')}`
  const response = await fetch(`${baseUrl}/api/v1/clusters`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
    body: JSON.stringify(probeRegistration(clusterId)),
    signal: AbortSignal.timeout(10_000),
  })
  const text = await response.text()
  if (response.status !== 201) throw new Error(`registering the probe cluster: ${response.status} ${text}`)
  const body = JSON.parse(text) as { token: string }
  return { clusterId, token: body.token }
}

const GiB = 1024 ** 3

function probeNode() {
  return {
    name: 'dr-probe-node-1',
    arch: 'amd64',
    cpu: { cores: 8, ghz: 2.5 },
    memoryBytes: 32 * GiB,
    labels: { 'kubernetes.io/arch': 'amd64' },
    allocatable: { cpuMillis: 8000, memoryBytes: 30 * GiB },
    requested: { cpuMillis: 1000, memoryBytes: 4 * GiB },
    accelerators: [],
  }
}

export function probeBody(id: ProbeIdentity, sequence: number, kind: 'full' | 'usage', at: number): string {
  const header = { schemaVersion: 'suanpan.report/v1', sequence, timestamp: new Date(at).toISOString(), agentVersion: 'suanpan-dr-probe' }
  if (kind === 'full') {
    return JSON.stringify({
      ...header,
      kind: 'full',
      cluster: probeRegistration(id.clusterId),
      nodes: [probeNode()],
      storage: [],
    })
  }
  return JSON.stringify({
    ...header,
    kind: 'usage',
    cluster: { clusterId: id.clusterId },
    nodes: [{ name: 'dr-probe-node-1', requested: { cpuMillis: 1000 + (sequence % 1000), memoryBytes: 4 * GiB } }],
  })
}

export interface ProbeOptions {
  identity: ProbeIdentity
  /** Read before every write: a drill may add an instance (B1 after a takeover). */
  targets: () => ProbeTarget[]
  intervalMs?: number
  requestTimeoutMs?: number
}

/**
 * Sequences are epoch milliseconds (one write per ≥ 100 ms): strictly increasing across drills and
 * runs without storing a counter, and always ahead of whatever the ledger last accepted.
 */
export class Probe {
  readonly writes: ProbeWrite[] = []
  private running = false
  private loop: Promise<void> | null = null
  private lastSequence = 0
  private needFull = true
  private current = 0
  private readonly intervalMs: number
  private readonly timeoutMs: number

  constructor(private readonly options: ProbeOptions) {
    this.intervalMs = options.intervalMs ?? 100
    this.timeoutMs = options.requestTimeoutMs ?? 1500
  }

  start(): void {
    if (this.running) return
    this.running = true
    this.loop = this.run()
  }

  async stop(): Promise<void> {
    this.running = false
    await this.loop
  }

  /** Writing now (started and not stopped). */
  get active(): boolean {
    return this.running
  }

  get acked(): ProbeWrite[] {
    return this.writes.filter((w) => w.ack === 'accepted')
  }

  /** The first acknowledged write sent after `t` (epoch ms). */
  firstAckAfter(t: number): ProbeWrite | null {
    return this.writes.find((w) => w.sentAt > t && w.ack === 'accepted') ?? null
  }

  lastAckBefore(t: number): ProbeWrite | null {
    let last: ProbeWrite | null = null
    for (const w of this.writes) if (w.ack === 'accepted' && w.doneAt <= t) last = w
    return last
  }

  /** Acknowledged writes in a time window (by send time). */
  ackedBetween(from: number, to: number): ProbeWrite[] {
    return this.writes.filter((w) => w.ack === 'accepted' && w.sentAt >= from && w.sentAt <= to)
  }

  /** The longest stretch without an acknowledged write inside [from, to] (ms), for planned switchovers. */
  longestGap(from: number, to: number): number {
    let last = from
    let gap = 0
    for (const w of this.writes) {
      if (w.ack !== 'accepted' || w.doneAt < from) continue
      if (w.doneAt > to) break
      gap = Math.max(gap, w.doneAt - last)
      last = w.doneAt
    }
    return Math.max(gap, to - last)
  }

  private nextSequence(): number {
    this.lastSequence = Math.max(this.lastSequence + 1, Date.now())
    return this.lastSequence
  }

  private async run(): Promise<void> {
    while (this.running) {
      const started = Date.now()
      await this.writeOnce()
      const wait = this.intervalMs - (Date.now() - started)
      if (wait > 0) await sleep(wait)
    }
  }

  private async writeOnce(): Promise<void> {
    const targets = this.options.targets()
    if (targets.length === 0) return
    const target = targets[this.current % targets.length] as ProbeTarget
    const sequence = this.nextSequence()
    const kind = this.needFull || sequence % 50 === 0 ? 'full' : 'usage'
    const sentAt = Date.now()
    const write: ProbeWrite = { sequence, kind, sentAt, doneAt: sentAt, target: target.name, status: null, ack: null, error: null }
    try {
      const response = await fetch(`${target.url}/api/v1/reports`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.options.identity.token}` },
        body: probeBody(this.options.identity, sequence, kind, sentAt),
        signal: AbortSignal.timeout(this.timeoutMs),
      })
      const text = await response.text()
      write.status = response.status
      if (response.ok) {
        write.ack = (JSON.parse(text) as { status: string }).status
        if (kind === 'full') this.needFull = false
      } else {
        write.error = text.slice(0, 300)
        if (response.status === 409) this.needFull = true
      }
    } catch (error) {
      const e = error as Error & { cause?: { code?: string } }
      write.error = e.cause?.code ?? e.name ?? e.message
    }
    write.doneAt = Date.now()
    // An instance that did not acknowledge: the next write goes to the next instance.
    if (write.ack === null) this.current += 1
    this.writes.push(write)
  }
}
