import type { Census, LedgerGroup } from '../../schemas'
import type { CensusNames } from './labels'

/**
 * A realistic census for the export tests, built the way the ledger sums: a dozen clusters in nine
 * provinces, each with one CPU row and zero or more accelerator rows, grouped into every breakdown so
 * that each breakdown sums to the total. It has domestic and foreign devices, a vGPU, a model name
 * with `<`, `,` and `"`, an unclassified raw resource, devices without a published figure, sites
 * without an energy feed, two stale clusters and one that never reported.
 */

interface FixtureDevice {
  kind: string
  vendor: string
  model: string
  domestic: boolean
  devices: number
  virtual?: boolean
  /** Per device, TFLOPS / TOPS; null: no published figure. */
  fp64: number | null
  fp32: number | null
  fp16: number | null
  int8: number | null
  inUse: number
  confidence: string
  source: string
}

interface FixtureCpu {
  vendor: string
  model: string
  arch: string
  domestic: boolean
  nodes: number
  coresPerNode: number
  memoryGiBPerNode: number
  /** Per node, TFLOPS. */
  fp64: number
  fp32: number
  confidence: string
  source: string
}

interface FixtureCluster {
  id: string
  province: string
  city: string
  hub: string | null
  level: 'national' | 'provincial' | 'ministry'
  site: string
  cpu: FixtureCpu
  accelerators: FixtureDevice[]
  cpuRequested: number
  memoryRequested: number
  cpuUsed: number | null
  storageTb: number
  storageUsedTb: number | null
  energy: { itPowerKw: number; pue: number; greenShare: number | null; carbon: number | null } | null
  fullSequence: number
  usageSequence: number | null
  fullAt: string
  usageAt: string | null
}

const INTEL: FixtureCpu = {
  vendor: 'Intel',
  model: 'Sapphire Rapids',
  arch: 'amd64',
  domestic: false,
  nodes: 0,
  coresPerNode: 112,
  memoryGiBPerNode: 1024,
  fp64: 7.168,
  fp32: 14.336,
  confidence: 'high',
  source: 'Intel Xeon Scalable 4th gen: 2 x AVX-512 FMA per core',
}
const KUNPENG: FixtureCpu = {
  vendor: 'HiSilicon',
  model: 'Kunpeng 920 (TaiShan v110)',
  arch: 'arm64',
  domestic: true,
  nodes: 0,
  coresPerNode: 96,
  memoryGiBPerNode: 512,
  fp64: 1.997,
  fp32: 3.994,
  confidence: 'medium',
  source: 'Huawei Kunpeng 920 product brief',
}
const HYGON: FixtureCpu = {
  vendor: 'Hygon',
  model: 'Dhyana (Hygon C86 7390)',
  arch: 'amd64',
  domestic: true,
  nodes: 0,
  coresPerNode: 64,
  memoryGiBPerNode: 512,
  fp64: 2.56,
  fp32: 5.12,
  confidence: 'uncertain',
  source: 'Zen 1 derivative: 2 x 128-bit FMA per core (recollection)',
}
const GENOA: FixtureCpu = {
  vendor: 'AMD',
  model: 'Zen 4 (Genoa)',
  arch: 'amd64',
  domestic: false,
  nodes: 0,
  coresPerNode: 192,
  memoryGiBPerNode: 1536,
  fp64: 7.68,
  fp32: 15.36,
  confidence: 'uncertain',
  source: 'AVX-512 on 256-bit datapaths',
}

const cpu = (base: FixtureCpu, nodes: number): FixtureCpu => ({ ...base, nodes })

