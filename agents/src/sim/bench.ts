// Generation benchmark: `npx tsx agents/src/sim/bench.ts [clusters=2000] [nodesPerCluster=250]`.
import { createFleet } from './fleet'
import { fullReport, fullReportJson, usageReportJson } from './reports'

const clusters = Number(process.argv[2] ?? 2000)
const nodesPerCluster = Number(process.argv[3] ?? 250)

function time<T>(label: string, fn: () => T): T {
  const start = process.hrtime.bigint()
  const out = fn()
  console.log(`${label}: ${(Number(process.hrtime.bigint() - start) / 1e6).toFixed(0)} ms`)
  return out
}

const fleet = time(`createFleet ${clusters} x ${nodesPerCluster}`, () => createFleet({ clusters, seed: 1, nodesPerCluster }))
const nodes = fleet.reduce((a, c) => a + c.nodes.length, 0)
const t = Date.UTC(2026, 2, 4, 6)
for (const round of [1, 2]) {
  // Byte length forces V8 to flatten the string, as writing it to a socket would.
  const bytes = time(`round ${round}: fullReportJson, ${nodes} nodes`, () =>
    fleet.reduce((a, c) => a + Buffer.byteLength(fullReportJson(c, round, t + round * 60_000)), 0),
  )
  console.log(`  ${(bytes / 1e6).toFixed(0)} MB, ${(bytes / nodes).toFixed(0)} B/node`)
}
time(`usageReportJson, ${nodes} nodes`, () => fleet.reduce((a, c) => a + Buffer.byteLength(usageReportJson(c, 3, t)), 0))
time(`fullReport objects, ${nodes} nodes`, () => fleet.reduce((a, c) => a + fullReport(c, 4, t).nodes.length, 0))
time(`JSON.stringify(fullReport), ${nodes} nodes`, () => fleet.reduce((a, c) => a + JSON.stringify(fullReport(c, 5, t)).length, 0))
