// The lab's network between centers. Every connection from one center to another goes through a TCP
// proxy Suanpan controls (one process, network-daemon.ts, started by `lab up` and stopped by `lab down`),
// so a drill can cut the link between two centers — the same-city partition between A1 and A2 — while
// both still reach the third (B1, the witness). One loopback address cannot be cut selectively, and the
// lab has no network namespaces or iptables: the proxy is the network.
//
// Two kinds of links:
// - ingress: the address a center's service ADVERTISES (Patroni's postgresql/restapi connect_address,
//   etcd's advertised peer and client URLs). Every member reads these from the DCS or the etcd
//   membership, so one address serves every other center; the proxy tells who is calling by finding the
//   socket's owner in /proc (its command line, or an ancestor's, names `<lab>/<center>/`: the postmaster's
//   `-D`, Patroni's config file, etcd's `--data-dir`).
// - route: one center's own path to another center's service, where the configuration is per center
//   (HAProxy in A2 → A1's PostgreSQL and Patroni REST): the source is fixed, nothing to look up.
//
// A cut in `drop` mode behaves like a link that loses every packet: data on existing connections stops
// (the sockets are paused: TCP backpressure, nothing delivered, nothing closed) and new connections are
// accepted but never reach the other side; when the cut heals, held data flows again and held new
// connections are connected (like retransmissions getting through). `reject` resets the connections
// instead (a firewall answering RST). Connections from outside the lab (the drill runner, an operator)
// are never cut.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { createServer as createHttpServer, type Server as HttpServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { CENTERS, type CenterName } from './state'

export type Service = 'postgres' | 'rest' | 'etcd-peer' | 'etcd-client'
export const SERVICES: readonly Service[] = ['postgres', 'rest', 'etcd-peer', 'etcd-client']

export interface NetworkLink {
  kind: 'ingress' | 'route'
  /** The center whose service this is. */
  to: CenterName
  /** route: the one center that uses it; ingress: null (identified per connection). */
  from: CenterName | null
  service: Service
  /** The proxy's port (what clients connect to). */
  listen: number
  /** The service's real port. */
  target: number
}

/** What the daemon reads at start (written by `lab up` next to lab.json). */
export interface NetworkConfig {
  controlPort: number
  /** Each center's directory: a process whose command line (or an ancestor's) names `<dir>/` belongs to it. */
  centers: Record<CenterName, string>
  links: NetworkLink[]
}

/** The network in the lab's state file. */
export interface NetworkState {
  pid: number | null
  controlPort: number
  config: string
  log: string
  links: NetworkLink[]
}

export type CutMode = 'drop' | 'reject'

export interface Cut {
  a: CenterName
  b: CenterName
  mode: CutMode
  since: string
}

export interface NetworkStatus {
  pid: number
  cuts: Cut[]
  /** Open connections per `from→to service`, and how many of them are held by a cut. */
  connections: { from: string; to: CenterName; service: Service; kind: NetworkLink['kind']; open: number; held: number }[]
  /** Connections accepted since start by `source→center service` (source 'outside': no lab center owns the socket). */
  accepted: Record<string, number>
  /** Time spent identifying sources (ms, total and worst). */
  identify: { count: number; totalMs: number; worstMs: number; unknown: number }
}

const pairKey = (a: CenterName, b: CenterName) => [a, b].sort().join('|')

// ---------------------------------------------------------------- who owns a socket (Linux /proc)

const hexPort = (port: number) => port.toString(16).toUpperCase().padStart(4, '0')
const LOOPBACK = '0100007F'

/** The inode of the client's end of a loopback connection (client port → server port), from /proc/net/tcp. */
function clientSocketInode(clientPort: number, serverPort: number): string | null {
  const local = `${LOOPBACK}:${hexPort(clientPort)}`
  const remote = `${LOOPBACK}:${hexPort(serverPort)}`
  let text = ''
  try {
    text = readFileSync('/proc/net/tcp', 'utf8')
  } catch {
    return null
  }
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/)
    if (f[1] === local && f[2] === remote) return f[9] ?? null
  }
  return null
}