const A100 = {
  kind: 'GPU',
  vendor: 'NVIDIA',
  model: 'A100-SXM4-80GB',
  domestic: false,
  fp64: 9.7,
  fp32: 19.5,
  fp16: 312,
  int8: 624,
  confidence: 'high',
  source: 'glennklockwood.com/garden/processors/A100',
}
const H100 = {
  kind: 'GPU',
  vendor: 'NVIDIA',
  model: 'H100-SXM5-80GB',
  domestic: false,
  fp64: 34,
  fp32: 67,
  fp16: 989,
  int8: 1979,
  confidence: 'high',
  source: 'glennklockwood.com/garden/processors/h100',
}
const A16 = {
  kind: 'GPU',
  vendor: 'NVIDIA',
  model: 'A16-16GB (one of four GPUs on an A16 board)',
  domestic: false,
  fp64: 0.14,
  fp32: 4.5,
  fp16: 17.9,
  int8: 35.9,
  confidence: 'medium',
  source: 'vendor A16 board datasheet figures divided by four GPUs',
}
const T4 = {
  kind: 'GPU',
  vendor: 'NVIDIA',
  model: 'T4-16GB',
  domestic: false,
  fp64: 0.25,
  fp32: 8.1,
  fp16: 65,
  int8: 130,
  confidence: 'high',
  source: 'vendor datasheet reposts',
}
const ASCEND = {
  kind: 'NPU',
  vendor: 'Huawei',
  model: 'Ascend-910B',
  domestic: true,
  fp64: null,
  fp32: null,
  fp16: 300,
  int8: 600,
  confidence: 'uncertain',
  source: '280-320 FP16 TFLOPS depending on SKU (910B1-B4); INT8 assumed 2x FP16',
}
const MLU = {
  kind: 'NPU',
  vendor: 'Cambricon',
  model: 'MLU370-X8',
  domestic: true,
  fp64: null,
  fp32: 32,
  fp16: 96,
  int8: 256,
  confidence: 'medium',
  source: 'vendor launch article 2022-03',
}
/** The escaping case: `<`, `,` and `"` in a model name (a user catalog row). */
export const TRICKY_MODEL = 'DCU-K100-AI <"eng", rev B>'
const K100 = {
  kind: 'DCU',
  vendor: 'Hygon',
  model: TRICKY_MODEL,
  domestic: true,
  fp64: 24.5,
  fp32: 49,
  fp16: 196,
  int8: 392,
  confidence: 'uncertain',
  source: 'user catalog: "engineering sample", figures from the vendor, <unverified>',
}
const R200 = {
  kind: 'XPU',
  vendor: 'Kunlunxin',
  model: 'R200',
  domestic: true,
  fp64: null,
  fp32: 32,
  fp16: 128,
  int8: 256,
  confidence: 'uncertain',
  source: '256 INT8 TOPS sourced; FP32/FP16 from predecessor scaling',
}
/** An unknown device: counted as unclassified under its raw resource name. */
export const UNCLASSIFIED_RESOURCE = 'example.com/npu<v2>,"beta"'
const UNKNOWN = {
  kind: 'unclassified',
  vendor: 'unknown',
  model: UNCLASSIFIED_RESOURCE,
  domestic: false,
  fp64: null,
  fp32: null,
  fp16: null,
  int8: null,
  confidence: 'unknown',
  source: 'not in the device catalog',
}

const dev = (base: Omit<FixtureDevice, 'devices' | 'inUse'>, devices: number, inUse: number, virtual = false): FixtureDevice => ({
  ...base,
  devices,
  inUse,
  virtual,
})

const T0 = Date.parse('2026-12-31T15:50:00Z')
const at = (minutesBefore: number) => new Date(T0 - minutesBefore * 60_000).toISOString()

