import type { AcceleratorRequest, AssignmentState, WorkloadExplain, WorkloadSpec, WorkloadState } from '@suanpan/control-plane/schemas'

// The console imports only types from the contract, so the lists it needs at run time are copied here;
// each fails to compile when the contract gains a value the copy lacks.
type Exhaustive<T extends never> = T

/** Workload states in their life-cycle order (mirrors WORKLOAD_STATES). */
export const WORKLOAD_STATES = [
  'pending',
  'placed',
  'running',
  'succeeded',
  'failed',
  'rejected',
  'cancelled',
] as const satisfies readonly WorkloadState[]
export type WorkloadStatesCovered = Exhaustive<Exclude<WorkloadState, (typeof WORKLOAD_STATES)[number]>>

/** One cluster's share of a workload (mirrors ASSIGNMENT_STATES). */
export const ASSIGNMENT_STATES = [
  'assigned',
  'applied',
  'running',
  'succeeded',
  'failed',
  'withdrawn',
] as const satisfies readonly AssignmentState[]
export type AssignmentStatesCovered = Exhaustive<Exclude<AssignmentState, (typeof ASSIGNMENT_STATES)[number]>>

export type AcceleratorKind = AcceleratorRequest['kind']
/** Accelerator kinds the scheduler places (mirrors SCHEDULABLE_KINDS). */
export const SCHEDULABLE_KINDS = ['GPU', 'NPU', 'DCU', 'XPU'] as const satisfies readonly AcceleratorKind[]
export type SchedulableKindsCovered = Exhaustive<Exclude<AcceleratorKind, (typeof SCHEDULABLE_KINDS)[number]>>

export type Explanation = NonNullable<WorkloadExplain['explanation']>
export type Candidate = Explanation['top'][number]
export type Plugin = keyof NonNullable<Explanation['weights']>
export type FilterReason = keyof Explanation['filtered']

/** The scoring plugins, in the engine's order (mirrors PLUGINS). */
export const PLUGINS = ['green', 'carbon', 'pue', 'balance', 'headroom', 'locality', 'domestic'] as const satisfies readonly Plugin[]
export type PluginsCovered = Exhaustive<Exclude<Plugin, (typeof PLUGINS)[number]>>

/** A colour per plugin (each at least 3:1 on white, neighbours distinct): green for green power, grey for carbon … */
export const PLUGIN_COLOURS: Readonly<Record<Plugin, string>> = {
  green: '#2f7d32',
  carbon: '#595959',
  pue: '#0072b2',
  balance: '#7a5c00',
  headroom: '#6a3d9a',
  locality: '#d55e00',
  domestic: '#c2185b',
}

/** The filters, in the order the engine applies them (mirrors FILTER_REASONS). */
export const FILTER_REASONS = ['residency', 'capability', 'health', 'capacity', 'nodeFit'] as const satisfies readonly FilterReason[]
export type FilterReasonsCovered = Exhaustive<Exclude<FilterReason, (typeof FILTER_REASONS)[number]>>

/** States a workload can still be cancelled in. */
export const ACTIVE_STATES: readonly WorkloadState[] = ['pending', 'placed', 'running']

export function isWorkloadState(value: string | null | undefined): value is WorkloadState {
  return (WORKLOAD_STATES as readonly string[]).includes(value ?? '')
}

export type PlacementModeName = 'gang' | 'divisible' | 'duplicated'

/** The submit form's values: the common fields of a workload spec, in the units people think in. */
export interface SubmitValues {
  name: string
  department: string
  /** `national` or a province code. */
  region: string
  priority: number | null
  replicas: number | null
  cpuCores: number | null
  memoryGiB: number | null
  /** `none`: CPU only. */
  accKind: AcceleratorKind | 'none'
  accModel: string
  accMinFp16: number | null
  accCount: number | null
  mode: PlacementModeName
  minPerCluster: number | null
  duplicatedClusters: number | null
  residencyProvinces: string[]
  residencyHubs: string[]
  dataProvince: string | null
  transferPenalty: number | null
  prefGreen: number
  prefCost: number
  prefLatency: number
  prefDomestic: number
  /** Beijing wall-clock `YYYY-MM-DDTHH:mm` (a datetime-local value) or empty. */
  startAfter: string
  deadline: string
  /** The Kubernetes object as JSON text. */
  template: string
}

export type SubmitField = keyof SubmitValues

/** A problem with one field of the spec: found in the browser, or named by the API's 400 (`/replicas`). */
export interface SpecProblem {
  /** JSON pointer into the spec, as the API names it. */
  path: string
  message: string
  /** Whether the console found it (the message is then already in the page's language). */
  local?: boolean
}

