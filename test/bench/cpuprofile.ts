// Summarise V8 .cpuprofile files (node --cpu-prof): self and total time per function and self time
// per package or source directory. Used by `ingest.ts --profile DIR` and by profile-summary.ts.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT } from './support'

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
}

interface ProfileNode {
  id: number
  callFrame: CallFrame
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

export interface FunctionTime {
  name: string
  location: string
  area: string
  selfMs: number
  totalMs: number
}

export interface ProfileSummary {
  files: string[]
  wallMs: number
  idleMs: number
  busyMs: number
  functions: FunctionTime[]
  /** Self time per area: a package under node_modules, a source directory, node internals, V8. */
  areas: { area: string; selfMs: number }[]
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)'])

function locate(frame: CallFrame): { location: string; area: string } {
  const url = frame.url.replace(/^file:\/\//, '')
  if (SPECIAL.has(frame.functionName) && !url) return { location: '', area: frame.functionName }
  if (!url) return { location: '(native)', area: 'V8 builtins / native' }
  if (url.startsWith('node:')) return { location: `${url}:${frame.lineNumber + 1}`, area: 'node internals' }
  const rel = url.startsWith(`${REPO_ROOT}/`) ? url.slice(REPO_ROOT.length + 1) : url
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(rel)
  if (nm) return { location: `${nm[1]}/${nm[2]}:${frame.lineNumber + 1}`, area: `npm:${nm[1]}` }
  const dir = rel.split('/').slice(0, -1).join('/')
  return { location: `${rel}:${frame.lineNumber + 1}`, area: dir || rel }
}

/** Every .cpuprofile under `path` (a file or a directory). */
export function profileFiles(path: string): string[] {
  if (statSync(path).isFile()) return [path]
  return readdirSync(path)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(path, f))
    .sort()
}

export function summarizeProfiles(paths: string[]): ProfileSummary {
  const functions = new Map<string, FunctionTime>()
  const areas = new Map<string, number>()
  let wallMs = 0
  let idleMs = 0
  for (const path of paths) {
    const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile
    const byId = new Map<number, ProfileNode>()
    const parent = new Map<number, number>()
    for (const node of profile.nodes) {
      byId.set(node.id, node)
      for (const child of node.children ?? []) parent.set(child, node.id)
    }
    const keyOf = new Map<number, FunctionTime>()
    const entryFor = (node: ProfileNode): FunctionTime => {
      let entry = keyOf.get(node.id)
      if (entry) return entry
      const { location, area } = locate(node.callFrame)
      const name = node.callFrame.functionName || '(anonymous)'
      const key = `${name}\u0000${location}`
      entry = functions.get(key)
      if (!entry) {
        entry = { name, location, area, selfMs: 0, totalMs: 0 }
        functions.set(key, entry)
      }
      keyOf.set(node.id, entry)
      return entry
    }
    const { samples, timeDeltas } = profile
    wallMs += (profile.endTime - profile.startTime) / 1000
    for (let i = 0; i < samples.length; i++) {
      // A sample's stack holds from its own timestamp to the next sample's.
      const ms = (timeDeltas[i + 1] ?? 0) / 1000
      const leaf = byId.get(samples[i] as number)
      if (!leaf || ms <= 0) continue
      const self = entryFor(leaf)
      self.selfMs += ms
      if (self.name === '(idle)') idleMs += ms
      areas.set(self.area, (areas.get(self.area) ?? 0) + ms)
      const seen = new Set<FunctionTime>()
      for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
        const node = byId.get(id)
        if (!node) break
        const entry = entryFor(node)
        if (seen.has(entry)) continue
        seen.add(entry)
        entry.totalMs += ms
      }
    }
  }
  return {
    files: paths,
    wallMs,
    idleMs,
    busyMs: wallMs - idleMs,
    functions: [...functions.values()].filter((f) => f.name !== '(root)').sort((a, b) => b.selfMs - a.selfMs),
    areas: [...areas.entries()].map(([area, selfMs]) => ({ area, selfMs })).sort((a, b) => b.selfMs - a.selfMs),
  }
}

const pct = (part: number, whole: number): string => `${((100 * part) / whole).toFixed(1)}%`

/** A plain-text report: top `top` functions by self time, by total time, and self time per area. */
export function formatSummary(summary: ProfileSummary, top = 15): string {
  const busy = summary.busyMs
  const lines: string[] = []
  lines.push(
    `profile: ${summary.files.length} file(s), ${(summary.wallMs / 1000).toFixed(1)} s recorded, ${(busy / 1000).toFixed(1)} s on CPU (idle ${(summary.idleMs / 1000).toFixed(1)} s); percentages are of on-CPU time`,
  )
  lines.push('', `top ${top} functions by self time:`)
  const busyFunctions = summary.functions.filter((f) => f.name !== '(idle)')
  busyFunctions.slice(0, top).forEach((f, i) => {
    lines.push(
      `${String(i + 1).padStart(3)}. ${f.selfMs.toFixed(0).padStart(7)} ms ${pct(f.selfMs, busy).padStart(6)}  ${f.name}  ${f.location}  [${f.area}]`,
    )
  })
  lines.push('', `top ${top} functions by total (inclusive) time:`)
  ;[...busyFunctions]
    .filter((f) => !f.name.startsWith('('))
    .sort((a, b) => b.totalMs - a.totalMs)
    .slice(0, top)
    .forEach((f, i) => {
      lines.push(
        `${String(i + 1).padStart(3)}. ${f.totalMs.toFixed(0).padStart(7)} ms ${pct(f.totalMs, busy).padStart(6)}  ${f.name}  ${f.location}`,
      )
    })
  lines.push('', 'self time by area:')
  for (const a of summary.areas.filter((x) => x.area !== '(idle)').slice(0, top)) {
    lines.push(`  ${a.selfMs.toFixed(0).padStart(7)} ms ${pct(a.selfMs, busy).padStart(6)}  ${a.area}`)
  }
  return lines.join('\n')
}
