import { describe, expect, it } from 'vitest'
import { fixtureCensus, fixtureNames, TRICKY_MODEL, UNCLASSIFIED_RESOURCE } from './fixture'
import { censusHtml, escapeHtml } from './html'
import { formatNumber, type LabelKey, label } from './labels'

const census = fixtureCensus()
const names = fixtureNames()
const SECTIONS: LabelKey[] = [
  'secTotal',
  'secDistribution',
  'secComposition',
  'secTechnology',
  'secUtilization',
  'secStorage',
  'secEnergy',
  'secDataQuality',
  'secMethod',
]

describe('censusHtml', () => {
  const zh = censusHtml(census, 'zh-CN', { names })
  const en = censusHtml(census, 'en', { names })

  it('declares the language and the CJK font stack, with print CSS for A4', () => {
    expect(zh).toMatch(/^<!DOCTYPE html>\n<html lang="zh-CN">/)
    expect(en).toMatch(/^<!DOCTYPE html>\n<html lang="en">/)
    expect(zh).toContain('font-family: "Noto Sans CJK SC", "Noto Sans SC", sans-serif')
    expect(zh).toContain('@page { size: A4;')
    expect(zh).toContain('break-before: page')
    expect(zh).toContain('thead { display: table-header-group; }')
  })

  it('has every section title, in the language', () => {
    for (const key of SECTIONS) {
      expect(zh, key).toContain(`${escapeHtml(label('zh-CN', key))}</h2>`)
      expect(en, key).toContain(`${escapeHtml(label('en', key))}</h2>`)
    }
    expect(zh).toContain('<h1>算力资源普查报告</h1>')
    expect(en).toContain('<h1>Compute Resource Census Report</h1>')
    expect(zh).toContain('2026 年第四季度全国政务算力资源普查')
    // No English section title leaks into the Chinese report and vice versa.
    expect(zh).not.toContain('Total compute')
    expect(en).not.toContain('总量')
  })

  it('escapes every value: model names with <, ", and raw resource names', () => {
    expect(zh).toContain(escapeHtml(TRICKY_MODEL))
    expect(zh).toContain('DCU-K100-AI &lt;&quot;eng&quot;, rev B&gt;')
    expect(zh).not.toContain(TRICKY_MODEL)
    expect(zh).not.toContain(UNCLASSIFIED_RESOURCE)
    expect(zh).not.toContain('<v2>')
    // Catalog sources come from a user file too.
    expect(zh).toContain('&lt;unverified&gt;')
    const hostile = censusHtml(census, 'en', {
      names: { province: { '110000': { zh: '<script>alert(1)</script>', en: '<img src=x onerror=alert(1)>' } } },
    })
    expect(hostile).not.toMatch(/<script|<img/i)
    expect(hostile).toContain('&lt;img src=x onerror=alert(1)&gt;')
  })

  it('is self-contained: no script, no external asset, a CSP that forbids both', () => {
    for (const html of [zh, en]) {
      expect(html).not.toMatch(/<script|<link|<iframe|<img|\bsrc=|\bhref=|url\(|@import/i)
      expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`)
      // The only URL is the SVG namespace.
      expect(html.match(/https?:\/\/[^\s"<]+/g)?.every((u) => u === 'http://www.w3.org/2000/svg')).toBe(true)
    }
  })

  it('draws the three charts as inline SVG with the census numbers', () => {
    expect(zh.match(/<svg /g)?.length).toBe(3)
    expect(zh).toContain('各省份通用算力（FP32）与智能算力（FP16 稠密），前 10 名，PFLOPS')
    expect(zh).toContain('各类型加速卡数量与国产占比')
    expect(zh).toContain('集群 CPU 申请率分布（集群数）')
    const shanghai = census.breakdowns.province?.find((g) => g.key.province === '310000')
    expect(zh).toContain(`>${formatNumber('zh-CN', shanghai?.compute.fp16DensePflops ?? 0, 'pflops')}</text>`)
    expect(zh).toContain('784 张 · 国产 100.0%')
    expect(en).toContain('350 · domestic 0.0%')
  })

  it('shows totals formatted for the locale and province names (or codes without names)', () => {
    const fp32 = formatNumber('zh-CN', census.total.compute.fp32Pflops, 'pflops')
    expect(fp32).toMatch(/^\d{1,3}(,\d{3})*\.\d{3}$/)
    expect(zh).toContain(fp32)
    expect(zh).toContain(formatNumber('zh-CN', census.total.cpuCores, 'int'))
    expect(zh).toContain('北京市')
    expect(en).toContain('Inner Mongolia')
    const bare = censusHtml(census, 'zh-CN')
    expect(bare).not.toContain('北京市')
    expect(bare).toContain('<td>110000</td>')
  })

  it('lists stale and missing clusters and unclassified devices', () => {
    for (const c of [...census.dataQuality.stale, ...census.dataQuality.missing]) expect(zh).toContain(c.clusterId)
    expect(zh).toContain(escapeHtml(UNCLASSIFIED_RESOURCE))
    expect(zh).toContain('新疆维吾尔自治区')
  })

  it('is the same for the same input', () => {
    expect(censusHtml(fixtureCensus(), 'zh-CN', { names: fixtureNames() })).toBe(zh)
    expect(censusHtml(fixtureCensus(), 'en', { names: fixtureNames() })).toBe(en)
  })
})