/** A Job the agents can apply as is; its container asks for what the default form values reserve. */
export const DEFAULT_TEMPLATE = JSON.stringify(
  {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'llm-finetune', labels: { app: 'llm-finetune' } },
    spec: {
      backoffLimit: 2,
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'main',
              image: 'registry.local/ai/llm-finetune:1.0',
              command: ['python', 'train.py'],
              resources: {
                requests: { cpu: '8', memory: '64Gi' },
                limits: { 'nvidia.com/gpu': 1 },
              },
            },
          ],
        },
      },
    },
  },
  null,
  2,
)

export const DEFAULT_VALUES: SubmitValues = {
  name: '',
  department: '',
  region: 'national',
  priority: 0,
  replicas: 1,
  cpuCores: 8,
  memoryGiB: 64,
  accKind: 'GPU',
  accModel: '',
  accMinFp16: null,
  accCount: 1,
  mode: 'gang',
  minPerCluster: null,
  duplicatedClusters: 2,
  residencyProvinces: [],
  residencyHubs: [],
  dataProvince: null,
  transferPenalty: 0.5,
  prefGreen: 1,
  prefCost: 1,
  prefLatency: 1,
  prefDomestic: 1,
  startAfter: '',
  deadline: '',
  template: DEFAULT_TEMPLATE,
}

/** Beijing wall-clock `YYYY-MM-DDTHH:mm[:ss]` as an ISO time with its +08:00 offset; undefined when blank or malformed. */
export function beijingLocalToIso(local: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(local)) return undefined
  return `${local.length === 16 ? `${local}:00` : local}+08:00`
}

export interface SpecMessages {
  required: string
  invalidJson: (message: string) => string
  notObject: string
  invalidTime: string
}

/**
 * The workload spec for the form's values, or the problems the browser can see itself: a template that is not
 * a JSON object, a required number left blank, a time that does not parse. Everything else (ranges, lengths,
 * the template's kind) is left to the API, whose 400 names the field.
 */
export function buildSpec(
  v: SubmitValues,
  m: SpecMessages,
): { spec: WorkloadSpec; problems: [] } | { spec: null; problems: SpecProblem[] } {
  const problems: SpecProblem[] = []
  const need = (value: number | null | undefined, path: string): number => {
    if (value === null || value === undefined || !Number.isFinite(value)) {
      problems.push({ path, message: m.required, local: true })
      return 0
    }
    return value
  }
  const priority = need(v.priority, '/priority')
  const replicas = need(v.replicas, '/replicas')
  const cpuCores = need(v.cpuCores, '/resources/cpuMillis')
  const memoryGiB = need(v.memoryGiB, '/resources/memoryBytes')
  const count = v.accKind === 'none' ? 0 : need(v.accCount, '/resources/accelerators/count')
  const duplicated = v.mode === 'duplicated' ? need(v.duplicatedClusters, '/placement/clusters') : 0

  let template: unknown = null
  try {
    template = JSON.parse(v.template)
    if (typeof template !== 'object' || template === null || Array.isArray(template)) {
      problems.push({ path: '/template', message: m.notObject, local: true })
    }
  } catch (error) {
    problems.push({ path: '/template', message: m.invalidJson(error instanceof Error ? error.message : String(error)), local: true })
  }

  const startAfter = v.startAfter ? beijingLocalToIso(v.startAfter) : undefined
  if (v.startAfter && !startAfter) problems.push({ path: '/startAfter', message: m.invalidTime, local: true })
  const deadline = v.deadline ? beijingLocalToIso(v.deadline) : undefined
  if (v.deadline && !deadline) problems.push({ path: '/deadline', message: m.invalidTime, local: true })
  if (problems.length > 0) return { spec: null, problems }

  const accelerators: AcceleratorRequest | undefined =
    v.accKind === 'none'
      ? undefined
      : {
          kind: v.accKind,
          count,
          ...(v.accModel.trim() ? { model: v.accModel.trim() } : {}),
          ...(v.accMinFp16 !== null && v.accMinFp16 !== undefined ? { minFp16Tflops: v.accMinFp16 } : {}),
        }
  const placement: WorkloadSpec['placement'] =
    v.mode === 'gang'
      ? { mode: 'gang' }
      : v.mode === 'divisible'
        ? { mode: 'divisible', ...(v.minPerCluster !== null && v.minPerCluster !== undefined ? { minPerCluster: v.minPerCluster } : {}) }
        : { mode: 'duplicated', clusters: duplicated }
  const provinces = v.residencyProvinces ?? []
  const hubs = v.residencyHubs ?? []
  const preferences = { green: v.prefGreen, cost: v.prefCost, latency: v.prefLatency, domestic: v.prefDomestic }
  const spec = {
    ...(v.name.trim() ? { name: v.name.trim() } : {}),
    // Sent as typed (blank too): the API says what is wrong with it.
    owner: { department: v.department.trim(), region: v.region },
    priority,
    replicas,
    resources: {
      cpuMillis: Math.round(cpuCores * 1000),
      memoryBytes: Math.round(memoryGiB * 1024 ** 3),
      ...(accelerators ? { accelerators } : {}),
    },
    placement,
    ...(provinces.length + hubs.length > 0
      ? { residency: { ...(provinces.length ? { provinces } : {}), ...(hubs.length ? { hubs } : {}) } }
      : {}),
    ...(v.dataProvince ? { dataLocation: { province: v.dataProvince, transferPenalty: v.transferPenalty ?? 0.5 } } : {}),
    // Only weights the owner moved off the default are sent.
    ...(Object.values(preferences).some((x) => x !== 1) ? { preferences } : {}),
    ...(startAfter ? { startAfter } : {}),
    ...(deadline ? { deadline } : {}),
    template,
  } as WorkloadSpec
  return { spec, problems: [] }
}

