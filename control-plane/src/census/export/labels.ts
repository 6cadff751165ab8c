import type { CensusLanguage } from '../../schemas'

/**
 * Every user-facing string of the census reports. The zh-CN table is the reference; the en table must
 * have exactly the same keys (`Record<LabelKey, string>` rejects a missing or an extra key).
 * `{name}` placeholders are filled by `label(lang, key, vars)`.
 */
const zhCN = {
  reportTitle: '算力资源普查报告',
  censusHeading: '第 {id} 号普查 · {period}',
  generatedBy: '由算盘（Suanpan）国家算力一本账生成。所有算力均为峰值稠密口径，不使用稀疏算力，不同精度互不相加。',
  beijingTime: '北京时间',

  // identity
  censusNo: '普查编号',
  period: '普查期',
  title: '标题',
  createdAt: '冻结时间',
  asOf: '数据截至',
  basis: '口径',
  catalogVersion: '设备目录版本',
  catalogRows: '设备目录条目数',
  catalogUserFile: '含用户自定义目录',
  staleAfter: '失联判定（秒）',
  reports: '汇总的上报数',
  item: '项目',
  value: '数值',

  // sections
  secTotal: '总量',
  secDistribution: '分布',
  secComposition: '构成',
  secTechnology: '技术路线与国产化率',
  secUtilization: '利用率',
  secStorage: '存储',
  secEnergy: '能耗',
  secDataQuality: '数据质量',
  secMethod: '方法说明',
  secRecommendations: '评估与建议',
  sheetRecommendations: '评估与建议',
  colSeverity: '级别',
  colFinding: '发现与建议',
  colSubject: '对象',
  severityHigh: '高',
  severityMedium: '中',
  severityLow: '低',
  recIdleCluster: '连续 {hours} 小时 CPU 申请率最高 {peak}，现闲置 {cores} 核、{acc} 张加速卡：建议整合负载或纳入统一调度',
  recIdleSite:
    '整个站点（{clusters} 个集群）连续 {hours} 小时 CPU 申请率最高 {peak}，现闲置 {cores} 核、{acc} 张加速卡：建议站点整合或关停节能',
  recStranded: '{n} 张加速卡空闲，但所在节点的 CPU 或内存已基本申请完，无法使用：建议调整节点上的 CPU/内存申请或迁移工作负载',
  recPue: 'PUE {pue} 高于目标 {target}：建议开展节能改造',
  recUnclassified: '{devices} 台设备（{clusters} 个集群）无法识别型号，未计入算力：建议在设备目录中补充',
  recStale: '已 {hours} 小时未上报，不计入当前数字：请检查该集群代理',
  recReservation: '预留 {hours} 小时仍未运行（{replicas} 个副本，{devices} 张加速卡）：建议核实或撤销该工作负载',
  noRecommendations: '无发现。',

  // subsections (also sheet names: keep them ≤ 31 characters)
  byProvince: '按省份',
  byHub: '按枢纽集群',
  byLevel: '按平台层级',
  bySite: '按站点',
  byKind: '按设备类型',
  byVendor: '按厂商',
  byModel: '按型号',
  byArch: '按架构',
  byDomestic: '国产与非国产',
  domesticShare: '国产化率',
  utilizationOverall: '总体利用率',
  utilizationBands: '利用率分布',
  idleCapacity: '闲置算力',
  idleClusters: '闲置集群',
  storageTotal: '存储总量',
  storageByProvince: '各省份存储',
  energyTotal: '能耗总量',
  pueTargets: 'PUE 达标情况',
  energyByProvince: '各省份能耗',
  staleClusters: '失联集群（不计入任何数字）',
  missingClusters: '未上报集群（已注册、从未上报）',
  unclassifiedDevices: '未分类设备（按原始资源名）',
  devicesWithoutFigure: '无公开算力数据的设备（计数，不估算）',
  basisNotes: '口径',
  catalogNotes: '设备目录来源与置信度',
  lineage: '数据血缘',
  summary: '概览',
  clusterCounts: '集群',
  identity: '普查信息',

  // sheet names (≤ 31 characters, no []:*?/\)
  sheetSummary: '概览',
  sheetProvince: '按省份',
  sheetHub: '按枢纽集群',
  sheetLevel: '按平台层级',
  sheetSite: '按站点',
  sheetKind: '按设备类型',
  sheetVendor: '按厂商',
  sheetModel: '按型号',
  sheetArch: '按架构',
  sheetDomestic: '国产与非国产',
  sheetDomesticShare: '国产化率',
  sheetBands: '利用率分布',
  sheetIdle: '闲置集群',
  sheetPue: 'PUE目标',
  sheetStale: '失联集群',
  sheetMissing: '未上报集群',
  sheetUnclassified: '未分类设备',
  sheetBasis: '口径',
  sheetMethod: '方法说明',
  sheetLineage: '数据血缘',

  // key columns
  colProvinceCode: '省份代码',
  colProvince: '省份',
  colHubId: '枢纽集群代码',
  colHub: '枢纽集群',
  colLevelCode: '层级代码',
  colLevel: '平台层级',
  colSite: '站点',
  colKindCode: '类型代码',
  colKind: '设备类型',
  colVendor: '厂商',
  colModel: '型号',
  colArch: '架构',
  colDomesticCode: '国产代码',
  colDomestic: '国产',
  colCity: '城市',
  colPlatform: '平台',
  colCluster: '集群',
  colClusterId: '集群 ID',
  colMeasure: '指标',

  // measure columns (with units)
  colClusters: '集群数',
  colNodes: '节点数',
  colDevices: '设备数（台/张）',
  colCpuCores: 'CPU 核数',
  colMemory: '内存（TiB）',
  colAccelerators: '加速卡（张）',
  colAcceleratorsOfKind: '{kind} 加速卡（张）',
  colVirtual: '其中虚拟加速卡（折算张）',
  colFp64: 'HPC 算力 FP64（PFLOPS）',
  colFp32: '通用算力 FP32（PFLOPS）',
  colFp16: '智能算力 FP16 稠密（PFLOPS）',
  colInt8: 'INT8 稠密（POPS）',
  colShareFp32: 'FP32 占比',
  colShareFp16: 'FP16 稠密占比',
  colNoFigureFp64: '无 FP64 数据设备',
  colNoFigureFp32: '无 FP32 数据设备',
  colNoFigureFp16: '无 FP16 数据设备',
  colNoFigureInt8: '无 INT8 数据设备',
  colCpuRequested: 'CPU 申请率',
  colMemoryRequested: '内存申请率',
  colCpuUsed: 'CPU 使用率',
  colMemoryUsed: '内存使用率',
  colAcceleratorsInUse: '加速卡占用率',
  colStorageCapacity: '存储容量（TB）',
  colStorageUsed: '已用存储（TB）',
  colStorageUsedRatio: '存储使用率',
  colItPower: 'IT 功率（kW）',
  colFacilityPower: '设施总功率（kW）',
  colPue: 'PUE（按能耗加权）',
  colGreenShare: '绿电占比',
  colCarbonIntensity: '碳排放强度（kgCO₂/kWh）',
  colClustersReporting: '上报能耗的集群数',
  colAnnualEnergy: '年化用电量（MWh）',
  colAnnualCarbon: '年化碳排放（tCO₂）',
  colAsOf: '数据截至',
  colBand: 'CPU 申请率区间',
  colBandMin: '下限（含）',
  colBandMax: '上限（不含）',
  colPeak: '峰值',
  colMean: '均值',
  colHoursObserved: '观测时长（小时）',
  colIdleCpuCores: '闲置 CPU 核数',
  colIdleAccelerators: '闲置加速卡（张）',
  colIdleFp16: '闲置智能算力 FP16 稠密（PFLOPS）',
  colTarget: 'PUE 目标（≤）',
  colMeets: '是否达标',
  colLastReport: '最后上报时间',
  colLastSequence: '最后序号',
  colResource: '原始资源名',
  colConfidence: '置信度',
  colSource: '来源',
  colBasisKey: '指标',
  colBasisText: '说明',
  colSequence: '序号',
  colReportKind: '报告类型',
  colReceivedAt: '接收时间',
  colDomesticValue: '国产',
  colNonDomesticValue: '非国产',
  colTotal: '合计',

  // summary items
  clustersIncluded: '纳入集群数',
  clustersStale: '失联集群数',
  clustersMissing: '未上报集群数',
  domesticShareAccelerators: '加速卡国产化率',
  domesticShareFp16: '智能算力（FP16 稠密）国产化率',
  domesticShareFp32: '通用算力（FP32）国产化率',
  domesticShareCpuCores: 'CPU 核国产化率',
  idleThreshold: '闲置阈值（利用率低于）',
  idleHours: '持续时长（小时）',
  idleMeasure: '评估指标',
  idleWindow: '评估时间窗',
  idleTotalClusters: '评估集群数',
  idleCount: '闲置集群数',
  lineageCount: '汇总的上报（全量与用量）',
  lineageInWorkbook: '逐条数据血缘见 Excel 导出的“数据血缘”工作表。',

  // basis names and zh translations of the ledger's basis texts
  basisFp64: 'HPC 算力（FP64）',
  basisFp32: '通用算力（FP32）',
  basisFp16: '智能算力（FP16 稠密）',
  basisInt8: 'INT8 稠密',
  basisUtilization: '利用率',
  basisEnergy: '能耗',
  basisAsOf: '数据时点',
  basisTextFp64: 'HPC 算力：CPU 与加速卡的 FP64 峰值（向量/矩阵，非稀疏），PFLOPS',
  basisTextFp32: '通用算力：CPU（物理核 × 主频 × 每周期浮点运算数）与加速卡的 FP32 峰值，PFLOPS',
  basisTextFp16: '智能算力：加速卡 FP16/BF16 张量稠密峰值（不计稀疏，不计 CPU），PFLOPS',
  basisTextInt8: '加速卡 INT8 稠密峰值（不计稀疏），POPS',
  basisTextUtilization: '申请量 / 可分配量（Kubernetes requests）；使用量 / 可分配量（仅统计上报使用量的节点）',
  basisTextEnergy: '站点级：IT 功率求和；PUE 与绿电占比按 IT 功率加权；不按设备维度拆分',
  basisTextAsOf: '各数字所汇总集群中最早的上报时间：所有数字至少新于该时间',
  noteBasis: '各精度分别统计，互不相加；未公开某精度数据的设备单独计数，不做估算。',
  noteSiteOnly: '能耗与存储属于站点：按设备维度（类型、厂商、型号、架构、国产）分组时不拆分。',
  noteStale: '失联集群连续 3 个上报周期无上报，已从所有数字中剔除。',

  // values
  yes: '是',
  no: '否',
  unknown: '未知',
  none: '（无）',
  noEntries: '无记录',
  outsideHubs: '枢纽外',
  nationalTarget: '全国（枢纽外）',
  total: '合计',
  domesticTrue: '国产',
  domesticFalse: '非国产',
  levelNational: '国家级',
  levelProvincial: '省级',
  levelMinistry: '部委级',
  kindUnclassified: '未分类',
  reportKindFull: '全量',
  reportKindUsage: '用量',
  measureCpuRequested: 'CPU 申请率',
  measureCpuUsed: 'CPU 使用率',
  measureAcceleratorsInUse: '加速卡占用率',

  // charts
  chartProvinces: '各省份通用算力（FP32）与智能算力（FP16 稠密），前 {n} 名，PFLOPS',
  chartKinds: '各类型加速卡数量与国产占比',
  chartBands: '集群 CPU 申请率分布（集群数）',
  legendFp32: 'FP32 通用算力',
  legendFp16: 'FP16 稠密智能算力',
  legendDomestic: '国产',
  legendNonDomestic: '非国产',
  chartKindValue: '{count} 张 · 国产 {share}',
  noChartData: '无数据，不绘图',
} as const

