// Shared pieces of the benchmarks: a keep-alive HTTP client, percentiles, the control plane as a
// child process (so its RSS and CPU are its own), /proc readings and a description of the machine.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { cpus, loadavg, release, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { SimCluster } from '@suanpan/agents'

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

const started = performance.now()

/** One progress line on stderr (stdout stays clean for --json). */
export function progress(message: string): void {
  const seconds = ((performance.now() - started) / 1000).toFixed(1).padStart(6)
  process.stderr.write(`[${seconds}s] ${message}\n`)
}

// ---------------------------------------------------------------- statistics

/** Nearest-rank percentile of an ascending array (p in 0..1). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)))
  return sorted[rank - 1] ?? Number.NaN
}

export interface Distribution {
  n: number
  p50: number
  p99: number
  max: number
  mean: number
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b)
  const sum = sorted.reduce((a, b) => a + b, 0)
  return {
    n: sorted.length,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean: sorted.length ? sum / sorted.length : Number.NaN,
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  if (sorted.length === 0) return Number.NaN
  return sorted.length % 2 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

/** Runs `task(i)` for i in [0, count) with at most `limit` in flight, in index order. */
export async function forEachLimited(count: number, limit: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++
      await task(index)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, count)) }, worker))
}

// ---------------------------------------------------------------- HTTP

export interface HttpResult {
  status: number
  body: Buffer
  /** Request written to last response byte read, milliseconds. */
  ms: number
}

/** A keep-alive client for one control plane: raw node:http, bodies sent as pre-encoded bytes. */
export class HttpClient {
  readonly agent: Agent

  constructor(
    readonly port: number,
    sockets: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets })
  }

  send(method: 'GET' | 'POST', path: string, body: Buffer | null, headers: Record<string, string> = {}): Promise<HttpResult> {
    return new Promise((resolve, reject) => {
      const start = performance.now()
      const req = request(
        {
          host: '127.0.0.1',
          port: this.port,
          method,
          path,
          agent: this.agent,
          headers: body ? { 'content-type': 'application/json', 'content-length': String(body.length), ...headers } : headers,
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (chunk: Buffer) => chunks.push(chunk))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), ms: performance.now() - start }))
          res.on('error', reject)
        },
      )
      req.on('error', reject)
      req.end(body ?? undefined)
    })
  }

  close(): void {
    this.agent.destroy()
  }
}

/** Report bodies for the baseline process, as [u32 little-endian length][bytes], back to back. */
export function encodeBodies(bodies: readonly Buffer[]): Buffer {
  const total = bodies.reduce((a, b) => a + 4 + b.length, 0)
  const out = Buffer.allocUnsafe(total)
  let pos = 0
  for (const body of bodies) {
    out.writeUInt32LE(body.length, pos)
    pos += 4 + body.copy(out, pos + 4)
  }
  return out
}

// ---------------------------------------------------------------- /proc

/** Peak (VmHWM) and current (VmRSS) resident set of a process, in bytes; null once it is gone. */
export function memoryOf(pid: number): { peakRss: number; rss: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024
    return { peakRss: kib('VmHWM'), rss: kib('VmRSS') }
  } catch {
    return null
  }
}

let clockTicks: number | null = null

/** User + system CPU seconds a process has used so far (children not included). */
export function cpuSecondsOf(pid: number): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name may contain spaces: fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / clockTicks
  } catch {
    return Number.NaN
  }
}

/** CPU seconds used by every process named `comm` and its reaped children (the PostgreSQL server and its backends). */
export function cpuSecondsOfCommand(comm: string): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  let ticks = 0
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== comm) continue
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks / clockTicks
}

// ---------------------------------------------------------------- the control plane as a child process

export interface ControlPlaneProcess {
  readonly pid: number
  readonly port: number
  readonly child: ChildProcess
  /** stderr and stdout of the server, last 64 KiB, for error messages. */
  output(): string
  /** SIGTERM (graceful: a CPU profile is written on exit), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>
}

export interface StartControlPlaneOptions {
  port: number
  env: Record<string, string>
  /** Extra node flags, e.g. --cpu-prof. */
  nodeFlags?: string[]
}

/** `node --import tsx control-plane/src/server.ts`, spawned directly so the pid is the server's own. */
export async function startControlPlane(options: StartControlPlaneOptions): Promise<ControlPlaneProcess> {
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), '--import', 'tsx', 'control-plane/src/server.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(options.port),
      LOG_LEVEL: 'warn',
      SUANPAN_RATE_LIMIT_PER_MINUTE: '0',
      SUANPAN_OPEN_READS: '1',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let log = ''
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-65536)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  let exited: { code: number | null; signal: string | null } | null = null
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal }
      resolve()
    }),
  )
  const pid = child.pid
  if (pid === undefined) throw new Error('could not spawn the control plane')
  const probe = new HttpClient(options.port, 1)
  const deadline = Date.now() + 60_000
  try {
    for (;;) {
      if (exited) throw new Error(`control plane exited during start-up (${JSON.stringify(exited)}):\n${log}`)
      try {
        const res = await probe.send('GET', '/healthz', null)
        if (res.status === 200) break
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`control plane did not answer /healthz within 60 s:\n${log}`)
      await new Promise((r) => setTimeout(r, 100))
    }
  } catch (error) {
    child.kill('SIGKILL')
    throw error
  } finally {
    probe.close()
  }
  return {
    pid,
    port: options.port,
    child,
    output: () => log,
    async stop(graceMs = 30_000) {
      if (exited) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      await exit
      clearTimeout(timer)
    },
  }
}

