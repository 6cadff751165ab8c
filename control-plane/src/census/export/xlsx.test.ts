import ExcelJS from 'exceljs'
import { beforeAll, describe, expect, it } from 'vitest'
import { fixtureCensus, fixtureNames, TRICKY_MODEL } from './fixture'
import { censusXlsx, sheetName } from './xlsx'

const census = fixtureCensus()
const names = fixtureNames()

async function load(buffer: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(buffer as unknown as ArrayBuffer)
  return wb
}

function sheet(wb: ExcelJS.Workbook, name: string): ExcelJS.Worksheet {
  const ws = wb.getWorksheet(name)
  if (!ws) throw new Error(`no sheet ${name}`)
  return ws
}

/** Column number of a header in row 1. */
function column(ws: ExcelJS.Worksheet, header: string): number {
  let found = 0
  ws.getRow(1).eachCell((cell, col) => {
    if (cell.value === header) found = col
  })
  if (!found) throw new Error(`no column ${header} in ${ws.name}`)
  return found
}

const ZH_SHEETS = [
  '概览',
  '按省份',
  '按枢纽集群',
  '按平台层级',
  '按站点',
  '按设备类型',
  '按厂商',
  '按型号',
  '按架构',
  '国产与非国产',
  '国产化率',
  '利用率分布',
  '闲置集群',
  'PUE目标',
  '失联集群',
  '未上报集群',
  '未分类设备',
  '评估与建议',
  '口径',
  '方法说明',
  '数据血缘',
]