export type LabelKey = keyof typeof zhCN

const en: Record<LabelKey, string> = {
  reportTitle: 'Compute Resource Census Report',
  censusHeading: 'Census No. {id} · {period}',
  generatedBy:
    'Generated by Suanpan from the national compute ledger. All compute figures are dense peak figures: sparse figures are never used and precisions are never added together.',
  beijingTime: 'Beijing time',

  censusNo: 'Census number',
  period: 'Period',
  title: 'Title',
  createdAt: 'Frozen at',
  asOf: 'Data as of',
  basis: 'Basis',
  catalogVersion: 'Device catalog version',
  catalogRows: 'Device catalog rows',
  catalogUserFile: 'Includes a user catalog file',
  staleAfter: 'Stale after (seconds)',
  reports: 'Reports summed',
  item: 'Item',
  value: 'Value',

  secTotal: 'Total compute',
  secDistribution: 'Distribution',
  secComposition: 'Composition',
  secTechnology: 'Technology selection and domestic share',
  secUtilization: 'Utilization',
  secStorage: 'Storage',
  secEnergy: 'Energy',
  secDataQuality: 'Data quality',
  secMethod: 'Method notes',
  secRecommendations: 'Evaluation and recommendations',
  sheetRecommendations: 'Recommendations',
  colSeverity: 'Severity',
  colFinding: 'Finding and recommendation',
  colSubject: 'Subject',
  severityHigh: 'High',
  severityMedium: 'Medium',
  severityLow: 'Low',
  recIdleCluster:
    'CPU requested at most {peak} for {hours} h; {cores} cores and {acc} accelerators idle now: consolidate, or offer the capacity to unified scheduling',
  recIdleSite:
    'the whole site ({clusters} clusters) requested at most {peak} of its CPU for {hours} h; {cores} cores and {acc} accelerators idle now: consolidate the site or power it down',
  recStranded:
    '{n} accelerators free on nodes whose CPU or memory is all but requested, so nobody can use them: rebalance CPU/memory requests or move workloads',
  recPue: 'PUE {pue} above its target {target}: plan an energy-efficiency retrofit',
  recUnclassified: '{devices} devices in {clusters} clusters have no catalog model and no compute figure: add them to the device catalog',
  recStale: 'silent for {hours} h and left out of current figures: check the cluster agent',
  recReservation: 'reserved for {hours} h without running ({replicas} replicas, {devices} accelerators): check or cancel the workload',
  noRecommendations: 'No findings.',

  byProvince: 'By province',
  byHub: 'By hub cluster',
  byLevel: 'By platform level',
  bySite: 'By site',
  byKind: 'By device kind',
  byVendor: 'By vendor',
  byModel: 'By model',
  byArch: 'By architecture',
  byDomestic: 'Domestic and non-domestic',
  domesticShare: 'Domestic share',
  utilizationOverall: 'Overall utilization',
  utilizationBands: 'Utilization bands',
  idleCapacity: 'Idle capacity',
  idleClusters: 'Idle clusters',
  storageTotal: 'Storage total',
  storageByProvince: 'Storage by province',
  energyTotal: 'Energy total',
  pueTargets: 'PUE against targets',
  energyByProvince: 'Energy by province',
  staleClusters: 'Stale clusters (excluded from every figure)',
  missingClusters: 'Missing clusters (registered, never reported)',
  unclassifiedDevices: 'Unclassified devices (by raw resource name)',
  devicesWithoutFigure: 'Devices without a published figure (counted, not guessed)',
  basisNotes: 'Basis',
  catalogNotes: 'Catalog sources and confidence',
  lineage: 'Lineage',
  summary: 'Summary',
  clusterCounts: 'Clusters',
  identity: 'Census',

  sheetSummary: 'Summary',
  sheetProvince: 'By province',
  sheetHub: 'By hub cluster',
  sheetLevel: 'By platform level',
  sheetSite: 'By site',
  sheetKind: 'By device kind',
  sheetVendor: 'By vendor',
  sheetModel: 'By model',
  sheetArch: 'By architecture',
  sheetDomestic: 'Domestic and non-domestic',
  sheetDomesticShare: 'Domestic share',
  sheetBands: 'Utilization bands',
  sheetIdle: 'Idle clusters',
  sheetPue: 'PUE targets',
  sheetStale: 'Stale clusters',
  sheetMissing: 'Missing clusters',
  sheetUnclassified: 'Unclassified devices',
  sheetBasis: 'Basis',
  sheetMethod: 'Method notes',
  sheetLineage: 'Lineage',

  colProvinceCode: 'Province code',
  colProvince: 'Province',
  colHubId: 'Hub cluster id',
  colHub: 'Hub cluster',
  colLevelCode: 'Level code',
  colLevel: 'Platform level',
  colSite: 'Site',
  colKindCode: 'Kind code',
  colKind: 'Device kind',
  colVendor: 'Vendor',
  colModel: 'Model',
  colArch: 'Architecture',
  colDomesticCode: 'Domestic code',
  colDomestic: 'Domestic',
  colCity: 'City',
  colPlatform: 'Platform',
  colCluster: 'Cluster',
  colClusterId: 'Cluster id',
  colMeasure: 'Measure',

  colClusters: 'Clusters',
  colNodes: 'Nodes',
  colDevices: 'Devices',
  colCpuCores: 'CPU cores',
  colMemory: 'Memory (TiB)',
  colAccelerators: 'Accelerators',
  colAcceleratorsOfKind: '{kind} accelerators',
  colVirtual: 'of which virtual (equivalents)',
  colFp64: 'HPC FP64 (PFLOPS)',
  colFp32: 'General FP32 (PFLOPS)',
  colFp16: 'Intelligent FP16 dense (PFLOPS)',
  colInt8: 'INT8 dense (POPS)',
  colShareFp32: 'FP32 share',
  colShareFp16: 'FP16 dense share',
  colNoFigureFp64: 'Devices without FP64 figure',
  colNoFigureFp32: 'Devices without FP32 figure',
  colNoFigureFp16: 'Devices without FP16 figure',
  colNoFigureInt8: 'Devices without INT8 figure',
  colCpuRequested: 'CPU requested',
  colMemoryRequested: 'Memory requested',
  colCpuUsed: 'CPU used',
  colMemoryUsed: 'Memory used',
  colAcceleratorsInUse: 'Accelerators in use',
  colStorageCapacity: 'Storage capacity (TB)',
  colStorageUsed: 'Storage used (TB)',
  colStorageUsedRatio: 'Storage used share',
  colItPower: 'IT power (kW)',
  colFacilityPower: 'Facility power (kW)',
  colPue: 'PUE (energy-weighted)',
  colGreenShare: 'Green share',
  colCarbonIntensity: 'Carbon intensity (kgCO₂/kWh)',
  colClustersReporting: 'Clusters reporting energy',
  colAnnualEnergy: 'Annualized energy (MWh)',
  colAnnualCarbon: 'Annualized carbon (tCO₂)',
  colAsOf: 'Data as of',
  colBand: 'CPU requested band',
  colBandMin: 'From (incl.)',
  colBandMax: 'To (excl.)',
  colPeak: 'Peak',
  colMean: 'Mean',
  colHoursObserved: 'Hours observed',
  colIdleCpuCores: 'Idle CPU cores',
  colIdleAccelerators: 'Idle accelerators',
  colIdleFp16: 'Idle FP16 dense (PFLOPS)',
  colTarget: 'PUE target (≤)',
  colMeets: 'Meets target',
  colLastReport: 'Last report',
  colLastSequence: 'Last sequence',
  colResource: 'Raw resource name',
  colConfidence: 'Confidence',
  colSource: 'Source',
  colBasisKey: 'Measure',
  colBasisText: 'Definition',
  colSequence: 'Sequence',
  colReportKind: 'Report kind',
  colReceivedAt: 'Received at',
  colDomesticValue: 'Domestic',
  colNonDomesticValue: 'Non-domestic',
  colTotal: 'Total',

  clustersIncluded: 'Clusters included',
  clustersStale: 'Stale clusters',
  clustersMissing: 'Missing clusters',
  domesticShareAccelerators: 'Domestic share of accelerators',
  domesticShareFp16: 'Domestic share of intelligent compute (FP16 dense)',
  domesticShareFp32: 'Domestic share of general compute (FP32)',
  domesticShareCpuCores: 'Domestic share of CPU cores',
  idleThreshold: 'Idle threshold (utilization below)',
  idleHours: 'For at least (hours)',
  idleMeasure: 'Measure',
  idleWindow: 'Window',
  idleTotalClusters: 'Clusters evaluated',
  idleCount: 'Idle clusters',
  lineageCount: 'Reports summed (full and usage)',
  lineageInWorkbook: 'The report-by-report lineage is in the "Lineage" sheet of the Excel export.',

  basisFp64: 'HPC compute (FP64)',
  basisFp32: 'General compute (FP32)',
  basisFp16: 'Intelligent compute (FP16 dense)',
  basisInt8: 'INT8 dense',
  basisUtilization: 'Utilization',
  basisEnergy: 'Energy',
  basisAsOf: 'As of',
  basisTextFp64: 'HPC compute: peak FP64 (vector/matrix, non-sparse) of CPUs and accelerators, PFLOPS',
  basisTextFp32: 'general compute: peak FP32 of CPUs (cores x clock x FLOP/cycle) and accelerators, PFLOPS',
  basisTextFp16: 'intelligent compute: dense FP16/BF16 tensor peak of accelerators (no sparsity, CPUs not counted), PFLOPS',
  basisTextInt8: 'dense INT8 peak of accelerators (no sparsity), POPS',
  basisTextUtilization: 'requested / allocatable (Kubernetes requests); used / allocatable over nodes that report usage',
  basisTextEnergy: 'site-level: summed IT power; PUE and green share weighted by IT power; not split by device dimensions',
  basisTextAsOf: 'oldest report time among the clusters a figure sums: every figure is at least this fresh',
  noteBasis: 'Each precision is stated on its own and never added to another; devices without a published figure are counted, not guessed.',
  noteSiteOnly:
    'Energy and storage belong to sites: they are not split by device dimensions (kind, vendor, model, architecture, domestic).',
  noteStale: 'Stale clusters sent no report for 3 intervals and are excluded from every figure.',

  yes: 'Yes',
  no: 'No',
  unknown: 'Unknown',
  none: '(none)',
  noEntries: 'No entries',
  outsideHubs: 'Outside hubs',
  nationalTarget: 'National (outside hubs)',
  total: 'Total',
  domesticTrue: 'Domestic',
  domesticFalse: 'Non-domestic',
  levelNational: 'National',
  levelProvincial: 'Provincial',
  levelMinistry: 'Ministry',
  kindUnclassified: 'Unclassified',
  reportKindFull: 'full',
  reportKindUsage: 'usage',
  measureCpuRequested: 'CPU requested',
  measureCpuUsed: 'CPU used',
  measureAcceleratorsInUse: 'Accelerators in use',

  chartProvinces: 'General (FP32) and intelligent (FP16 dense) compute by province, top {n}, PFLOPS',
  chartKinds: 'Accelerators by kind and domestic share',
  chartBands: 'Clusters by CPU requested (number of clusters)',
  legendFp32: 'FP32 general',
  legendFp16: 'FP16 dense intelligent',
  legendDomestic: 'Domestic',
  legendNonDomestic: 'Non-domestic',
  chartKindValue: '{count} · domestic {share}',
  noChartData: 'No data to chart',
}