// ---------------------------------------------------------------- the machine

/**
 * Which code was measured: the commit a snapshot was taken from (test/bench/snapshot.sh writes
 * .bench-code), else this checkout's commit, flagged when control-plane/ or agents/ has uncommitted changes.
 */
export function codeVersion(): string {
  const marker = join(REPO_ROOT, '.bench-code')
  if (existsSync(marker)) return readFileSync(marker, 'utf8').trim()
  try {
    const commit = execFileSync('git', ['-C', REPO_ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim()
    const dirty = execFileSync('git', ['-C', REPO_ROOT, 'status', '--porcelain', '--', 'control-plane', 'agents'], {
      encoding: 'utf8',
    }).trim()
    return dirty ? `commit ${commit} + uncommitted changes in control-plane/ or agents/` : `commit ${commit}`
  } catch {
    return 'unknown (not a git checkout)'
  }
}

export interface Machine {
  nproc: number
  cpuModel: string
  memoryGiB: number
  node: string
  kernel: string
  /** 1-minute load average when the run started: other work on the machine skews every figure. */
  loadAverage: number
}

export function describeMachine(): Machine {
  let nproc = cpus().length
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim()) || nproc
  } catch {
    // keep os.cpus()
  }
  let cpuModel = cpus()[0]?.model ?? 'unknown'
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpuModel
  } catch {
    // keep os.cpus()
  }
  return {
    nproc,
    cpuModel,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kernel: release(),
    loadAverage: loadavg()[0] ?? 0,
  }
}

/**
 * Replace a benchmark's section of BENCHMARKS.md (between its begin marker, whatever follows `:begin` in it, and
 * its end marker), or append it when the file does not have one yet.
 */
export function writeBenchmarkSection(begin: string, end: string, section: string): void {
  const path = join(REPO_ROOT, 'BENCHMARKS.md')
  let text = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n'
  const block = `${begin}\n${section}\n${end}`
  const b = text.indexOf(begin.slice(0, begin.indexOf(':begin') + ':begin'.length))
  const e = text.indexOf(end)
  text = b >= 0 && e > b ? `${text.slice(0, b)}${block}${text.slice(e + end.length)}` : `${text.trimEnd()}\n\n${block}\n`
  writeFileSync(path, text)
}

/**
 * Clean-ups run last-in first-out at the end of a benchmark, and on Ctrl-C (then the process exits 130), so no
 * control plane or database outlives the script.
 */
export function cleanupStack(onInterrupt: string): { cleanups: (() => Promise<void> | void)[]; runCleanups: () => Promise<void> } {
  const cleanups: (() => Promise<void> | void)[] = []
  const runCleanups = async (): Promise<void> => {
    while (cleanups.length > 0) {
      const cleanup = cleanups.pop()
      try {
        await cleanup?.()
      } catch (error) {
        progress(`cleanup failed: ${String(error)}`)
      }
    }
  }
  process.once('SIGINT', () => {
    progress(onInterrupt)
    runCleanups().finally(() => process.exit(130))
  })
  return { cleanups, runCleanups }
}

/** Register every cluster of a simulated fleet through the API; its tokens, in fleet order. Progress every 5 s. */
export async function registerFleet(
  client: HttpClient,
  fleet: readonly SimCluster[],
  adminToken: string,
  concurrency = 8,
): Promise<string[]> {
  const tokens: string[] = new Array(fleet.length)
  let done = 0
  let lastProgress = performance.now()
  await forEachLimited(fleet.length, concurrency, async (i) => {
    const cluster = fleet[i] as SimCluster
    const res = await client.send('POST', '/api/v1/clusters', Buffer.from(JSON.stringify(cluster.identity)), {
      authorization: `Bearer ${adminToken}`,
    })
    if (res.status !== 201) throw new Error(`registering ${cluster.identity.clusterId}: HTTP ${res.status} ${res.body.toString()}`)
    tokens[i] = (JSON.parse(res.body.toString()) as { token: string }).token
    done++
    if (performance.now() - lastProgress > 5_000) {
      lastProgress = performance.now()
      progress(`  registered ${done.toLocaleString('en-US')}/${fleet.length.toLocaleString('en-US')} clusters`)
    }
  })
  return tokens
}