function socketOwner(inode: string, hint: number[]): number | null {
  const target = `socket:[${inode}]`
  const owns = (pid: string) => {
    let fds: string[] = []
    try {
      fds = readdirSync(`/proc/${pid}/fd`)
    } catch {
      return false
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === target) return true
      } catch {}
    }
    return false
  }
  for (const pid of hint) if (owns(String(pid))) return pid
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || hint.includes(Number(entry))) continue
    if (owns(entry)) return Number(entry)
  }
  return null
}

function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
    return Number.isInteger(ppid) && ppid > 1 ? ppid : null
  } catch {
    return null
  }
}

/** The center a process belongs to: its command line, or an ancestor's, names the center's directory. */
export function centerOfProcess(pid: number, centers: Record<CenterName, string>): CenterName | null {
  let p: number | null = pid
  for (let depth = 0; p && depth < 12; depth++) {
    let cmd = ''
    try {
      cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').replaceAll('\0', ' ')
    } catch {
      return null
    }
    for (const name of CENTERS) if (cmd.includes(`${centers[name]}/`)) return name
    p = parentOf(p)
  }
  return null
}

// ---------------------------------------------------------------- the proxy

interface Conn {
  link: NetworkLink
  from: CenterName | null
  client: Socket
  upstream: Socket | null
  held: boolean
  /** Bytes read while held (a chunk already on its way when the socket was paused). */
  pending: { toUpstream: Buffer[]; toClient: Buffer[] }
  /** A side went away while held: on heal the other side is closed too. */
  gone: boolean
}

export class LabNetwork {
  private readonly servers: Server[] = []
  private control: HttpServer | null = null
  private readonly conns = new Set<Conn>()
  private readonly cuts = new Map<string, Cut>()
  private readonly accepted: Record<string, number> = {}
  private readonly identifyStats = { count: 0, totalMs: 0, worstMs: 0, unknown: 0 }
  /** Recent socket owners first: the next lookup usually finds the same processes. */
  private recentOwners: number[] = []

  constructor(
    private readonly config: NetworkConfig,
    private readonly log: (line: string) => void = () => {},
  ) {}

