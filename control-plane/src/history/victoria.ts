import type { LedgerCluster } from '../ledger/view'
import { HISTORY_DIMENSIONS, type HistoryDimension, type HistoryQuery, type HistoryResponse, type HistorySeries } from '../schemas'
import type { HistorySample } from './sample'
import { DEFAULT_SERIES_LIMIT, filtersOf, historyWindow, parseHistoryGroupBy } from './store'

/** Per-cluster sums pushed for every sample; ratios are formed after summing, as the store does. */
const MEASURES = {
  cpu_alloc_millis: (s: HistorySample['samples'][number]) => s.cpu_alloc_millis,
  cpu_req_millis: (s: HistorySample['samples'][number]) => s.cpu_req_millis,
  cpu_used_millis: (s: HistorySample['samples'][number]) => s.cpu_used_millis,
  cpu_used_alloc_millis: (s: HistorySample['samples'][number]) => s.cpu_used_alloc_millis,
  mem_alloc_bytes: (s: HistorySample['samples'][number]) => s.mem_alloc_bytes,
  mem_req_bytes: (s: HistorySample['samples'][number]) => s.mem_req_bytes,
  acc_in_use: (s: HistorySample['samples'][number]) => s.acc_in_use,
  acc_in_use_alloc: (s: HistorySample['samples'][number]) => s.acc_in_use_alloc,
  it_power_kw: (s: HistorySample['samples'][number]) => s.it_power_kw,
  facility_power_kw: (s: HistorySample['samples'][number]) => (s.it_power_kw === null ? null : s.it_power_kw * (s.pue ?? 1)),
  green_it_kw: (s: HistorySample['samples'][number]) => (s.green_share === null ? null : s.it_power_kw),
  green_kw: (s: HistorySample['samples'][number]) =>
    s.green_share === null || s.it_power_kw === null ? null : s.it_power_kw * s.green_share,
  carbon_it_kw: (s: HistorySample['samples'][number]) => (s.carbon_intensity === null ? null : s.it_power_kw),
  carbon_kg_per_h: (s: HistorySample['samples'][number]) =>
    s.carbon_intensity === null || s.it_power_kw === null ? null : s.it_power_kw * s.carbon_intensity,
} as const
type Measure = keyof typeof MEASURES
const PREFIX = 'suanpan_history_'
const LABEL: Record<HistoryDimension, string> = {
  province: 'province',
  city: 'city',
  hub: 'hub',
  level: 'level',
  platform: 'platform',
  site: 'site',
  cluster: 'cluster',
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

interface PromMatrix {
  status: string
  data?: { resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] }
  error?: string
}

/**
 * History in VictoriaMetrics (`VM_URL`): every sample is also imported there with the cluster's
 * location as labels, and `/api/v1/history` is answered with `query_range` — the same shape and
 * arithmetic as the store's answer, at VictoriaMetrics' speed and retention.
 */
export class VictoriaHistory {
  private readonly base: string

  constructor(
    url: string,
    private readonly sampleStepSeconds: number,
    private readonly timeoutMs = 10_000,
  ) {
    this.base = url.replace(/\/$/, '')
  }

  /** Prometheus text exposition with millisecond timestamps, one line per (cluster, measure). */
  static exposition(sample: HistorySample, lookup: (id: string) => LedgerCluster | undefined): string {
    const lines: string[] = []
    for (const s of sample.samples) {
      const c = lookup(s.cluster_id)
      const labels = [
        `cluster="${escapeLabel(s.cluster_id)}"`,
        ...(c
          ? [
              `province="${escapeLabel(c.province)}"`,
              `city="${escapeLabel(c.city)}"`,
              `hub="${escapeLabel(c.hub ?? '')}"`,
              `level="${escapeLabel(c.level)}"`,
              `platform="${escapeLabel(c.platform)}"`,
              `site="${escapeLabel(c.site)}"`,
            ]
          : []),
      ].join(',')
      for (const [name, value] of Object.entries(MEASURES) as [Measure, (typeof MEASURES)[Measure]][]) {
        const v = value(s)
        if (v === null || !Number.isFinite(v)) continue
        lines.push(`${PREFIX}${name}{${labels}} ${v} ${s.ts}`)
      }
    }
    return lines.length > 0 ? `${lines.join('\n')}\n` : ''
  }

