// Raw baseline for the ingest benchmark, run as its own process by test/bench/ingest.ts:
//   node --import tsx test/bench/baseline.ts --bodies FILE (--sqlite PATH | --pg URL) [--passes 3] [--concurrency 8]
// It parses the same report bodies (JSON.parse, no validation) and bulk-inserts one plain row per node
// (cluster id, node name, cores, memory, accelerator count): a floor for what ingest could cost.
// Prints one JSON object on stdout.
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import SQLite from 'better-sqlite3'
import pg from 'pg'
import { forEachLimited, memoryOf } from './support'

export interface BaselinePass {
  wallMs: number
  nodes: number
  nodesPerSec: number
}

export interface BaselineResult {
  store: 'sqlite' | 'postgres'
  passes: BaselinePass[]
  peakRss: number | null
}

interface RawNode {
  name: string
  cpu: { cores: number }
  memoryBytes: number
  accelerators: { count: number }[]
}

interface RawReport {
  cluster: { clusterId: string }
  nodes: RawNode[]
}

/** Inverse of encodeBodies (support.ts): [u32 little-endian length][bytes], back to back. */
function decodeBodies(file: Buffer): Buffer[] {
  const out: Buffer[] = []
  let pos = 0
  while (pos < file.length) {
    const length = file.readUInt32LE(pos)
    out.push(file.subarray(pos + 4, pos + 4 + length))
    pos += 4 + length
  }
  return out
}

const acceleratorCount = (node: RawNode): number => {
  let n = 0
  for (const a of node.accelerators) n += a.count
  return n
}

/** The server receives bytes and decodes them before JSON.parse: so does the baseline. */
const parse = (body: Buffer): RawReport => JSON.parse(body.toString('utf8')) as RawReport

const TABLE = `create table raw_nodes (
  cluster_id text not null, name text not null, cores double precision not null,
  memory_bytes double precision not null, accelerators integer not null)`

function sqlitePasses(path: string, bodies: Buffer[], passes: number): BaselinePass[] {
  const db = new SQLite(path)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.exec(TABLE)
  const insert = db.prepare('insert into raw_nodes (cluster_id, name, cores, memory_bytes, accelerators) values (?, ?, ?, ?, ?)')
  const insertReport = db.transaction((report: RawReport) => {
    const clusterId = report.cluster.clusterId
    for (const node of report.nodes) insert.run(clusterId, node.name, node.cpu.cores, node.memoryBytes, acceleratorCount(node))
  })
  const out: BaselinePass[] = []
  for (let p = 0; p < passes; p++) {
    db.exec('delete from raw_nodes') // untimed: every pass inserts into an empty table
    let nodes = 0
    const start = performance.now()
    for (const body of bodies) {
      const report = parse(body)
      insertReport(report)
      nodes += report.nodes.length
    }
    const wallMs = performance.now() - start
    out.push({ wallMs, nodes, nodesPerSec: nodes / (wallMs / 1000) })
  }
  db.close()
  return out
}

async function pgPasses(url: string, bodies: Buffer[], passes: number, concurrency: number): Promise<BaselinePass[]> {
  const pool = new pg.Pool({ connectionString: url, max: concurrency })
  await pool.query(TABLE)
  const texts = new Map<number, string>()
  const insertText = (rows: number): string => {
    let text = texts.get(rows)
    if (!text) {
      const values: string[] = []
      for (let r = 0; r < rows; r++) {
        const b = r * 5
        values.push(`($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5})`)
      }
      text = `insert into raw_nodes (cluster_id, name, cores, memory_bytes, accelerators) values ${values.join(', ')}`
      texts.set(rows, text)
    }
    return text
  }
  const out: BaselinePass[] = []
  try {
    for (let p = 0; p < passes; p++) {
      await pool.query('truncate raw_nodes')
      let nodes = 0
      const start = performance.now()
      await forEachLimited(bodies.length, concurrency, async (i) => {
        const report = parse(bodies[i] as Buffer)
        const clusterId = report.cluster.clusterId
        const params: (string | number)[] = []
        for (const node of report.nodes) params.push(clusterId, node.name, node.cpu.cores, node.memoryBytes, acceleratorCount(node))
        const client = await pool.connect()
        try {
          await client.query('begin')
          if (report.nodes.length > 0) await client.query(insertText(report.nodes.length), params)
          await client.query('commit')
        } finally {
          client.release()
        }
        nodes += report.nodes.length
      })
      const wallMs = performance.now() - start
      out.push({ wallMs, nodes, nodesPerSec: nodes / (wallMs / 1000) })
    }
  } finally {
    await pool.end()
  }
  return out
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      bodies: { type: 'string' },
      sqlite: { type: 'string' },
      pg: { type: 'string' },
      passes: { type: 'string', default: '3' },
      concurrency: { type: 'string', default: '8' },
    },
  })
  if (!values.bodies || (!values.sqlite && !values.pg)) throw new Error('usage: baseline.ts --bodies FILE (--sqlite PATH | --pg URL)')
  const bodies = decodeBodies(readFileSync(values.bodies))
  const passes = Number(values.passes)
  const result: BaselineResult = values.sqlite
    ? { store: 'sqlite', passes: sqlitePasses(values.sqlite, bodies, passes), peakRss: null }
    : { store: 'postgres', passes: await pgPasses(values.pg as string, bodies, passes, Number(values.concurrency)), peakRss: null }
  result.peakRss = memoryOf(process.pid)?.peakRss ?? null
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

await main()
