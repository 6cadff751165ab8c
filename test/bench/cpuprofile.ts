// Summarise V8 .cpuprofile files (node --cpu-prof): self and total time per function, the caller each
// function's self time mostly came from, and self time per package or source directory. Used by
// `ingest.ts --profile DIR` and by profile-summary.ts.
//
// tsx compiles TypeScript with esbuild (minifyWhitespace, keepNames), so V8 sees each source file as one
// line and arrow functions as anonymous. The resolver below compiles the file again with the same options
// and maps positions back through esbuild's source map to the original line, and names an anonymous
// function after the declaration on that line.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT } from './support'

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
  columnNumber: number
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
  /** The caller that most of the self time came through ("name location"). */
  topCaller: string
  /** For library and native code: the nearest repository functions up the stack, with their share of the self time. */
  repoCallers: { caller: string; ms: number }[]
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

/**
 * A span of time on CLOCK_MONOTONIC in microseconds: V8 stamps profile samples with that clock, as
 * `process.hrtime` reads it, so another process can say which samples belong to a phase.
 */
export interface TimeWindow {
  startUs: number
  endUs: number
}

export const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n)

/** Phases of a benchmark run, written next to the profiles as phases.json. */
export type Phases = Record<string, TimeWindow>

/** Every .cpuprofile under `path` (a file or a directory). */
export function profileFiles(path: string): string[] {
  if (statSync(path).isFile()) return [path]
  return readdirSync(path)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(path, f))
    .sort()
}

/**
 * Node names profiles CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0 is the main thread
 * (with `--import tsx` thread 1 is the module-loader thread). All files when none match.
 */
export function mainThreadFiles(files: string[]): string[] {
  const main = files.filter((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f))
  return main.length > 0 ? main : files
}

// ---------------------------------------------------------------- source positions

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/** Decodes source-map `mappings`: per generated line, [generated column, original line] sorted by column. */
function decodeMappings(mappings: string): [number, number][][] {
  const lines: [number, number][][] = []
  let origLine = 0
  for (const line of mappings.split(';')) {
    const segments: [number, number][] = []
    let genCol = 0
    for (const segment of line.split(',')) {
      if (!segment) continue
      const values: number[] = []
      let value = 0
      let shift = 0
      for (const ch of segment) {
        const digit = B64.indexOf(ch)
        value += (digit & 31) << shift
        if (digit & 32) shift += 5
        else {
          values.push(value & 1 ? -(value >>> 1) : value >>> 1)
          value = 0
          shift = 0
        }
      }
      genCol += values[0] ?? 0
      if (values.length >= 4) {
        origLine += values[2] ?? 0
        segments.push([genCol, origLine])
      }
    }
    lines.push(segments)
  }
  return lines
}

interface CompiledFile {
  generated: string[]
  source: string[]
  mappings: [number, number][][]
}

export type SourceResolver = (url: string, line: number, column: number) => { line: number; declaration: string | null } | null