const CLUSTERS: FixtureCluster[] = [
  {
    id: '110000-bj-gov-01',
    province: '110000',
    city: '北京',
    hub: null,
    level: 'national',
    site: '110000-bj-dc1',
    cpu: cpu(INTEL, 40),
    accelerators: [dev(A100, 80, 0.71)],
    cpuRequested: 0.62,
    memoryRequested: 0.55,
    cpuUsed: 0.41,
    storageTb: 2400,
    storageUsedTb: 1500,
    energy: { itPowerKw: 820, pue: 1.38, greenShare: 0.22, carbon: 0.5703 },
    fullSequence: 88_112,
    usageSequence: 88_115,
    fullAt: at(1.5),
    usageAt: at(0.2),
  },
  {
    id: '110000-bj-ndrc-01',
    province: '110000',
    city: '北京',
    hub: null,
    level: 'ministry',
    site: '110000-bj-dc2',
    cpu: cpu(HYGON, 24),
    accelerators: [dev(K100, 32, 0.5)],
    cpuRequested: 0.48,
    memoryRequested: 0.5,
    cpuUsed: 0.3,
    storageTb: 600,
    storageUsedTb: 410,
    energy: { itPowerKw: 260, pue: 1.42, greenShare: 0.18, carbon: 0.5703 },
    fullSequence: 40_001,
    usageSequence: 40_004,
    fullAt: at(1.2),
    usageAt: at(0.3),
  },
  {
    id: '130700-zjk-gov-01',
    province: '130000',
    city: '张家口',
    hub: 'zhangjiakou',
    level: 'provincial',
    site: '130700-zjk-dc1',
    cpu: cpu(KUNPENG, 60),
    accelerators: [dev(ASCEND, 240, 0.64)],
    cpuRequested: 0.45,
    memoryRequested: 0.4,
    cpuUsed: 0.33,
    storageTb: 3200,
    storageUsedTb: 1900,
    energy: { itPowerKw: 1450, pue: 1.22, greenShare: 0.48, carbon: 0.5703 },
    fullSequence: 120_400,
    usageSequence: 120_402,
    fullAt: at(1.8),
    usageAt: at(0.1),
  },
  {
    id: '130700-zjk-gov-02',
    province: '130000',
    city: '张家口',
    hub: 'zhangjiakou',
    level: 'provincial',
    site: '130700-zjk-dc1',
    cpu: cpu(KUNPENG, 36),
    accelerators: [],
    cpuRequested: 0.12,
    memoryRequested: 0.1,
    cpuUsed: null,
    storageTb: 800,
    storageUsedTb: null,
    energy: null,
    fullSequence: 9_210,
    usageSequence: null,
    fullAt: at(2.4),
    usageAt: null,
  },
  {
    id: '310000-sh-gov-01',
    province: '310000',
    city: '上海',
    hub: 'yrd_demo_zone',
    level: 'provincial',
    site: '310118-qp-dc1',
    cpu: cpu(INTEL, 48),
    accelerators: [dev(H100, 64, 0.88), dev(A16, 6, 0.5, true)],
    cpuRequested: 0.71,
    memoryRequested: 0.66,
    cpuUsed: 0.52,
    storageTb: 2800,
    storageUsedTb: 2100,
    energy: { itPowerKw: 1180, pue: 1.24, greenShare: 0.31, carbon: 0.5703 },
    fullSequence: 77_001,
    usageSequence: 77_003,
    fullAt: at(0.9),
    usageAt: at(0.1),
  },
  {
    id: '440200-sg-gov-01',
    province: '440000',
    city: '韶关',
    hub: 'shaoguan',
    level: 'provincial',
    site: '440200-sg-dc1',
    cpu: cpu(GENOA, 32),
    accelerators: [dev(MLU, 96, 0.52), dev(UNKNOWN, 8, 0)],
    cpuRequested: 0.57,
    memoryRequested: 0.5,
    cpuUsed: 0.44,
    storageTb: 1600,
    storageUsedTb: 700,
    energy: { itPowerKw: 640, pue: 1.27, greenShare: 0.35, carbon: 0.5703 },
    fullSequence: 51_230,
    usageSequence: 51_236,
    fullAt: at(1.1),
    usageAt: at(0.2),
  },
  {
    id: '510100-cd-gov-01',
    province: '510000',
    city: '成都',
    hub: 'tianfu',
    level: 'provincial',
    site: '510100-tf-dc1',
    cpu: cpu(HYGON, 40),
    accelerators: [dev(ASCEND, 128, 0.77)],
    cpuRequested: 0.68,
    memoryRequested: 0.6,
    cpuUsed: 0.5,
    storageTb: 1200,
    storageUsedTb: 800,
    energy: { itPowerKw: 780, pue: 1.21, greenShare: 0.72, carbon: 0.5703 },
    fullSequence: 33_003,
    usageSequence: 33_010,
    fullAt: at(0.7),
    usageAt: at(0.1),
  },
  {
    id: '520000-ga-gov-01',
    province: '520000',
    city: '贵安新区',
    hub: 'guian',
    level: 'provincial',
    site: '520000-ga-dc1',
    cpu: cpu(KUNPENG, 80),
    accelerators: [dev(ASCEND, 320, 0.58), dev(R200, 64, 0.3)],
    cpuRequested: 0.53,
    memoryRequested: 0.47,
    cpuUsed: 0.38,
    storageTb: 4800,
    storageUsedTb: 2600,
    energy: { itPowerKw: 2100, pue: 1.18, greenShare: 0.61, carbon: 0.5703 },
    fullSequence: 150_020,
    usageSequence: 150_022,
    fullAt: at(1.4),
    usageAt: at(0.2),
  },
  {
    id: '150000-hl-gov-01',
    province: '150000',
    city: '呼和浩特',
    hub: 'horinger',
    level: 'provincial',
    site: '150100-hl-dc1',
    cpu: cpu(INTEL, 20),
    accelerators: [dev(A100, 160, 0.09)],
    cpuRequested: 0.08,
    memoryRequested: 0.06,
    cpuUsed: 0.05,
    storageTb: 2000,
    storageUsedTb: 300,
    energy: { itPowerKw: 930, pue: 1.25, greenShare: 0.55, carbon: 0.5703 },
    fullSequence: 64_100,
    usageSequence: 64_104,
    fullAt: at(1.0),
    usageAt: at(0.3),
  },
  {
    id: '620000-qy-gov-01',
    province: '620000',
    city: '庆阳',
    hub: 'qingyang',
    level: 'provincial',
    site: '621000-qy-dc1',
    cpu: cpu(KUNPENG, 30),
    accelerators: [],
    cpuRequested: 0.15,
    memoryRequested: 0.12,
    cpuUsed: null,
    storageTb: 900,
    storageUsedTb: null,
    energy: null,
    fullSequence: 2_040,
    usageSequence: null,
    fullAt: at(2.1),
    usageAt: null,
  },
  {
    id: '640000-zw-gov-01',
    province: '640000',
    city: '中卫',
    hub: 'zhongwei',
    level: 'provincial',
    site: '640500-zw-dc1',
    cpu: cpu(HYGON, 28),
    accelerators: [dev(K100, 48, 0.42)],
    cpuRequested: 0.39,
    memoryRequested: 0.35,
    cpuUsed: 0.27,
    storageTb: 1500,
    storageUsedTb: 600,
    energy: { itPowerKw: 520, pue: 1.15, greenShare: 0.83, carbon: 0.5703 },
    fullSequence: 18_800,
    usageSequence: 18_806,
    fullAt: at(0.6),
    usageAt: at(0.1),
  },
  {
    id: '330100-hz-gov-01',
    province: '330000',
    city: '杭州',
    hub: null,
    level: 'provincial',
    site: '330100-hz-dc1',
    cpu: cpu(INTEL, 36),
    accelerators: [dev(T4, 40, 0.95)],
    cpuRequested: 0.93,
    memoryRequested: 0.81,
    cpuUsed: 0.74,
    storageTb: 1100,
    storageUsedTb: 980,
    energy: { itPowerKw: 450, pue: 1.46, greenShare: 0.2, carbon: 0.5703 },
    fullSequence: 27_700,
    usageSequence: 27_705,
    fullAt: at(0.8),
    usageAt: at(0.2),
  },
]

