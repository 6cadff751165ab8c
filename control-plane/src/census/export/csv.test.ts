import { Value } from 'typebox/value'
import { describe, expect, it } from 'vitest'
import { LedgerError } from '../../ledger/errors'
import { CENSUS_BREAKDOWNS, type Census, CensusSchema, type LedgerGroup } from '../../schemas'
import { censusCsv } from './csv'
import { fixtureCensus, fixtureNames, TRICKY_MODEL, UNCLASSIFIED_RESOURCE } from './fixture'
import { label, labelTable } from './labels'

/** A tiny RFC 4180 reader written for this test: keeps empty lines (they separate sections), reports bare LFs. */
function parseCsv(text: string): string[][] {
  const records: string[][] = []
  let record: string[] = []
  let field = ''
  let quoted = false
  let i = 0
  while (i < text.length) {
    const ch = text[i]
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"'
        i += 2
      } else if (ch === '"') {
        quoted = false
        i += 1
      } else {
        field += ch
        i += 1
      }
    } else if (ch === '"') {
      if (field !== '') throw new Error(`quote inside an unquoted field at ${i}`)
      quoted = true
      i += 1
    } else if (ch === ',') {
      record.push(field)
      field = ''
      i += 1
    } else if (ch === '\r' && text[i + 1] === '\n') {
      record.push(field)
      records.push(record)
      record = []
      field = ''
      i += 2
    } else if (ch === '\n' || ch === '\r') {
      throw new Error(`bare line break at ${i}`)
    } else {
      field += ch
      i += 1
    }
  }
  if (quoted) throw new Error('unterminated quote')
  if (field !== '' || record.length > 0) {
    record.push(field)
    records.push(record)
  }
  return records
}

const census = fixtureCensus()
const names = fixtureNames()

describe('census export fixture', () => {
  it('is a valid Census (TypeBox CensusSchema)', () => {
    expect(Value.Check(CensusSchema, census)).toBe(true)
    expect([...Value.Errors(CensusSchema, census)]).toEqual([])
  })

  it('has every breakdown summing to the total, null energy on device groups, stale and missing clusters', () => {
    for (const b of CENSUS_BREAKDOWNS) {
      const groups = census.breakdowns[b] ?? []
      expect(groups.length, b).toBeGreaterThan(1)
      const sum = (get: (g: LedgerGroup) => number) => groups.reduce((a, g) => a + get(g), 0)
      expect(sum((g) => g.compute.fp32Pflops)).toBeCloseTo(census.total.compute.fp32Pflops, 9)
      expect(sum((g) => g.compute.fp16DensePflops)).toBeCloseTo(census.total.compute.fp16DensePflops, 9)
      expect(sum((g) => g.cpuCores)).toBe(census.total.cpuCores)
      if (['kind', 'vendor', 'model', 'arch', 'domestic'].includes(b)) for (const g of groups) expect(g.energy).toBeNull()
      else for (const g of groups) expect(g.energy).not.toBeNull()
    }
    expect(census.breakdowns.model?.some((g) => g.key.model === TRICKY_MODEL)).toBe(true)
    expect(census.dataQuality.stale.length).toBe(2)
    expect(census.dataQuality.missing.length).toBe(1)
    expect(census.title).toMatch(/普查/)
  })
})

describe('labels', () => {
  it('has the same keys in zh-CN and en, none empty', () => {
    const zh = labelTable('zh-CN')
    const en = labelTable('en')
    expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort())
    for (const [key, text] of [...Object.entries(zh), ...Object.entries(en)]) expect(text.trim(), key).not.toBe('')
  })
})

