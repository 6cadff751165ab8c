import { REPORT_SCHEMA_VERSION } from '@suanpan/control-plane/schemas'
import type { SimCluster } from './cluster-types'
import { checkSequence, SIM_AGENT_VERSION } from './report-header'
import { emptySample, type Frame, frameAt, pueAt, roundKw, sampleNode, storageUsedBytes } from './sample'

/**
 * The JSON of a report, written into one reused byte buffer from pieces encoded once per cluster: per node only
 * its name and six integers change. Non-ASCII characters (Chinese site and city names) are written as `\u`
 * escapes so the text is pure ASCII and becomes a one-byte string at memcpy speed; a UTF-16 string of the same
 * report would cost several times more. Concatenating strings instead leaves V8 a rope of millions of pieces
 * to flatten, slower than `JSON.stringify` of the report objects.
 */

/** Pieces of one cluster's reports that never change, as ASCII bytes. */
interface Pieces {
  identity: string
  usageCluster: string
  /** All node names as `{"name":"…"`, back to back; node i is names[nameAt[i], nameAt[i+1]). */
  names: Buffer
  nameAt: Uint32Array
  /** Per node: the shared bytes from `,"arch"` to `"requested":{"cpuMillis":` (per pool and readiness). */
  fullMid: Buffer[]
  /** Per node: `{"resource":…,"inUse":` (per pool and device health), or null without devices. */
  fullAccel: (Buffer | null)[]
  usageAccel: (Buffer | null)[]
  storageFull: string[]
  storageUsage: string[]
  energyTail: string
  /** Upper bound of a report's length in bytes. */
  maxBytes: number
}

const ascii = (s: string): Buffer => Buffer.from(s, 'latin1')

/** `JSON.stringify` with every non-ASCII character escaped: the same JSON value, in ASCII only. */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
const REQ_MEM = ascii(',"memoryBytes":')
const FULL_USED = ascii('},"used":{"cpuMillis":')
const FULL_ACCEL_OPEN = ascii('},"accelerators":[')
const USAGE_REQUESTED = ascii(',"requested":{"cpuMillis":')
const USAGE_END = ascii('}}')
const NODE_END_NO_ACCEL = ascii(']}')
const NODE_END_ACCEL = ascii('}]}')
const USAGE_END_ACCEL = ascii('}]}')
/** Room for the numbers of one node (six integers of up to 16 digits) and separators. */
const PER_NODE_SLACK = 160
const cache = new WeakMap<SimCluster, Pieces>()

function pieces(c: SimCluster): Pieces {
  const hit = cache.get(c)
  if (hit) return hit
  const mids = new Map<string, Buffer>()
  const accels = new Map<string, Buffer>()
  const usageAccels = new Map<number, Buffer>()
  const nameText = c.nodes.map((n) => `{"name":${asciiJson(n.name)}`)
  const nameAt = new Uint32Array(c.nodes.length + 1)
  nameText.forEach((s, i) => {
    nameAt[i + 1] = (nameAt[i] ?? 0) + s.length
  })
  const fullMid: Buffer[] = []
  const fullAccel: (Buffer | null)[] = []
  const usageAccel: (Buffer | null)[] = []
  let maxBytes = 4096 + (nameAt[c.nodes.length] ?? 0)
  c.nodes.forEach((node) => {
    const pool = c.pools[node.pool]
    if (!pool) throw new RangeError(`node ${node.name} has no pool`)
    const midKey = `${node.pool}|${node.ready}`
    let mid = mids.get(midKey)
    if (!mid) {
      mid = ascii(
        `,"arch":${asciiJson(pool.arch)},"ready":${node.ready},"cpu":${asciiJson(pool.cpu)},"memoryBytes":${pool.memoryBytes},"labels":${asciiJson(pool.labels)},"allocatable":${asciiJson(pool.allocatable)},"requested":{"cpuMillis":`,
      )
      mids.set(midKey, mid)
    }
    const acc = pool.accelerator
    let accel: Buffer | null = null
    let usage: Buffer | null = null
    if (acc) {
      const key = `${node.pool}|${node.unhealthy}`
      accel =
        accels.get(key) ??
        ascii(`{"resource":${asciiJson(acc.resource)},"count":${acc.count},"allocatable":${acc.count - node.unhealthy},"inUse":`)
      accels.set(key, accel)
      usage = usageAccels.get(node.pool) ?? ascii(`,"accelerators":[{"resource":${asciiJson(acc.resource)},"inUse":`)
      usageAccels.set(node.pool, usage)
    }
    fullMid.push(mid)
    fullAccel.push(accel)
    usageAccel.push(usage)
    maxBytes += mid.length + (accel?.length ?? 0) + (usage?.length ?? 0) + PER_NODE_SLACK
  })
  const out: Pieces = {
    identity: asciiJson(c.identity),
    usageCluster: asciiJson({ clusterId: c.identity.clusterId }),
    names: ascii(nameText.join('')),
    nameAt,
    fullMid,
    fullAccel,
    usageAccel,
    storageFull: c.storage.map(
      (s) => `{"class":${asciiJson(s.class)},"provisioner":${asciiJson(s.provisioner)},"capacityBytes":${s.capacityBytes},"usedBytes":`,
    ),
    storageUsage: c.storage.map((s) => `{"class":${asciiJson(s.class)},"usedBytes":`),
    energyTail: `,"mix":${asciiJson(c.energy.mix)},"greenShare":${c.energy.greenShare},"carbonIntensityKgPerKwh":${c.energy.carbonIntensityKgPerKwh},"source":${asciiJson(c.energy.source)}}`,
    maxBytes: 0,
  }
  out.maxBytes = maxBytes + out.identity.length + out.energyTail.length + 300 * c.storage.length
  cache.set(c, out)
  return out
}