  private async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(`${this.base}${path}`, { ...init, signal: AbortSignal.timeout(this.timeoutMs) })
    if (!res.ok) throw new Error(`VictoriaMetrics ${path.split('?')[0]} answered ${res.status}: ${(await res.text()).slice(0, 200)}`)
    return res
  }

  async push(sample: HistorySample, lookup: (id: string) => LedgerCluster | undefined): Promise<void> {
    const body = VictoriaHistory.exposition(sample, lookup)
    if (body === '') return
    await this.fetch('/api/v1/import/prometheus', { method: 'POST', body, headers: { 'content-type': 'text/plain' } })
  }

  /** Make imported samples visible to queries at once (tests, and right after a backfill). */
  async flush(): Promise<void> {
    await this.fetch('/internal/force_flush')
  }

  async series(query: HistoryQuery, now: number): Promise<HistoryResponse> {
    const groupBy = parseHistoryGroupBy(query.groupBy)
    const w = historyWindow(query, now, this.sampleStepSeconds)
    const filters = filtersOf(query)
    const selector = HISTORY_DIMENSIONS.flatMap((d) => {
      const values = filters[d]
      return values ? [`${LABEL[d]}=~"${escapeLabel(values.map(escapeRegex).join('|'))}"`] : []
    }).join(',')
    const by = groupBy ? ` by (${LABEL[groupBy]})` : ''
    const stepS = w.step / 1000
    const points = Math.ceil((w.to - w.from) / w.step)
    // Evaluated at the end of each bucket, looking back one step: the window holds exactly the samples
    // whose timestamps fall in [bucket start, bucket end), the store's bucket.
    const start = (w.from + w.step - 1000) / 1000
    const end = start + (points - 1) * stepS
    const range = async (expr: string) => {
      const params = new URLSearchParams({ query: expr, start: String(start), end: String(end), step: `${stepS}s` })
      const body = (await (await this.fetch(`/api/v1/query_range?${params}`)).json()) as PromMatrix
      if (body.status !== 'success' || !body.data) throw new Error(`VictoriaMetrics query failed: ${body.error ?? body.status}`)
      const out = new Map<string, (number | null)[]>()
      for (const r of body.data.result) {
        const key = groupBy ? (r.metric[LABEL[groupBy]] ?? '') : ''
        const values = new Array<number | null>(points).fill(null)
        for (const [t, v] of r.values) {
          const i = Math.round((t - start) / stepS)
          if (i >= 0 && i < points) values[i] = Number(v)
        }
        out.set(key, values)
      }
      return out
    }
    const window = `${stepS}s`
    const sumOf = (m: Measure) => range(`sum${by}(sum_over_time(${PREFIX}${m}{${selector}}[${window}]))`)
    const names = Object.keys(MEASURES) as Measure[]
    const [sums, counts, clusters] = await Promise.all([
      Promise.all(names.map(sumOf)),
      // Samples per series in the bucket: power is a mean over them, as in the store.
      range(`max${by}(count_over_time(${PREFIX}cpu_alloc_millis{${selector}}[${window}]))`),
      range(`count${by}(count_over_time(${PREFIX}cpu_alloc_millis{${selector}}[${window}]))`),
    ])
    const get = (m: Measure) => sums[names.indexOf(m)] ?? new Map<string, (number | null)[]>()
    const ratio = (a: number | null | undefined, b: number | null | undefined) =>
      a === null || a === undefined || b === null || b === undefined || b <= 0 ? null : a / b
    const keys = [...(get('cpu_alloc_millis').keys() ?? [])]
    const series: (HistorySeries & { weight: number })[] = keys.map((key) => {
      const at = (m: Measure, i: number) => get(m).get(key)?.[i] ?? null
      const n = (i: number) => counts.get(key)?.[i] ?? null
      const s: HistorySeries & { weight: number } = {
        key: groupBy ? { [groupBy]: key } : {},
        cpuRequested: [],
        cpuUsed: [],
        memoryRequested: [],
        acceleratorsInUse: [],
        itPowerKw: [],
        pue: [],
        greenShare: [],
        carbonIntensityKgPerKwh: [],
        clusters: [],
        weight: 0,
      }
      for (let i = 0; i < points; i++) {
        const stamps = n(i)
        s.cpuRequested.push(ratio(at('cpu_req_millis', i), at('cpu_alloc_millis', i)))
        s.cpuUsed.push(ratio(at('cpu_used_millis', i), at('cpu_used_alloc_millis', i)))
        s.memoryRequested.push(ratio(at('mem_req_bytes', i), at('mem_alloc_bytes', i)))
        s.acceleratorsInUse.push(ratio(at('acc_in_use', i), at('acc_in_use_alloc', i)))
        const it = at('it_power_kw', i)
        s.itPowerKw.push(it === null || !stamps ? null : it / stamps)
        s.pue.push(ratio(at('facility_power_kw', i), it))
        s.greenShare.push(ratio(at('green_kw', i), at('green_it_kw', i)))
        s.carbonIntensityKgPerKwh.push(ratio(at('carbon_kg_per_h', i), at('carbon_it_kw', i)))
        s.clusters.push(clusters.get(key)?.[i] ?? null)
        const alloc = at('cpu_alloc_millis', i)
        if (alloc !== null && stamps) s.weight += alloc / stamps
      }
      return s
    })
    const limit = query.limit ?? DEFAULT_SERIES_LIMIT
    const key = groupBy ?? ''
    return {
      groupBy,
      from: new Date(w.from).toISOString(),
      to: new Date(w.to).toISOString(),
      step: stepS,
      source: 'victoriametrics',
      t: Array.from({ length: points }, (_, i) => w.from + i * w.step),
      series: series
        .sort((a, b) => b.weight - a.weight || (a.key[key] ?? '').localeCompare(b.key[key] ?? ''))
        .slice(0, limit)
        .map(({ weight: _weight, ...s }) => s),
    }
  }
}