/** The form field that holds a spec path (`/resources/accelerators/count` → accCount); most specific first. */
const FIELD_OF_PATH: readonly (readonly [string, SubmitField])[] = [
  ['/name', 'name'],
  ['/owner/department', 'department'],
  ['/owner/region', 'region'],
  ['/owner', 'department'],
  ['/priority', 'priority'],
  ['/replicas', 'replicas'],
  ['/resources/cpuMillis', 'cpuCores'],
  ['/resources/memoryBytes', 'memoryGiB'],
  ['/resources/accelerators/model', 'accModel'],
  ['/resources/accelerators/minFp16Tflops', 'accMinFp16'],
  ['/resources/accelerators/count', 'accCount'],
  ['/resources/accelerators', 'accKind'],
  ['/resources', 'cpuCores'],
  ['/placement/minPerCluster', 'minPerCluster'],
  ['/placement/clusters', 'duplicatedClusters'],
  ['/placement', 'mode'],
  ['/residency/provinces', 'residencyProvinces'],
  ['/residency/hubs', 'residencyHubs'],
  ['/residency', 'residencyProvinces'],
  ['/dataLocation/transferPenalty', 'transferPenalty'],
  ['/dataLocation', 'dataProvince'],
  ['/preferences/green', 'prefGreen'],
  ['/preferences/cost', 'prefCost'],
  ['/preferences/latency', 'prefLatency'],
  ['/preferences/domestic', 'prefDomestic'],
  ['/preferences', 'prefGreen'],
  ['/startAfter', 'startAfter'],
  ['/deadline', 'deadline'],
  ['/template', 'template'],
]

export function fieldOfPath(path: string): SubmitField | null {
  for (const [prefix, field] of FIELD_OF_PATH) if (path === prefix || path.startsWith(`${prefix}/`)) return field
  return null
}

/** The problems grouped by the form field they belong to (problems no field holds are left out). */
export function problemsByField(problems: readonly SpecProblem[]): Map<SubmitField, string[]> {
  const out = new Map<SubmitField, string[]>()
  for (const p of problems) {
    const field = fieldOfPath(p.path)
    if (!field) continue
    const list = out.get(field) ?? []
    if (!list.includes(p.message)) list.push(p.message)
    out.set(field, list)
  }
  return out
}

/** The model of a ledger row key `kind|vendor|model|arch`. */
export function modelOfClassKey(classKey: string | null): string | null {
  if (!classKey) return null
  return classKey.split('|')[2] || classKey
}

/**
 * What each plugin adds to a candidate's score: the score is the weighted mean of the plugin scores, so
 * weight × plugin score ÷ the sum of the weights, summed over the plugins, is the score.
 */
export function contributions(candidate: Candidate, weights: Explanation['weights']): Record<Plugin, number> | null {
  if (!candidate.plugins || !weights) return null
  const plugins = candidate.plugins
  const total = PLUGINS.reduce((s, p) => s + weights[p], 0)
  if (total <= 0) return null
  return Object.fromEntries(PLUGINS.map((p) => [p, (weights[p] * plugins[p]) / total])) as Record<Plugin, number>
}