const TABLES: Record<CensusLanguage, Record<LabelKey, string>> = { 'zh-CN': zhCN, en }

/** A label in the language, with `{name}` placeholders filled. */
export function label(lang: CensusLanguage, key: LabelKey, vars?: Record<string, string | number>): string {
  const text = TABLES[lang][key]
  if (!vars) return text
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole))
}

/** The whole table of a language (tests check both have the same keys). */
export function labelTable(lang: CensusLanguage): Readonly<Record<LabelKey, string>> {
  return TABLES[lang]
}

/** Display names for codes: province GB/T 2260 codes and hub cluster ids (from /api/v1/regions). */
export interface CensusNames {
  province?: Record<string, { zh: string; en: string }>
  hub?: Record<string, { zh: string; en: string }>
}

/** The display name of a province or hub code in the language; the code itself when unknown. */
export function codeName(lang: CensusLanguage, names: CensusNames | undefined, dim: 'province' | 'hub', code: string | null): string {
  if (code === null) return label(lang, dim === 'hub' ? 'outsideHubs' : 'none')
  const entry = names?.[dim]?.[code]
  if (!entry) return code
  return (lang === 'zh-CN' ? entry.zh : entry.en) || code
}

/** How a value is shown. Renderers map these to Intl formats (HTML), number formats (XLSX) or plain text (CSV). */
export type ValueFormat =
  /** Whole counts: clusters, nodes, cores. */
  | 'int'
  /** Device counts, which may be fractional (a vGPU slice counts its fraction). */
  | 'count'
  | 'dec1'
  | 'dec2'
  | 'dec3'
  /** PFLOPS / POPS: three decimals. */
  | 'pflops'
  /** A 0..1 ratio shown as a percentage. */
  | 'ratio'
  /** An ISO time: ISO in CSV, Beijing time for people. */
  | 'time'
  | 'text'