const HUB_PUE_TARGETS: Record<string, number> = {
  zhangjiakou: 1.25,
  yrd_demo_zone: 1.25,
  shaoguan: 1.25,
  tianfu: 1.25,
  guian: 1.2,
  horinger: 1.2,
  qingyang: 1.2,
  zhongwei: 1.2,
}
const NATIONAL_PUE_TARGET = 1.5

/** Names as /api/v1/regions gives them, for the provinces and hubs of the fixture. */
export function fixtureNames(): CensusNames {
  return {
    province: {
      '110000': { zh: '北京市', en: 'Beijing' },
      '130000': { zh: '河北省', en: 'Hebei' },
      '150000': { zh: '内蒙古自治区', en: 'Inner Mongolia' },
      '310000': { zh: '上海市', en: 'Shanghai' },
      '330000': { zh: '浙江省', en: 'Zhejiang' },
      '410000': { zh: '河南省', en: 'Henan' },
      '440000': { zh: '广东省', en: 'Guangdong' },
      '510000': { zh: '四川省', en: 'Sichuan' },
      '520000': { zh: '贵州省', en: 'Guizhou' },
      '620000': { zh: '甘肃省', en: 'Gansu' },
      '640000': { zh: '宁夏回族自治区', en: 'Ningxia' },
      '650000': { zh: '新疆维吾尔自治区', en: 'Xinjiang' },
    },
    hub: {
      zhangjiakou: { zh: '张家口数据中心集群', en: 'Zhangjiakou cluster' },
      yrd_demo_zone: { zh: '长三角生态绿色一体化发展示范区数据中心集群', en: 'YRD Demonstration Zone cluster' },
      shaoguan: { zh: '韶关数据中心集群', en: 'Shaoguan cluster' },
      tianfu: { zh: '天府数据中心集群', en: 'Tianfu cluster (Sichuan)' },
      guian: { zh: '贵安数据中心集群', en: "Gui'an cluster" },
      horinger: { zh: '和林格尔数据中心集群', en: 'Horinger cluster' },
      qingyang: { zh: '庆阳数据中心集群', en: 'Qingyang cluster' },
      zhongwei: { zh: '中卫数据中心集群', en: 'Zhongwei cluster' },
    },
  }
}

