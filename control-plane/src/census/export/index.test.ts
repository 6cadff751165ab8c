import ExcelJS from 'exceljs'
import { Value } from 'typebox/value'
import { describe, expect, it } from 'vitest'
import { type Census, CensusSchema, type LedgerGroup } from '../../schemas'
import { fixtureCensus, fixtureNames } from './fixture'
import { censusCsv, censusFilename, censusHtml, censusXlsx, exportCensus } from './index'

const census = fixtureCensus()
const names = fixtureNames()

describe('exportCensus', () => {
  it('names files suanpan-census-<id>-<period>-<lang>.<ext> with the right content types', async () => {
    const csv = await exportCensus(census, 'csv', 'zh-CN', { names })
    expect(csv.filename).toBe('suanpan-census-7-2026Q4-zh-CN.csv')
    expect(csv.contentType).toBe('text/csv; charset=utf-8')
    expect(typeof csv.body === 'string' && csv.body.startsWith('\uFEFF')).toBe(true)

    const byProvince = await exportCensus(census, 'csv', 'en', { names, breakdown: 'province' })
    expect(byProvince.filename).toBe('suanpan-census-7-2026Q4-province-en.csv')

    const xlsx = await exportCensus(census, 'xlsx', 'en', { names })
    expect(xlsx.filename).toBe('suanpan-census-7-2026Q4-en.xlsx')
    expect(xlsx.contentType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    expect(Buffer.isBuffer(xlsx.body)).toBe(true)

    const html = await exportCensus(census, 'html', 'zh-CN', { names, breakdown: 'province' })
    expect(html.filename).toBe('suanpan-census-7-2026Q4-zh-CN.html')
    expect(html.contentType).toBe('text/html; charset=utf-8')

    const json = await exportCensus(census, 'json', 'en')
    expect(json.filename).toBe('suanpan-census-7-2026Q4.json')
    expect(json.contentType).toBe('application/json; charset=utf-8')
    expect(JSON.parse(String(json.body))).toEqual(census)
  })

  it('rejects an unknown CSV breakdown and ignores breakdown for other formats', async () => {
    await expect(exportCensus(census, 'csv', 'en', { breakdown: 'nope' })).rejects.toMatchObject({ code: 'INVALID_QUERY', statusCode: 400 })
    await expect(exportCensus(census, 'html', 'en', { breakdown: 'nope' })).resolves.toMatchObject({
      contentType: 'text/html; charset=utf-8',
    })
  })

  it('keeps file names to safe ASCII', () => {
    expect(censusFilename({ ...census, period: '2026/../x' }, 'pdf', 'en')).toBe('suanpan-census-7-2026_.._x-en.pdf')
  })
})

/** A census of a ledger with no cluster yet: zeros, nulls and empty lists everywhere. */
function emptyCensus(): Census {
  const c = fixtureCensus()
  const zero: LedgerGroup = {
    key: {},
    clusters: 0,
    nodes: 0,
    devices: 0,
    cpuCores: 0,
    memoryBytes: 0,
    accelerators: {},
    virtualAccelerators: 0,
    strandedAccelerators: 0,
    storage: { capacityBytes: 0, usedBytes: null },
    compute: {
      fp64Pflops: 0,
      fp32Pflops: 0,
      fp16DensePflops: 0,
      int8DensePops: 0,
      devicesWithoutFigure: { fp64: 0, fp32: 0, fp16Dense: 0, int8Dense: 0 },
    },
    utilization: { cpuRequested: null, memoryRequested: null, acceleratorsInUse: null, cpuUsed: null, memoryUsed: null },
    energy: { itPowerKw: 0, facilityPowerKw: 0, pue: null, greenShare: null, carbonIntensityKgPerKwh: null, clustersReporting: 0 },
    asOf: null,
    reports: 0,
  }
  return {
    ...c,
    title: null,
    asOf: null,
    total: zero,
    breakdowns: Object.fromEntries(Object.keys(c.breakdowns).map((b) => [b, []])),
    utilizationBands: c.utilizationBands.map((b) => ({ ...b, clusters: 0, cpuCores: 0, accelerators: 0 })),
    idle: { ...c.idle, totalClusters: 0, clusters: [], totals: { idleCpuCores: 0, idleAccelerators: 0, idleFp16DensePflops: 0 } },
    energy: {
      ...c.energy,
      itPowerKw: 0,
      facilityPowerKw: 0,
      pue: null,
      greenShare: null,
      carbonIntensityKgPerKwh: null,
      annualEnergyMwh: 0,
      annualCarbonTonnes: null,
      pueTargets: [],
    },
    dataQuality: { stale: [], missing: c.dataQuality.missing, unclassified: [] },
    methodNotes: [],
    lineage: [],
  }
}

describe('an empty census', () => {
  it('renders in every format without failing', async () => {
    const census = emptyCensus()
    expect(Value.Check(CensusSchema, census)).toBe(true)
    const csv = censusCsv(census, 'zh-CN')
    expect(csv).toContain('按省份')
    expect(csv).not.toMatch(/NaN|Infinity|undefined/)
    const html = censusHtml(census, 'en')
    expect(html).toContain('No data to chart')
    expect(html).toContain('No entries')
    expect(html).not.toMatch(/NaN|Infinity|undefined/)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load((await censusXlsx(census, 'en')) as unknown as ArrayBuffer)
    expect(wb.getWorksheet('By province')?.rowCount).toBe(2)
  })
})