  async start(): Promise<void> {
    for (const link of this.config.links) {
      const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => this.accept(link, socket))
      server.on('error', (error) => this.log(`listener ${link.listen}: ${error.message}`))
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(link.listen, '127.0.0.1', () => {
          server.off('error', reject)
          resolve()
        })
      })
      this.servers.push(server)
    }
    if (this.config.controlPort) {
      const control = createHttpServer((req, res) => {
        this.handle(req, res).catch((error: Error) => {
          res.writeHead(500, { 'content-type': 'application/json' })
          res.end(JSON.stringify({ error: error.message }))
        })
      })
      await new Promise<void>((resolve, reject) => {
        control.once('error', reject)
        control.listen(this.config.controlPort, '127.0.0.1', () => resolve())
      })
      this.control = control
    }
  }

  async stop(): Promise<void> {
    for (const c of this.conns) this.destroy(c)
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
    if (this.control) await new Promise<void>((resolve) => this.control?.close(() => resolve()))
  }

  // ------------------------------------------------------------ cuts

  cut(a: CenterName, b: CenterName, mode: CutMode = 'drop'): Cut {
    if (a === b) throw new Error('a center cannot be cut from itself')
    const cut: Cut = { a, b, mode, since: new Date().toISOString() }
    this.cuts.set(pairKey(a, b), cut)
    let affected = 0
    for (const c of this.conns) {
      if (!this.isCut(c)) continue
      affected += 1
      if (mode === 'reject') this.reset(c)
      else this.hold(c)
    }
    this.log(`cut ${a} ⇹ ${b} (${mode}): ${affected} open connection(s) ${mode === 'reject' ? 'reset' : 'held'}`)
    return cut
  }

  heal(a?: CenterName, b?: CenterName): Cut[] {
    const healed: Cut[] = []
    for (const [key, cut] of this.cuts) {
      if (a && b && key !== pairKey(a, b)) continue
      this.cuts.delete(key)
      healed.push(cut)
    }
    let released = 0
    for (const c of [...this.conns]) {
      if (c.held && !this.isCut(c)) {
        released += 1
        this.release(c)
      }
    }
    this.log(`heal ${healed.map((c) => `${c.a} ⇹ ${c.b}`).join(', ') || '(nothing cut)'}: ${released} held connection(s) released`)
    return healed
  }

  status(): NetworkStatus {
    const groups = new Map<string, NetworkStatus['connections'][number]>()
    for (const c of this.conns) {
      const from = c.from ?? 'outside'
      const key = `${from}|${c.link.to}|${c.link.service}|${c.link.kind}`
      const g = groups.get(key) ?? { from, to: c.link.to, service: c.link.service, kind: c.link.kind, open: 0, held: 0 }
      g.open += 1
      if (c.held) g.held += 1
      groups.set(key, g)
    }
    return {
      pid: process.pid,
      cuts: [...this.cuts.values()],
      connections: [...groups.values()].sort((x, y) => `${x.from}${x.to}${x.service}`.localeCompare(`${y.from}${y.to}${y.service}`)),
      accepted: { ...this.accepted },
      identify: { ...this.identifyStats, totalMs: Number(this.identifyStats.totalMs.toFixed(1)) },
    }
  }

  private isCut(c: Conn): boolean {
    if (!c.from || c.from === c.link.to) return false
    return this.cuts.has(pairKey(c.from, c.link.to))
  }

  private cutMode(c: Conn): CutMode | null {
    if (!c.from || c.from === c.link.to) return null
    return this.cuts.get(pairKey(c.from, c.link.to))?.mode ?? null
  }

  // ------------------------------------------------------------ connections

  private identify(link: NetworkLink, socket: Socket): CenterName | null {
    if (link.kind === 'route') return link.from
    const t0 = performance.now()
    let center: CenterName | null = null
    const inode = socket.remotePort ? clientSocketInode(socket.remotePort, link.listen) : null
    if (inode && inode !== '0') {
      const pid = socketOwner(inode, this.recentOwners)
      if (pid) {
        this.recentOwners = [pid, ...this.recentOwners.filter((p) => p !== pid)].slice(0, 32)
        center = centerOfProcess(pid, this.config.centers)
      }
    }
    const ms = performance.now() - t0
    this.identifyStats.count += 1
    this.identifyStats.totalMs += ms
    this.identifyStats.worstMs = Math.max(this.identifyStats.worstMs, ms)
    if (!center) this.identifyStats.unknown += 1
    return center
  }

  private accept(link: NetworkLink, client: Socket): void {
    client.on('error', () => {})
    const from = this.identify(link, client)
    const key = `${from ?? 'outside'}→${link.to} ${link.service}${link.kind === 'route' ? ' (route)' : ''}`
    this.accepted[key] = (this.accepted[key] ?? 0) + 1
    const c: Conn = { link, from, client, upstream: null, held: false, pending: { toUpstream: [], toClient: [] }, gone: false }
    this.conns.add(c)
    client.on('data', (chunk: Buffer) => this.forward(c, chunk, 'toUpstream'))
    client.on('end', () => {
      if (c.held) c.gone = true
      else c.upstream?.end()
    })
    client.on('close', () => {
      if (c.held) {
        c.gone = true
        if (!c.upstream) this.conns.delete(c)
        return
      }
      this.finish(c)
    })
    const mode = this.cutMode(c)
    if (mode === 'reject') {
      this.reset(c)
      return
    }
    if (mode === 'drop') {
      // Accepted, never connected: the client waits as for a SYN that is never answered.
      c.held = true
      return
    }
    this.connectUpstream(c)
  }

  private connectUpstream(c: Conn): Socket {
    const upstream = connect({ host: '127.0.0.1', port: c.link.target, allowHalfOpen: true })
    c.upstream = upstream
    upstream.on('error', () => {})
    upstream.on('data', (chunk: Buffer) => this.forward(c, chunk, 'toClient'))
    upstream.on('end', () => {
      if (c.held) c.gone = true
      else c.client.end()
    })
    upstream.on('close', () => {
      if (c.held) {
        c.gone = true
        return
      }
      this.finish(c)
    })
    upstream.once('connect', () => {
      if (!c.held) c.client.resume()
    })
    return upstream
  }

  private forward(c: Conn, chunk: Buffer, direction: 'toUpstream' | 'toClient'): void {
    if (c.held) {
      c.pending[direction].push(chunk)
      return
    }
    const src = direction === 'toUpstream' ? c.client : c.upstream
    const dst = direction === 'toUpstream' ? c.upstream : c.client
    if (!dst || dst.destroyed) return
    if (!dst.write(chunk)) {
      src?.pause()
      dst.once('drain', () => {
        if (!c.held) src?.resume()
      })
    }
  }

  /** A side closed (not held): close the other once its writes are flushed. */
  private finish(c: Conn): void {
    const clientDone = c.client.destroyed || c.client.closed
    const upstreamDone = !c.upstream || c.upstream.destroyed || c.upstream.closed
    if (clientDone && upstreamDone) {
      this.conns.delete(c)
      return
    }
    if (clientDone) c.upstream?.end()
    if (upstreamDone && !clientDone) c.client.end()
    // Half-closed peers that never finish: bounded.
    setTimeout(() => this.destroy(c), 5000).unref()
  }

  private hold(c: Conn): void {
    if (c.held) return
    c.held = true
    c.client.pause()
    c.upstream?.pause()
  }

  private release(c: Conn): void {
    c.held = false
    if (c.gone) {
      this.destroy(c)
      return
    }
    if (!c.upstream) {
      const early = c.pending.toUpstream.splice(0)
      const upstream = this.connectUpstream(c)
      for (const chunk of early) upstream.write(chunk)
      return
    }
    for (const chunk of c.pending.toUpstream.splice(0)) c.upstream.write(chunk)
    for (const chunk of c.pending.toClient.splice(0)) c.client.write(chunk)
    c.client.resume()
    c.upstream.resume()
  }

  private reset(c: Conn): void {
    for (const socket of [c.client, c.upstream]) {
      try {
        socket?.resetAndDestroy()
      } catch {
        socket?.destroy()
      }
    }
    this.conns.delete(c)
  }

  private destroy(c: Conn): void {
    c.client.destroy()
    c.upstream?.destroy()
    this.conns.delete(c)
  }

  // ------------------------------------------------------------ control API

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    const body = (text ? JSON.parse(text) : {}) as { a?: string; b?: string; mode?: string }
    const center = (v: unknown): CenterName | undefined => {
      if (v === undefined) return undefined
      if (typeof v === 'string' && (CENTERS as readonly string[]).includes(v)) return v as CenterName
      throw new Error(`unknown center ${JSON.stringify(v)}`)
    }
    if (req.method === 'GET' && req.url === '/status') return send(200, this.status())
    if (req.method === 'POST' && req.url === '/cut') {
      const a = center(body.a)
      const b = center(body.b)
      if (!a || !b) return send(400, { error: 'a and b are required' })
      if (body.mode !== undefined && body.mode !== 'drop' && body.mode !== 'reject') return send(400, { error: 'mode: drop | reject' })
      return send(200, { cut: this.cut(a, b, (body.mode as CutMode | undefined) ?? 'drop'), status: this.status() })
    }
    if (req.method === 'POST' && req.url === '/heal') {
      return send(200, { healed: this.heal(center(body.a), center(body.b)), status: this.status() })
    }
    send(404, { error: 'GET /status, POST /cut {a, b, mode}, POST /heal {a?, b?}' })
  }
}

// ---------------------------------------------------------------- client (the lab and the drills)

async function call<T>(controlPort: number, method: 'GET' | 'POST', path: string, body?: unknown, timeoutMs = 3000): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${controlPort}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`lab network ${method} ${path}: ${response.status} ${text}`)
  return JSON.parse(text) as T
}

export const networkStatus = (controlPort: number, timeoutMs = 2000) =>
  call<NetworkStatus>(controlPort, 'GET', '/status', undefined, timeoutMs)

export const networkCut = (controlPort: number, a: CenterName, b: CenterName, mode: CutMode = 'drop') =>
  call<{ cut: Cut; status: NetworkStatus }>(controlPort, 'POST', '/cut', { a, b, mode })

export const networkHeal = (controlPort: number, a?: CenterName, b?: CenterName) =>
  call<{ healed: Cut[]; status: NetworkStatus }>(controlPort, 'POST', '/heal', a && b ? { a, b } : {})