describe('censusXlsx', () => {
  let zh: ExcelJS.Workbook
  let en: ExcelJS.Workbook
  let bytes = 0

  beforeAll(async () => {
    const buffer = await censusXlsx(census, 'zh-CN', { names })
    bytes = buffer.length
    expect(buffer.subarray(0, 2).toString('latin1')).toBe('PK')
    zh = await load(buffer)
    en = await load(await censusXlsx(census, 'en', { names }))
  })

  it('has the summary, a sheet per breakdown and the detail sheets, with valid names', () => {
    expect(bytes).toBeGreaterThan(10_000)
    expect(zh.worksheets.map((ws) => ws.name)).toEqual(ZH_SHEETS)
    const enNames = en.worksheets.map((ws) => ws.name)
    expect(enNames[0]).toBe('Summary')
    expect(enNames).toContain('By province')
    expect(enNames).toContain('Lineage')
    for (const name of [...ZH_SHEETS, ...enNames]) {
      expect(name.length).toBeLessThanOrEqual(31)
      expect(name).not.toMatch(/[[\]:*?/\\]/)
    }
  })

  it('freezes the header rows, makes them bold and filterable', () => {
    for (const ws of zh.worksheets) {
      const view = ws.views[0]
      expect(view?.state, ws.name).toBe('frozen')
      expect((view as { ySplit?: number }).ySplit, ws.name).toBe(ws.name === '概览' ? 4 : 1)
      if (ws.name === '概览') continue
      expect(ws.getRow(1).getCell(1).font?.bold, ws.name).toBe(true)
      expect(ws.autoFilter, ws.name).toBeTruthy()
    }
  })

  it('writes the province sheet with census numbers and number formats; FP32 sums to the total', () => {
    const ws = sheet(zh, '按省份')
    const fp32 = column(ws, '通用算力 FP32（PFLOPS）')
    const cores = column(ws, 'CPU 核数')
    const ratio = column(ws, 'CPU 申请率')
    const groups = census.breakdowns.province ?? []
    expect(ws.rowCount).toBe(groups.length + 2)
    let sum = 0
    groups.forEach((g, i) => {
      const row = ws.getRow(i + 2)
      expect(row.getCell(1).value).toBe(g.key.province)
      expect(row.getCell(fp32).value).toBe(g.compute.fp32Pflops)
      expect(row.getCell(fp32).numFmt).toBe('#,##0.000')
      expect(row.getCell(cores).value).toBe(g.cpuCores)
      expect(row.getCell(cores).numFmt).toBe('#,##0')
      expect(row.getCell(ratio).value).toBe(g.utilization.cpuRequested)
      expect(row.getCell(ratio).numFmt).toBe('0.0%')
      sum += Number(row.getCell(fp32).value)
    })
    expect(sum).toBeCloseTo(census.total.compute.fp32Pflops, 9)
    const total = ws.getRow(groups.length + 2)
    expect(total.getCell(1).value).toBe('合计')
    expect(total.getCell(fp32).value).toBe(census.total.compute.fp32Pflops)
    expect(total.font?.bold).toBe(true)
    const names = groups.map((_, i) => ws.getRow(i + 2).getCell(2).value)
    expect(names).toContain('北京市')
    expect(names).toContain('宁夏回族自治区')
  })

  it('keeps model names with < , " intact and leaves device sheets without energy columns', () => {
    const ws = sheet(zh, '按型号')
    const models: unknown[] = []
    ws.getColumn(1).eachCell((cell) => {
      models.push(cell.value)
    })
    expect(models).toContain(TRICKY_MODEL)
    expect(() => column(ws, 'PUE（按能耗加权）')).toThrow()
    const fp16 = column(ws, '智能算力 FP16 稠密（PFLOPS）')
    const sum = (census.breakdowns.model ?? []).reduce((a, _g, i) => a + Number(ws.getRow(i + 2).getCell(fp16).value), 0)
    expect(sum).toBeCloseTo(census.total.compute.fp16DensePflops, 9)
  })

  it('has a summary with the totals per basis and the cluster counts', () => {
    const ws = sheet(en, 'Summary')
    const items = new Map<string, ExcelJS.Cell>()
    ws.eachRow((row) => {
      const key = row.getCell(1).value
      if (typeof key === 'string') items.set(key, row.getCell(2))
    })
    expect(ws.getRow(1).getCell(1).value).toBe('Compute Resource Census Report')
    expect(items.get('General FP32 (PFLOPS)')?.value).toBe(census.total.compute.fp32Pflops)
    expect(items.get('General FP32 (PFLOPS)')?.numFmt).toBe('#,##0.000')
    expect(items.get('Intelligent FP16 dense (PFLOPS)')?.value).toBe(census.total.compute.fp16DensePflops)
    expect(items.get('HPC FP64 (PFLOPS)')?.value).toBe(census.total.compute.fp64Pflops)
    expect(items.get('Clusters included')?.value).toBe(census.total.clusters)
    expect(items.get('Stale clusters')?.value).toBe(2)
    expect(items.get('Missing clusters')?.value).toBe(1)
    expect(items.get('PUE (energy-weighted)')?.value).toBe(census.energy.pue)
    expect(items.get('Domestic share of accelerators')?.numFmt).toBe('0.0%')
    expect(items.get('Census number')?.value).toBe(census.id)
  })

  it('lists PUE targets, data quality and lineage', () => {
    expect(sheet(zh, 'PUE目标').rowCount).toBe(census.energy.pueTargets.length + 1)
    expect(sheet(zh, '失联集群').getRow(2).getCell(1).value).toBe(census.dataQuality.stale[0]?.clusterId)
    expect(sheet(zh, '未上报集群').getRow(2).getCell(5).value).toBeNull()
    expect(sheet(zh, '数据血缘').rowCount).toBe(census.lineage.length + 1)
    const idle = sheet(zh, '闲置集群')
    expect(idle.rowCount).toBe(census.idle.clusters.length + 2)
  })

  it('makes sheet names valid and unique', () => {
    const taken = new Set<string>()
    expect(sheetName('a/b:c*d?e[f]g\\h', taken)).toBe('a_b_c_d_e_f_g_h')
    expect(sheetName('x'.repeat(40), taken)).toHaveLength(31)
    expect(sheetName('x'.repeat(40), taken)).toBe(`${'x'.repeat(29)}_2`)
    expect(sheetName("'quoted'", taken)).toBe('quoted')
  })
})

describe('censusXlsx recommendations', () => {
  it('lists every finding of the census with its localized sentence', async () => {
    const census = fixtureCensus()
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load((await censusXlsx(census, 'zh-CN')) as unknown as ArrayBuffer)
    const ws = wb.getWorksheet('评估与建议')
    if (!ws) throw new Error('no recommendations sheet')
    expect(ws.rowCount - 1).toBe(census.recommendations.length)
    const idle = ws.getRow(2)
    expect(idle.getCell(1).value).toBe('高')
    expect(idle.getCell(2).value).toBe('650000-gov-cloud-01')
    expect(String(idle.getCell(4).value)).toContain('1,800 核')
    expect(String(ws.getRow(4).getCell(4).value)).toContain('PUE 1.52 高于目标 1.25')
  })
})