// ---------------------------------------------------------------------------------------------
// Summing, as the ledger does

interface Row {
  kind: string
  vendor: string
  model: string
  arch: string
  domestic: boolean
  nodes: number
  devices: number
  virtual: number
  cores: number
  memory: number
  fp64: number
  fp32: number
  fp16: number
  int8: number
  missing: { fp64: number; fp32: number; fp16Dense: number; int8Dense: number }
  cpuAlloc: number
  cpuReq: number
  cpuUsed: number
  cpuUsedAlloc: number
  memAlloc: number
  memReq: number
  memUsed: number
  memUsedAlloc: number
  accAlloc: number
  accInUse: number
}

function rowsOf(c: FixtureCluster): Row[] {
  const p = c.cpu
  const cores = p.nodes * p.coresPerNode
  const memory = p.nodes * p.memoryGiBPerNode * 2 ** 30
  const cpuRow: Row = {
    kind: 'CPU',
    vendor: p.vendor,
    model: p.model,
    arch: p.arch,
    domestic: p.domestic,
    nodes: p.nodes,
    devices: p.nodes,
    virtual: 0,
    cores,
    memory,
    fp64: p.nodes * p.fp64,
    fp32: p.nodes * p.fp32,
    fp16: 0,
    int8: 0,
    missing: { fp64: 0, fp32: 0, fp16Dense: 0, int8Dense: 0 },
    cpuAlloc: cores,
    cpuReq: cores * c.cpuRequested,
    cpuUsed: c.cpuUsed === null ? 0 : cores * c.cpuUsed,
    cpuUsedAlloc: c.cpuUsed === null ? 0 : cores,
    memAlloc: memory,
    memReq: memory * c.memoryRequested,
    memUsed: c.cpuUsed === null ? 0 : memory * c.memoryRequested * 0.8,
    memUsedAlloc: c.cpuUsed === null ? 0 : memory,
    accAlloc: 0,
    accInUse: 0,
  }
  const figure = (per: number | null, n: number) => (per === null ? 0 : per * n)
  const missing = (per: number | null, n: number) => (per === null ? n : 0)
  const accRows = c.accelerators.map(
    (a): Row => ({
      kind: a.kind,
      vendor: a.vendor,
      model: a.model,
      arch: p.arch,
      domestic: a.domestic,
      nodes: 0,
      devices: a.devices,
      virtual: a.virtual ? a.devices : 0,
      cores: 0,
      memory: 0,
      fp64: figure(a.fp64, a.devices),
      fp32: figure(a.fp32, a.devices),
      fp16: figure(a.fp16, a.devices),
      int8: figure(a.int8, a.devices),
      missing: {
        fp64: missing(a.fp64, a.devices),
        fp32: missing(a.fp32, a.devices),
        fp16Dense: missing(a.fp16, a.devices),
        int8Dense: missing(a.int8, a.devices),
      },
      cpuAlloc: 0,
      cpuReq: 0,
      cpuUsed: 0,
      cpuUsedAlloc: 0,
      memAlloc: 0,
      memReq: 0,
      memUsed: 0,
      memUsedAlloc: 0,
      accAlloc: a.devices,
      accInUse: a.devices * a.inUse,
    }),
  )
  return [cpuRow, ...accRows]
}

class Sum {
  clusters = new Set<string>()
  sites = new Set<string>()
  rows: Row[] = []
  energyClusters: FixtureCluster[] = []
  oldest: number | null = null

  constructor(readonly key: LedgerGroup['key']) {}

  add(c: FixtureCluster, rows: Row[]): void {
    if (!this.clusters.has(c.id)) {
      this.clusters.add(c.id)
      this.energyClusters.push(c)
      const t = Date.parse(c.fullAt)
      if (this.oldest === null || t < this.oldest) this.oldest = t
    }
    this.rows.push(...rows)
  }