export type NumericFormat = Exclude<ValueFormat, 'text' | 'time'>

const FORMAT_OPTIONS: Record<NumericFormat, Intl.NumberFormatOptions> = {
  int: { maximumFractionDigits: 0 },
  count: { maximumFractionDigits: 2 },
  dec1: { minimumFractionDigits: 1, maximumFractionDigits: 1 },
  dec2: { minimumFractionDigits: 2, maximumFractionDigits: 2 },
  dec3: { minimumFractionDigits: 3, maximumFractionDigits: 3 },
  pflops: { minimumFractionDigits: 3, maximumFractionDigits: 3 },
  ratio: { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 },
}

const LOCALES: Record<CensusLanguage, string> = { 'zh-CN': 'zh-CN', en: 'en-US' }
const formatters = new Map<string, Intl.NumberFormat>()

function formatter(lang: CensusLanguage, format: NumericFormat): Intl.NumberFormat {
  const id = `${lang}|${format}`
  let f = formatters.get(id)
  if (!f) {
    f = new Intl.NumberFormat(LOCALES[lang], FORMAT_OPTIONS[format])
    formatters.set(id, f)
  }
  return f
}

/** The placeholder for a value that is not known (null), e.g. PUE of a site without an energy feed. */
export const NO_VALUE = '—'