/** Maps tsx-compiled positions back to TypeScript lines; null when esbuild cannot be loaded. */
export async function createSourceResolver(): Promise<SourceResolver | null> {
  let esbuild: typeof import('esbuild')
  try {
    esbuild = await import('esbuild')
  } catch {
    return null
  }
  const cache = new Map<string, CompiledFile | null>()
  const compiled = (path: string): CompiledFile | null => {
    if (cache.has(path)) return cache.get(path) ?? null
    let out: CompiledFile | null = null
    try {
      const text = readFileSync(path, 'utf8')
      // tsx's options (tsx 4: target the running node, source map, minifyWhitespace, keepNames).
      const result = esbuild.transformSync(text, {
        loader: 'ts',
        format: 'esm',
        target: `node${process.versions.node}`,
        sourcemap: 'external',
        minifyWhitespace: true,
        keepNames: true,
        sourcefile: path,
      })
      const map = JSON.parse(result.map) as { mappings: string }
      out = { generated: result.code.split('\n'), source: text.split('\n'), mappings: decodeMappings(map.mappings) }
    } catch {
      out = null
    }
    cache.set(path, out)
    return out
  }
  return (url, line, column) => {
    if (!url.endsWith('.ts')) return null
    const file = compiled(url)
    const segments = file?.mappings[line]
    if (!file || !segments || segments.length === 0) return null
    let lo = 0
    let hi = segments.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if ((segments[mid]?.[0] ?? 0) <= column) lo = mid
      else hi = mid - 1
    }
    const origLine = segments[lo]?.[1] ?? 0
    const text = file.source[origLine] ?? ''
    const callback = /\.(map|forEach|filter|find|reduce|some|every|flatMap|execute)\(/.exec(text)?.[1]
    const declaration =
      /(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*[:=]/.exec(text)?.[1] ??
      /(?:function\s+|async\s+)([A-Za-z_$][\w$]*)\s*[(<]/.exec(text)?.[1] ??
      (callback ? `.${callback}(…) callback` : null)
    return { line: origLine + 1, declaration }
  }
}

// ---------------------------------------------------------------- summary

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)'])

interface Located {
  name: string
  location: string
  area: string
}

function locate(frame: CallFrame, resolve: SourceResolver | null): Located {
  const url = frame.url.replace(/^file:\/\//, '')
  let name = frame.functionName || '(anonymous)'
  if (SPECIAL.has(frame.functionName) && !url) return { name, location: '', area: frame.functionName }
  if (!url) {
    // Code from `new Function` (compiled validators and serializers) has a line; builtins do not.
    return frame.lineNumber >= 0
      ? { name, location: '(generated code)', area: 'generated code' }
      : { name, location: '(native)', area: 'V8 builtins / native' }
  }
  if (url.startsWith('node:')) return { name, location: `${url}:${frame.lineNumber + 1}`, area: 'node internals' }
  const rel = url.startsWith(`${REPO_ROOT}/`) ? url.slice(REPO_ROOT.length + 1) : url
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(rel)
  if (nm) return { name, location: `${nm[1]}/${nm[2]}:${frame.lineNumber + 1}`, area: `npm:${nm[1]}` }
  const mapped = resolve?.(url, frame.lineNumber, frame.columnNumber) ?? null
  if (mapped && name === '(anonymous)' && mapped.declaration) name = `(anonymous: ${mapped.declaration})`
  const dir = rel.split('/').slice(0, -1).join('/')
  return { name, location: `${rel}:${mapped ? mapped.line : `${frame.lineNumber + 1}:${frame.columnNumber + 1}`}`, area: dir || rel }
}

export function summarizeProfiles(paths: string[], window?: TimeWindow, resolve: SourceResolver | null = null): ProfileSummary {
  interface Entry extends FunctionTime {
    callers: Map<string, number>
    repo: Map<string, number>
    inRepo: boolean
  }
  const functions = new Map<string, Entry>()
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
    const entryOf = new Map<number, Entry>()
    const entryFor = (node: ProfileNode): Entry => {
      let entry = entryOf.get(node.id)
      if (entry) return entry
      const { name, location, area } = locate(node.callFrame, resolve)
      const key = `${name}\u0000${location}`
      entry = functions.get(key)
      if (!entry) {
        const inRepo = !location.startsWith('(') && !location.startsWith('node:') && !area.startsWith('npm:') && location !== ''
        entry = { name, location, area, selfMs: 0, totalMs: 0, topCaller: '', repoCallers: [], callers: new Map(), repo: new Map(), inRepo }
        functions.set(key, entry)
      }
      entryOf.set(node.id, entry)
      return entry
    }
    const { samples, timeDeltas } = profile
    const from = Math.max(profile.startTime, window?.startUs ?? Number.NEGATIVE_INFINITY)
    const to = Math.min(profile.endTime, window?.endUs ?? Number.POSITIVE_INFINITY)
    if (to > from) wallMs += (to - from) / 1000
    let at = profile.startTime
    for (let i = 0; i < samples.length; i++) {
      at += timeDeltas[i] ?? 0
      if (at < from || at >= to) continue
      // A sample's stack holds from its own timestamp to the next sample's.
      const ms = (timeDeltas[i + 1] ?? 0) / 1000
      const leaf = byId.get(samples[i] as number)
      if (!leaf || ms <= 0) continue
      const self = entryFor(leaf)
      self.selfMs += ms
      if (self.name === '(idle)') idleMs += ms
      const callerId = parent.get(leaf.id)
      const callerNode = callerId === undefined ? undefined : byId.get(callerId)
      if (callerNode) {
        const caller = entryFor(callerNode)
        const key = `${caller.name} ${caller.location}`
        self.callers.set(key, (self.callers.get(key) ?? 0) + ms)
      }
      areas.set(self.area, (areas.get(self.area) ?? 0) + ms)
      const seen = new Set<Entry>()
      let repoCaller: Entry | null = null
      for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
        const node = byId.get(id)
        if (!node) break
        const entry = entryFor(node)
        if (!repoCaller && entry.inRepo && entry !== self) repoCaller = entry
        if (seen.has(entry)) continue
        seen.add(entry)
        entry.totalMs += ms
      }
      if (!self.inRepo) {
        const key = repoCaller ? `${repoCaller.name} ${repoCaller.location}` : '(no repository code on the stack)'
        self.repo.set(key, (self.repo.get(key) ?? 0) + ms)
      }
    }
  }
  const list = [...functions.values()].filter((f) => f.name !== '(root)')
  for (const f of list) {
    f.topCaller = [...f.callers.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? ''
    f.repoCallers = [...f.repo.entries()].map(([caller, ms]) => ({ caller, ms })).sort((a, b) => b.ms - a.ms)
  }
  return {
    files: paths,
    wallMs,
    idleMs,
    busyMs: wallMs - idleMs,
    functions: list.map(({ callers: _c, repo: _r, inRepo: _i, ...f }) => f).sort((a, b) => b.selfMs - a.selfMs),
    areas: [...areas.entries()].map(([area, selfMs]) => ({ area, selfMs })).sort((a, b) => b.selfMs - a.selfMs),
  }
}

const pct = (part: number, whole: number): string => `${((100 * part) / whole).toFixed(1)}%`

/** A plain-text report: top `top` functions by self time, by total time, and self time per area. */
export function formatSummary(summary: ProfileSummary, top = 15, title = 'profile'): string {
  const busy = summary.busyMs
  const lines: string[] = []
  lines.push(
    `${title}: ${summary.files.length} file(s), ${(summary.wallMs / 1000).toFixed(1)} s recorded, ${(busy / 1000).toFixed(1)} s on CPU (idle ${(summary.idleMs / 1000).toFixed(1)} s); percentages are of on-CPU time`,
  )
  lines.push('', `top ${top} functions by self time (native work such as JSON.parse or a SQLite step counts to its JS caller):`)
  const busyFunctions = summary.functions.filter((f) => f.name !== '(idle)')
  busyFunctions.slice(0, top).forEach((f, i) => {
    lines.push(
      `${String(i + 1).padStart(3)}. ${f.selfMs.toFixed(0).padStart(7)} ms ${pct(f.selfMs, busy).padStart(6)}  ${f.name}  ${f.location}  [${f.area}]${f.topCaller ? `  <- ${f.topCaller}` : ''}`,
    )
    // Library and native time, split by the repository code that led to it.
    for (const r of f.repoCallers.filter((x) => x.ms >= f.selfMs * 0.05).slice(0, 4)) {
      lines.push(`${' '.repeat(21)}${pct(r.ms, f.selfMs).padStart(6)} of it under ${r.caller}`)
    }
  })
  lines.push('', `top ${top} functions by total (inclusive) time:`)
  ;[...busyFunctions]
    .filter((f) => !f.name.startsWith('(') || f.name.startsWith('(anonymous'))
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