  finish(siteLevel: boolean): LedgerGroup {
    const rows = this.rows
    const s = (f: (r: Row) => number) => rows.reduce((a, r) => a + f(r), 0)
    const ratio = (a: number, b: number) => (b > 0 ? a / b : null)
    const accelerators: Record<string, number> = {}
    for (const r of rows) if (r.kind !== 'CPU') accelerators[r.kind] = (accelerators[r.kind] ?? 0) + r.devices
    let storage: LedgerGroup['storage'] = null
    let energy: LedgerGroup['energy'] = null
    if (siteLevel) {
      const cs = this.energyClusters
      const used = cs.filter((c) => c.storageUsedTb !== null)
      storage = {
        capacityBytes: cs.reduce((a, c) => a + c.storageTb * 1e12, 0),
        usedBytes: used.length === 0 ? null : used.reduce((a, c) => a + (c.storageUsedTb ?? 0) * 1e12, 0),
      }
      const reporting = cs.flatMap((c) => (c.energy ? [c.energy] : []))
      const it = reporting.reduce((a, e) => a + e.itPowerKw, 0)
      const facility = reporting.reduce((a, e) => a + e.itPowerKw * e.pue, 0)
      const green = reporting.filter((e) => e.greenShare !== null)
      const carbon = reporting.filter((e) => e.carbon !== null)
      energy = {
        itPowerKw: it,
        facilityPowerKw: facility,
        pue: ratio(facility, it),
        greenShare: ratio(
          green.reduce((a, e) => a + e.itPowerKw * (e.greenShare ?? 0), 0),
          green.reduce((a, e) => a + e.itPowerKw, 0),
        ),
        carbonIntensityKgPerKwh: ratio(
          carbon.reduce((a, e) => a + e.itPowerKw * (e.carbon ?? 0), 0),
          carbon.reduce((a, e) => a + e.itPowerKw, 0),
        ),
        clustersReporting: reporting.length,
      }
    }
    return {
      key: this.key,
      clusters: this.clusters.size,
      nodes: s((r) => r.nodes),
      devices: s((r) => r.devices),
      cpuCores: s((r) => r.cores),
      memoryBytes: s((r) => r.memory),
      accelerators,
      virtualAccelerators: s((r) => r.virtual),
      strandedAccelerators: 0,
      storage,
      compute: {
        fp64Pflops: s((r) => r.fp64) / 1000,
        fp32Pflops: s((r) => r.fp32) / 1000,
        fp16DensePflops: s((r) => r.fp16) / 1000,
        int8DensePops: s((r) => r.int8) / 1000,
        devicesWithoutFigure: {
          fp64: s((r) => r.missing.fp64),
          fp32: s((r) => r.missing.fp32),
          fp16Dense: s((r) => r.missing.fp16Dense),
          int8Dense: s((r) => r.missing.int8Dense),
        },
      },
      utilization: {
        cpuRequested: ratio(
          s((r) => r.cpuReq),
          s((r) => r.cpuAlloc),
        ),
        memoryRequested: ratio(
          s((r) => r.memReq),
          s((r) => r.memAlloc),
        ),
        acceleratorsInUse: ratio(
          s((r) => r.accInUse),
          s((r) => r.accAlloc),
        ),
        cpuUsed: ratio(
          s((r) => r.cpuUsed),
          s((r) => r.cpuUsedAlloc),
        ),
        memoryUsed: ratio(
          s((r) => r.memUsed),
          s((r) => r.memUsedAlloc),
        ),
      },
      energy,
      asOf: this.oldest === null ? null : new Date(this.oldest).toISOString(),
      reports: this.clusters.size,
    }
  }
}

const SITE_VALUE: Record<string, (c: FixtureCluster) => string | null> = {
  province: (c) => c.province,
  hub: (c) => c.hub,
  level: (c) => c.level,
  site: (c) => c.site,
}
const DEVICE_VALUE: Record<string, (r: Row) => string> = {
  kind: (r) => r.kind,
  vendor: (r) => r.vendor,
  model: (r) => r.model,
  arch: (r) => r.arch,
  domestic: (r) => (r.domestic ? 'true' : 'false'),
}