describe('censusCsv', () => {
  const text = censusCsv(census, 'zh-CN', { names })
  const records = parseCsv(text.slice(1))

  it('starts with a UTF-8 BOM and uses CRLF line ends only', () => {
    expect(text.charCodeAt(0)).toBe(0xfeff)
    expect(Buffer.from(text, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]))
    expect(text.endsWith('\r\n')).toBe(true)
    expect(/[^\r]\n/.test(text)).toBe(false)
  })

  it('has a header block with the census identity', () => {
    const value = (name: string) => records.find((r) => r[0] === name)?.[1]
    expect(records[0]).toEqual([label('zh-CN', 'reportTitle')])
    expect(value('普查编号')).toBe(String(census.id))
    expect(value('普查期')).toBe(census.period)
    expect(value('标题')).toBe(census.title)
    expect(value('冻结时间（北京时间）')).toBe('2027-01-01T00:00:00+08:00')
    expect(Date.parse(value('数据截至（北京时间）') ?? '')).toBe(Date.parse(census.asOf ?? ''))
    expect(value('设备目录版本')).toBe(census.catalog.version)
    expect(records.filter((r) => r[0] === '口径').map((r) => r[1])).toContain('智能算力（FP16 稠密）')
  })

  /** Sections: [title], header, rows, total; separated by one empty record. */
  function section(title: string): { header: string[]; rows: string[][]; total: string[] } {
    const start = records.findIndex((r) => r.length === 1 && r[0] === title)
    expect(start, title).toBeGreaterThan(0)
    expect(records[start - 1], `empty line before ${title}`).toEqual([''])
    let end = start + 1
    while (end < records.length && !(records[end]?.length === 1 && records[end]?.[0] === '')) end += 1
    const body = records.slice(start + 1, end)
    const [header, ...rest] = body
    const total = rest.pop()
    if (!header || !total) throw new Error(`section ${title} is empty`)
    return { header, rows: rest, total }
  }

  it('has one section per breakdown with the census numbers, written plainly', () => {
    const titles = ['按省份', '按枢纽集群', '按平台层级', '按站点', '按设备类型', '按厂商', '按型号', '按架构', '国产与非国产']
    for (const [i, b] of CENSUS_BREAKDOWNS.entries()) {
      const title = titles[i] ?? ''
      const { header, rows, total } = section(title)
      const groups = census.breakdowns[b] ?? []
      expect(rows.length, title).toBe(groups.length)
      const fp32 = header.indexOf('通用算力 FP32（PFLOPS）')
      const fp16 = header.indexOf('智能算力 FP16 稠密（PFLOPS）')
      const cores = header.indexOf('CPU 核数')
      expect(fp32).toBeGreaterThan(0)
      rows.forEach((row, j) => {
        const g = groups[j]
        if (!g) throw new Error('row without group')
        expect(Number(row[fp32])).toBe(g.compute.fp32Pflops)
        expect(Number(row[fp16])).toBe(g.compute.fp16DensePflops)
        expect(Number(row[cores])).toBe(g.cpuCores)
        expect(row[fp32]).not.toMatch(/[,\s]|e/i)
      })
      expect(total[0]).toBe('合计')
      expect(Number(total[fp32])).toBe(census.total.compute.fp32Pflops)
      expect(rows.reduce((a, r) => a + Number(r[fp32]), 0)).toBeCloseTo(census.total.compute.fp32Pflops, 9)
      expect(Number(total[cores])).toBe(census.total.cpuCores)
    }
  })

  it('writes province names next to codes, ratios as decimals, unknowns empty', () => {
    const { header, rows } = section('按省份')
    const beijing = rows.find((r) => r[0] === '110000')
    expect(beijing?.[1]).toBe('北京市')
    const group = census.breakdowns.province?.find((g) => g.key.province === '110000')
    const pue = header.indexOf('PUE（按能耗加权）')
    const requested = header.indexOf('CPU 申请率')
    expect(Number(beijing?.[pue])).toBe(group?.energy?.pue)
    expect(Number(beijing?.[requested])).toBe(group?.utilization.cpuRequested)
    expect(Number(beijing?.[requested])).toBeLessThan(1)
    // Hebei's second cluster reports no usage metrics; Gansu has no energy feed: no PUE, written as empty.
    const gansu = rows.find((r) => r[0] === '620000')
    expect(gansu?.[pue]).toBe('')
    // A site outside any hub: empty hub code, named 枢纽外.
    const hubs = section('按枢纽集群')
    expect(hubs.rows.find((r) => r[0] === '')?.[1]).toBe('枢纽外')
  })

  it('quotes commas, quotes and angle brackets so they round-trip', () => {
    expect(text).toContain('"DCU-K100-AI <""eng"", rev B>"')
    expect(text).toContain('"example.com/npu<v2>,""beta"""')
    const models = section('按型号').rows.map((r) => r[0])
    expect(models).toContain(TRICKY_MODEL)
    expect(models).toContain(UNCLASSIFIED_RESOURCE)
  })

  it('with a breakdown gives one plain table: header and rows, nothing else', () => {
    const csv = censusCsv(census, 'en', { breakdown: 'model', names })
    expect(csv.charCodeAt(0)).toBe(0xfeff)
    const rows = parseCsv(csv.slice(1))
    const groups = census.breakdowns.model ?? []
    expect(rows.length).toBe(groups.length + 1)
    const header = rows[0] ?? []
    expect(header[0]).toBe('Model')
    const fp16 = header.indexOf('Intelligent FP16 dense (PFLOPS)')
    expect(fp16).toBeGreaterThan(0)
    expect(header.some((h) => /Storage|PUE/.test(h))).toBe(false) // energy and storage are not split by device
    rows.slice(1).forEach((r, i) => {
      expect(r[0]).toBe(groups[i]?.key.model)
      expect(Number(r[fp16])).toBe(groups[i]?.compute.fp16DensePflops)
    })
    expect(rows.some((r) => r[0] === 'Total')).toBe(false)
  })

  it('breakdown=total is the census total as one row', () => {
    const rows = parseCsv(censusCsv(census, 'en', { breakdown: 'total' }).slice(1))
    expect(rows.length).toBe(2)
    const header = rows[0] ?? []
    expect(Number(rows[1]?.[header.indexOf('General FP32 (PFLOPS)')])).toBe(census.total.compute.fp32Pflops)
    expect(Number(rows[1]?.[header.indexOf('Clusters')])).toBe(census.total.clusters)
  })

  it('falls back to the code when no names are given', () => {
    const rows = parseCsv(censusCsv(census, 'zh-CN', { breakdown: 'province' }).slice(1))
    for (const r of rows.slice(1)) expect(r[1]).toBe(r[0])
  })

  it('rejects an unknown breakdown with a 400 INVALID_QUERY', () => {
    expect(() => censusCsv(census, 'zh-CN', { breakdown: 'galaxy' })).toThrow(LedgerError)
    try {
      censusCsv(census, 'zh-CN', { breakdown: 'galaxy' })
    } catch (err) {
      expect((err as LedgerError).code).toBe('INVALID_QUERY')
      expect((err as LedgerError).statusCode).toBe(400)
    }
  })

  it('defuses text that a spreadsheet would run as a formula', () => {
    const evil: Census = structuredClone(census)
    const model = evil.breakdowns.model?.[0]
    if (!model) throw new Error('no model group')
    model.key = { model: '=HYPERLINK("http://x.example","click")' }
    const rows = parseCsv(censusCsv(evil, 'en', { breakdown: 'model' }).slice(1))
    expect(rows[1]?.[0]).toBe('\'=HYPERLINK("http://x.example","click")')
  })

  it('is deterministic', () => {
    expect(censusCsv(fixtureCensus(), 'zh-CN', { names })).toBe(text)
  })
})