let scratch = Buffer.allocUnsafe(1 << 20)
const digits = new Uint8Array(24)

/** Writes a non-negative integer as ASCII digits; returns the position after it. */
function writeUint(buf: Buffer, pos: number, value: number): number {
  let n = value
  if (n < 10) {
    buf[pos] = 48 + n
    return pos + 1
  }
  let k = 0
  while (n > 0) {
    const q = Math.floor(n / 10)
    digits[k++] = 48 + n - q * 10
    n = q
  }
  let p = pos
  while (k > 0) buf[p++] = digits[--k] ?? 48
  return p
}

/** Copies `piece` into `buf` at `pos`; short pieces by hand, which beats the native call for a few bytes. */
function put(buf: Buffer, pos: number, piece: Buffer, start = 0, end = piece.length): number {
  if (end - start > 48) return pos + piece.copy(buf, pos, start, end)
  let p = pos
  for (let i = start; i < end; i++) buf[p++] = piece[i] as number
  return p
}

function header(kind: 'full' | 'usage', seq: number, t: number, cluster: string): string {
  return `{"schemaVersion":"${REPORT_SCHEMA_VERSION}","sequence":${seq},"timestamp":"${new Date(t).toISOString()}","agentVersion":"${SIM_AGENT_VERSION}","kind":"${kind}","cluster":${cluster},"nodes":[`
}

function storageJson(c: SimCluster, f: Frame, parts: string[]): string {
  let out = ''
  for (let k = 0; k < parts.length; k++) out += `${k ? ',' : ''}${parts[k]}${storageUsedBytes(c, k, f)}}`
  return out
}

function buffer(p: Pieces): Buffer {
  if (scratch.length < p.maxBytes) scratch = Buffer.allocUnsafe(Math.max(p.maxBytes, scratch.length * 2))
  return scratch
}

/** `asciiJson(fullReport(c, seq, t))`, byte for byte: the fast path for benchmarks and body senders. */
export function fullReportJson(c: SimCluster, seq: number, t: number): string {
  checkSequence(seq)
  const p = pieces(c)
  const buf = buffer(p)
  const f = frameAt(c, t)
  const s = emptySample()
  let kw = 0
  let pos = buf.write(header('full', seq, t, p.identity), 0, 'latin1')
  for (let i = 0; i < c.nodes.length; i++) {
    sampleNode(c, f, i, s)
    kw += s.powerKw
    if (i > 0) buf[pos++] = 44
    pos = put(buf, pos, p.names, p.nameAt[i] ?? 0, p.nameAt[i + 1] ?? 0)
    pos = put(buf, pos, p.fullMid[i] as Buffer)
    pos = writeUint(buf, pos, s.requestedCpu)
    pos = put(buf, pos, REQ_MEM)
    pos = writeUint(buf, pos, s.requestedMemory)
    pos = put(buf, pos, FULL_USED)
    pos = writeUint(buf, pos, s.usedCpu)
    pos = put(buf, pos, REQ_MEM)
    pos = writeUint(buf, pos, s.usedMemory)
    pos = put(buf, pos, FULL_ACCEL_OPEN)
    const accel = p.fullAccel[i]
    if (accel) {
      pos = put(buf, pos, accel)
      pos = writeUint(buf, pos, s.inUse)
      pos = put(buf, pos, NODE_END_ACCEL)
    } else pos = put(buf, pos, NODE_END_NO_ACCEL)
  }
  const tail = `],"storage":[${storageJson(c, f, p.storageFull)}],"energy":{"itPowerKw":${roundKw(kw)},"pue":${pueAt(c, f)}${p.energyTail}}`
  pos += buf.write(tail, pos, 'latin1')
  return buf.toString('latin1', 0, pos)
}

/** `asciiJson(usageReport(c, seq, t))`, byte for byte. */
export function usageReportJson(c: SimCluster, seq: number, t: number): string {
  checkSequence(seq)
  const p = pieces(c)
  const buf = buffer(p)
  const f = frameAt(c, t)
  const s = emptySample()
  let kw = 0
  let pos = buf.write(header('usage', seq, t, p.usageCluster), 0, 'latin1')
  for (let i = 0; i < c.nodes.length; i++) {
    sampleNode(c, f, i, s)
    kw += s.powerKw
    if (i > 0) buf[pos++] = 44
    pos = put(buf, pos, p.names, p.nameAt[i] ?? 0, p.nameAt[i + 1] ?? 0)
    pos = put(buf, pos, USAGE_REQUESTED)
    pos = writeUint(buf, pos, s.requestedCpu)
    pos = put(buf, pos, REQ_MEM)
    pos = writeUint(buf, pos, s.requestedMemory)
    pos = put(buf, pos, FULL_USED)
    pos = writeUint(buf, pos, s.usedCpu)
    pos = put(buf, pos, REQ_MEM)
    pos = writeUint(buf, pos, s.usedMemory)
    const accel = p.usageAccel[i]
    if (accel) {
      buf[pos++] = 125
      pos = put(buf, pos, accel)
      pos = writeUint(buf, pos, s.inUse)
      pos = put(buf, pos, USAGE_END_ACCEL)
    } else pos = put(buf, pos, USAGE_END)
  }
  const tail = `],"storage":[${storageJson(c, f, p.storageUsage)}],"energy":{"itPowerKw":${roundKw(kw)},"pue":${pueAt(c, f)},"greenShare":${c.energy.greenShare}}}`
  pos += buf.write(tail, pos, 'latin1')
  return buf.toString('latin1', 0, pos)
}