function breakdown(dim: string): LedgerGroup[] {
  const sums = new Map<string, Sum>()
  const sumFor = (value: string | null) => {
    const id = value ?? '\u0000'
    let sum = sums.get(id)
    if (!sum) {
      sum = new Sum({ [dim]: value })
      sums.set(id, sum)
    }
    return sum
  }
  const site = SITE_VALUE[dim]
  const device = DEVICE_VALUE[dim]
  for (const c of CLUSTERS) {
    const rows = rowsOf(c)
    if (site) sumFor(site(c)).add(c, rows)
    else if (device) for (const r of rows) sumFor(device(r)).add(c, [r])
  }
  return [...sums.values()]
    .map((s) => s.finish(Boolean(site)))
    .sort((a, b) => b.compute.fp32Pflops - a.compute.fp32Pflops || String(a.key[dim]).localeCompare(String(b.key[dim])))
}

/** The fixture census. Pure: the same object every call. */
export function fixtureCensus(): Census {
  const total = new Sum({})
  for (const c of CLUSTERS) total.add(c, rowsOf(c))
  const totalGroup = total.finish(true)
  const totalEnergy = totalGroup.energy ?? { itPowerKw: 0, facilityPowerKw: 0, pue: null, greenShare: null, carbonIntensityKgPerKwh: null }

  // As the census builder: [0, 20%), [20%, 40%) … [80%, 100%].
  const edges = [0, 0.2, 0.4, 0.6, 0.8, 1]
  const bands = edges.slice(0, -1).map((min, i) => ({ min, max: edges[i + 1] ?? 1, clusters: 0, cpuCores: 0, accelerators: 0 }))
  for (const c of CLUSTERS) {
    const band = bands[Math.min(bands.length - 1, Math.floor(c.cpuRequested / 0.2))]
    if (!band) continue
    band.clusters += 1
    band.cpuCores += c.cpu.nodes * c.cpu.coresPerNode
    band.accelerators += c.accelerators.reduce((a, d) => a + d.devices, 0)
  }

  const idleClusters = CLUSTERS.filter((c) => c.cpuRequested < 0.2).map((c) => {
    const cores = c.cpu.nodes * c.cpu.coresPerNode
    const idleShare = 1 - c.cpuRequested
    return {
      clusterId: c.id,
      province: c.province,
      city: c.city,
      site: c.site,
      hub: c.hub,
      peak: Math.min(0.19, c.cpuRequested + 0.05),
      mean: c.cpuRequested,
      hoursObserved: 24,
      idleCpuCores: Math.round(cores * idleShare),
      idleAccelerators: c.accelerators.reduce((a, d) => a + d.devices * (1 - d.inUse), 0),
      idleFp16DensePflops: c.accelerators.reduce((a, d) => a + (d.fp16 ?? 0) * d.devices * (1 - d.inUse), 0) / 1000,
    }
  })

  const sites = breakdown('site')
  const pueTargets = [...new Map(CLUSTERS.map((c) => [c.site, c])).values()].map((c) => {
    const site = sites.find((g) => g.key.site === c.site)
    const pue = site?.energy?.pue ?? null
    const target = c.hub === null ? NATIONAL_PUE_TARGET : (HUB_PUE_TARGETS[c.hub] ?? NATIONAL_PUE_TARGET)
    return { hub: c.hub, target, site: c.site, pue, meets: pue === null ? null : pue <= target }
  })

  const notes = new Map<string, Census['methodNotes'][number]>()
  for (const c of CLUSTERS) {
    const entries = [{ ...c.cpu, kind: 'CPU', devices: c.cpu.nodes }, ...c.accelerators.map((a) => ({ ...a, devices: a.devices }))]
    for (const e of entries) {
      const id = `${e.vendor}|${e.model}`
      const note = notes.get(id)
      if (note) note.devices += e.devices
      else notes.set(id, { vendor: e.vendor, model: e.model, kind: e.kind, confidence: e.confidence, source: e.source, devices: e.devices })
    }
  }

  const annualEnergyMwh = (totalEnergy.facilityPowerKw * 8760) / 1000
  const carbon = totalEnergy.carbonIntensityKgPerKwh

  return {
    id: 7,
    period: '2026Q4',
    title: '2026 年第四季度全国政务算力资源普查',
    createdAt: '2026-12-31T16:00:00.000Z',
    asOf: totalGroup.asOf,
    basis: {
      fp64Pflops: 'HPC compute: peak FP64 (vector/matrix, non-sparse) of CPUs and accelerators, PFLOPS',
      fp32Pflops: 'general compute: peak FP32 of CPUs (cores x clock x FLOP/cycle) and accelerators, PFLOPS',
      fp16DensePflops: 'intelligent compute: dense FP16/BF16 tensor peak of accelerators (no sparsity, CPUs not counted), PFLOPS',
      int8DensePops: 'dense INT8 peak of accelerators (no sparsity), POPS',
      utilization: 'requested / allocatable (Kubernetes requests); used / allocatable over nodes that report usage',
      energy: 'site-level: summed IT power; PUE and green share weighted by IT power; not split by device dimensions',
      asOf: 'oldest report time among the clusters a figure sums: every figure is at least this fresh',
    },
    staleAfterSeconds: 180,
    catalog: { version: 'catalog-2026.11.3+user.1', rows: 57, userFile: true },
    total: totalGroup,
    breakdowns: {
      province: breakdown('province'),
      hub: breakdown('hub'),
      level: breakdown('level'),
      site: sites,
      kind: breakdown('kind'),
      vendor: breakdown('vendor'),
      model: breakdown('model'),
      arch: breakdown('arch'),
      domestic: breakdown('domestic'),
    },
    utilizationBands: bands,
    idle: {
      threshold: 0.2,
      hours: 24,
      measure: 'cpuRequested',
      from: '2026-12-30T16:00:00.000Z',
      to: '2026-12-31T16:00:00.000Z',
      totalClusters: CLUSTERS.length,
      clusters: idleClusters,
      totals: {
        idleCpuCores: idleClusters.reduce((a, c) => a + c.idleCpuCores, 0),
        idleAccelerators: idleClusters.reduce((a, c) => a + c.idleAccelerators, 0),
        idleFp16DensePflops: idleClusters.reduce((a, c) => a + c.idleFp16DensePflops, 0),
      },
    },
    energy: {
      itPowerKw: totalEnergy.itPowerKw,
      facilityPowerKw: totalEnergy.facilityPowerKw,
      pue: totalEnergy.pue,
      greenShare: totalEnergy.greenShare,
      carbonIntensityKgPerKwh: carbon,
      annualEnergyMwh,
      annualCarbonTonnes: carbon === null ? null : annualEnergyMwh * carbon,
      pueTargets,
    },
    dataQuality: {
      stale: [
        {
          clusterId: '410100-zz-gov-01',
          province: '410000',
          site: '410100-zz-dc1',
          lastReportAt: '2026-12-31T09:12:44.000Z',
          lastSequence: 18_220,
        },
        {
          clusterId: '650100-wlmq-gov-01',
          province: '650000',
          site: '650100-wlmq-dc1',
          lastReportAt: '2026-12-29T22:05:10.000Z',
          lastSequence: 5_512,
        },
      ],
      missing: [{ clusterId: '460100-hk-gov-01', province: '460000', site: '460100-hk-dc1', lastReportAt: null, lastSequence: null }],
      unclassified: [{ resource: UNCLASSIFIED_RESOURCE, devices: 8, clusters: 1 }],
    },
    methodNotes: [...notes.values()].sort((a, b) => b.devices - a.devices || a.model.localeCompare(b.model)),
    recommendations: [
      {
        code: 'idle-cluster',
        severity: 'high',
        subject: '650000-gov-cloud-01',
        province: '650000',
        figures: { peak: 0.08, hours: 24, idleCpuCores: 1800, idleAccelerators: 16, idleFp16DensePflops: 1.25 },
      },
      {
        code: 'stranded-accelerators',
        severity: 'medium',
        subject: '440000-ai-<01>',
        province: '440000',
        figures: { strandedAccelerators: 5, accelerators: 64 },
      },
      { code: 'pue-over-target', severity: 'high', subject: '110000-bj-dc01', province: null, figures: { pue: 1.52, target: 1.25 } },
      { code: 'unclassified-devices', severity: 'low', subject: 'example.com/fpga', province: null, figures: { devices: 12, clusters: 2 } },
      { code: 'stale-cluster', severity: 'low', subject: '120000-gov-cloud-09', province: '120000', figures: { silentHours: 6.5 } },
    ],
    lineage: CLUSTERS.flatMap((c) => [
      { clusterId: c.id, sequence: c.fullSequence, kind: 'full', receivedAt: c.fullAt },
      ...(c.usageSequence !== null && c.usageAt !== null
        ? [{ clusterId: c.id, sequence: c.usageSequence, kind: 'usage', receivedAt: c.usageAt }]
        : []),
    ]),
  }
}