/** A number for people: grouped digits in the language's locale (`1,234.567`, `45.2%`); null as `—`. */
export function formatNumber(lang: CensusLanguage, value: number | null, format: NumericFormat): string {
  if (value === null || !Number.isFinite(value)) return NO_VALUE
  return formatter(lang, format).format(value)
}

/** Any cell value for people. */
export function formatValue(lang: CensusLanguage, value: string | number | boolean | null, format: ValueFormat): string {
  if (value === null) return NO_VALUE
  if (typeof value === 'boolean') return label(lang, value ? 'yes' : 'no')
  if (typeof value === 'string') return format === 'time' ? beijingTime(value) : value
  if (format === 'text' || format === 'time') return plainNumber(value)
  return formatNumber(lang, value, format)
}

/** A number for machines: no grouping, no exponent, shortest round-tripping digits where possible. */
export function plainNumber(value: number): string {
  if (!Number.isFinite(value)) return ''
  const s = String(value)
  if (!/e/i.test(s)) return s
  if (Math.abs(value) >= 1) return BigInt(Math.round(value)).toString()
  // Tiny magnitudes: fixed notation with enough digits, trailing zeros dropped.
  return value.toFixed(20).replace(/0+$/, '').replace(/\.$/, '')
}

const BEIJING_OFFSET_MS = 8 * 3600_000

function beijingParts(iso: string): { date: string; time: string; ms: number } | null {
  const ms = Date.parse(iso)
  if (!Number.isFinite(ms)) return null
  const d = new Date(ms + BEIJING_OFFSET_MS)
  const p = (n: number, w = 2) => String(n).padStart(w, '0')
  return {
    date: `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}`,
    time: `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`,
    ms: d.getUTCMilliseconds(),
  }
}

/** An ISO time for machines, restated at Beijing's offset: `2026-12-31T23:58:30+08:00` (same instant). */
export function isoBeijing(iso: string | null): string {
  if (iso === null) return ''
  const parts = beijingParts(iso)
  if (!parts) return iso
  const ms = parts.ms === 0 ? '' : `.${String(parts.ms).padStart(3, '0')}`
  return `${parts.date}T${parts.time}${ms}+08:00`
}

/**
 * An ISO time shown in Beijing time (UTC+8, no daylight saving): `2026-12-01 08:00:00`. The label says
 * which zone. Done by arithmetic, not the ICU time-zone data, so it is the same on every host.
 */
export function beijingTime(iso: string | null): string {
  if (iso === null) return NO_VALUE
  const parts = beijingParts(iso)
  return parts ? `${parts.date} ${parts.time}` : iso
}
