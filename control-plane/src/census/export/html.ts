import type { Census, CensusLanguage } from '../../schemas'
import { type CensusNames, codeName, formatNumber, formatValue, type LabelKey, label, type ValueFormat } from './labels'
import {
  bandLabel,
  bandsTable,
  basisTable,
  breakdownTable,
  type Cell,
  catalogNotesTable,
  cellFormat,
  cellValue,
  clusterCountsBlock,
  domesticFigures,
  domesticShareTable,
  domesticSummaryBlock,
  energyBlock,
  energyByProvinceTable,
  identityBlock,
  idleBlock,
  idleTable,
  type KeyValueBlock,
  missingTable,
  pueTargetsTable,
  recommendationsTable,
  reportHeading,
  staleTable,
  storageBlock,
  storageByProvinceTable,
  type Table,
  totalsBlock,
  unclassifiedTable,
  utilizationBlock,
  withoutFigureBlock,
} from './model'

export interface CensusHtmlOptions {
  names?: CensusNames
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** HTML-escape text for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch)
}

const NUMERIC = new Set<ValueFormat>(['int', 'count', 'dec1', 'dec2', 'dec3', 'pflops', 'ratio'])

function td(lang: CensusLanguage, cell: Cell, format: ValueFormat): string {
  const value = cellValue(cell)
  const text = escapeHtml(formatValue(lang, value, format))
  // Numeric columns align right, their unknown values (—) too.
  return NUMERIC.has(format) && (typeof value === 'number' || value === null) ? `<td class="num">${text}</td>` : `<td>${text}</td>`
}

function dataTable(lang: CensusLanguage, table: Table, level: 'h3' | 'h4' = 'h3'): string {
  const cols = table.columns
  const head = `<thead><tr>${cols.map((c) => `<th scope="col"${NUMERIC.has(c.format) ? ' class="num"' : ''}>${escapeHtml(c.header)}</th>`).join('')}</tr></thead>`
  const rows =
    table.rows.length === 0
      ? `<tr><td class="empty" colspan="${cols.length}">${escapeHtml(label(lang, 'noEntries'))}</td></tr>`
      : table.rows
          .map((r) => {
            const cells = cols.map((c, i) => {
              const cell = r[i] ?? null
              return td(lang, cell, cellFormat(cell, c))
            })
            return `<tr>${cells.join('')}</tr>`
          })
          .join('\n')
  const total =
    table.total && table.rows.length > 0
      ? `<tfoot><tr>${cols
          .map((c, i) => {
            const cell = table.total?.[i] ?? null
            return td(lang, cell, cellFormat(cell, c))
          })
          .join('')}</tr></tfoot>`
      : ''
  const note = table.note ? `<p class="note">${escapeHtml(table.note)}</p>` : ''
  return `<div class="block" id="t-${escapeHtml(table.id)}"><${level}>${escapeHtml(table.title)}</${level}>
<table class="data">${head}
<tbody>
${rows}
</tbody>${total}</table>${note}</div>`
}

function kvTable(lang: CensusLanguage, block: KeyValueBlock, withTitle = true): string {
  const rows = block.items
    .map((item) => {
      const value = cellValue(item.value)
      const text = escapeHtml(formatValue(lang, value, item.format))
      return `<tr><th scope="row">${escapeHtml(item.label)}</th><td${typeof value === 'number' ? ' class="num"' : ''}>${text}</td></tr>`
    })
    .join('\n')
  const title = withTitle ? `<h3>${escapeHtml(block.title)}</h3>` : ''
  return `<div class="block kv-block">${title}<table class="kv"><tbody>
${rows}
</tbody></table></div>`
}

// ---------------------------------------------------------------------------------------------
// Charts: inline SVG, no script, sized by viewBox

const CHART_WIDTH = 720
const COLORS = { fp32: '#2f6fb0', fp16: '#d9822b', domestic: '#c0392b', nonDomestic: '#9aa7b4', band: '#4a8c6f', axis: '#888888' }

/** Round a number for SVG coordinates (deterministic, short). */
const n = (v: number) => String(Math.round(v * 10) / 10)

function svgText(x: number, y: number, text: string, attrs = ''): string {
  return `<text x="${n(x)}" y="${n(y)}"${attrs ? ` ${attrs}` : ''}>${escapeHtml(text)}</text>`
}

function chartFrame(title: string, width: number, height: number, body: string): string {
  return `<figure class="chart"><figcaption>${escapeHtml(title)}</figcaption>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${escapeHtml(title)}">
${body}
</svg></figure>`
}

function noData(lang: CensusLanguage, title: string): string {
  return `<figure class="chart"><figcaption>${escapeHtml(title)}</figcaption><p class="note">${escapeHtml(label(lang, 'noChartData'))}</p></figure>`
}

/** Approximate width of SVG text at 10px: CJK characters are square, Latin ones about 0.6 em. */
function textWidth(text: string): number {
  let w = 0
  for (const ch of text) w += /[\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\uff00-\uff60]/u.test(ch) ? 10 : 6
  return w
}

function legend(items: { color: string; text: string }[], y: number): string {
  let x = 0
  return items
    .map((item) => {
      const out = `<rect x="${n(x)}" y="${n(y - 9)}" width="10" height="10" fill="${item.color}"/>${svgText(x + 14, y, item.text)}`
      x += 14 + textWidth(item.text) + 30
      return out
    })
    .join('')
}

/** Grouped horizontal bars: FP32 and FP16-dense PFLOPS per province, the top 15 by FP32. */
function provinceChart(census: Census, lang: CensusLanguage, names: CensusNames | undefined): string {
  const top = [...(census.breakdowns.province ?? [])]
    .sort((a, b) => b.compute.fp32Pflops - a.compute.fp32Pflops || String(a.key.province ?? '').localeCompare(String(b.key.province ?? '')))
    .slice(0, 15)
  const title = label(lang, 'chartProvinces', { n: top.length })
  if (top.length === 0) return noData(lang, title)
  const labelWidth = 120
  const valueWidth = 70
  const row = 27
  const top0 = 28
  const plot = CHART_WIDTH - labelWidth - valueWidth
  const max = Math.max(...top.map((g) => Math.max(g.compute.fp32Pflops, g.compute.fp16DensePflops)), 0) || 1
  const bars = top
    .map((g, i) => {
      const y = top0 + i * row
      const name = codeName(lang, names, 'province', g.key.province ?? null)
      const w32 = (g.compute.fp32Pflops / max) * plot
      const w16 = (g.compute.fp16DensePflops / max) * plot
      return [
        svgText(labelWidth - 8, y + 16, name, 'text-anchor="end"'),
        `<rect x="${labelWidth}" y="${n(y + 2)}" width="${n(w32)}" height="10" fill="${COLORS.fp32}"/>`,
        svgText(labelWidth + w32 + 4, y + 11, formatNumber(lang, g.compute.fp32Pflops, 'pflops'), 'class="v"'),
        `<rect x="${labelWidth}" y="${n(y + 13)}" width="${n(w16)}" height="10" fill="${COLORS.fp16}"/>`,
        svgText(labelWidth + w16 + 4, y + 22, formatNumber(lang, g.compute.fp16DensePflops, 'pflops'), 'class="v"'),
      ].join('')
    })
    .join('\n')
  const height = top0 + top.length * row + 6
  const axis = `<line x1="${labelWidth}" y1="${top0 - 2}" x2="${labelWidth}" y2="${height - 4}" stroke="${COLORS.axis}"/>`
  const key = legend(
    [
      { color: COLORS.fp32, text: label(lang, 'legendFp32') },
      { color: COLORS.fp16, text: label(lang, 'legendFp16') },
    ],
    14,
  )
  return chartFrame(title, CHART_WIDTH, height, `${key}\n${axis}\n${bars}`)
}

/** Stacked horizontal bars: accelerators per kind, domestic part first, with the domestic share. */
function kindChart(census: Census, lang: CensusLanguage): string {
  const title = label(lang, 'chartKinds')
  const kinds = domesticFigures(census, lang).kinds.filter((k) => k.total > 0)
  if (kinds.length === 0) return noData(lang, title)
  const labelWidth = 90
  const valueWidth = 190
  const row = 26
  const top0 = 28
  const plot = CHART_WIDTH - labelWidth - valueWidth
  const max = Math.max(...kinds.map((k) => k.total)) || 1
  const bars = kinds
    .map((k, i) => {
      const y = top0 + i * row
      const wd = (k.domestic / max) * plot
      const wt = (k.total / max) * plot
      const text = label(lang, 'chartKindValue', {
        count: formatNumber(lang, k.total, 'count'),
        share: formatNumber(lang, k.share, 'ratio'),
      })
      return [
        svgText(labelWidth - 8, y + 14, k.name, 'text-anchor="end"'),
        `<rect x="${n(labelWidth + wd)}" y="${n(y + 2)}" width="${n(wt - wd)}" height="16" fill="${COLORS.nonDomestic}"/>`,
        `<rect x="${labelWidth}" y="${n(y + 2)}" width="${n(wd)}" height="16" fill="${COLORS.domestic}"/>`,
        svgText(labelWidth + wt + 6, y + 14, text, 'class="v"'),
      ].join('')
    })
    .join('\n')
  const height = top0 + kinds.length * row + 6
  const key = legend(
    [
      { color: COLORS.domestic, text: label(lang, 'legendDomestic') },
      { color: COLORS.nonDomestic, text: label(lang, 'legendNonDomestic') },
    ],
    14,
  )
  return chartFrame(title, CHART_WIDTH, height, `${key}\n${bars}`)
}

/** Vertical bars: clusters per CPU-requested band. */
function bandsChart(census: Census, lang: CensusLanguage): string {
  const title = label(lang, 'chartBands')
  const bands = census.utilizationBands
  if (bands.length === 0) return noData(lang, title)
  const height = 220
  const base = 185
  const top0 = 20
  const left = 30
  const slot = (CHART_WIDTH - left) / bands.length
  const max = Math.max(...bands.map((b) => b.clusters)) || 1
  const bars = bands
    .map((b, i) => {
      const h = (b.clusters / max) * (base - top0)
      const x = left + i * slot + slot * 0.15
      const w = slot * 0.7
      return [
        `<rect x="${n(x)}" y="${n(base - h)}" width="${n(w)}" height="${n(h)}" fill="${COLORS.band}"/>`,
        svgText(x + w / 2, base - h - 5, formatNumber(lang, b.clusters, 'int'), 'text-anchor="middle" class="v"'),
        svgText(x + w / 2, base + 16, bandLabel(b.min, b.max), 'text-anchor="middle"'),
      ].join('')
    })
    .join('\n')
  const axis = `<line x1="${left}" y1="${base}" x2="${CHART_WIDTH}" y2="${base}" stroke="${COLORS.axis}"/>`
  return chartFrame(title, CHART_WIDTH, height, `${axis}\n${bars}`)
}

// ---------------------------------------------------------------------------------------------

const CSS = `
@page { size: A4; margin: 14mm 12mm 16mm 12mm; }
* { box-sizing: border-box; }
html { font-family: "Noto Sans CJK SC", "Noto Sans SC", sans-serif; font-size: 10pt; color: #1b1f24; line-height: 1.45;
  -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0 auto; max-width: 200mm; padding: 10mm 6mm; }
h1 { font-size: 22pt; margin: 0 0 2mm; letter-spacing: 0.02em; }
h2 { font-size: 15pt; margin: 0 0 4mm; padding-bottom: 1.5mm; border-bottom: 2px solid #2f6fb0; }
h2 .no { color: #2f6fb0; margin-right: 0.4em; }
h3 { font-size: 11pt; margin: 5mm 0 2mm; }
.kicker { color: #2f6fb0; font-weight: bold; letter-spacing: 0.08em; font-size: 9pt; }
.subtitle { font-size: 13pt; margin: 0 0 1mm; }
.heading { color: #555; margin: 0 0 5mm; }
.note { color: #555; font-size: 8pt; margin: 1.5mm 0 0; }
.cards { display: flex; flex-wrap: wrap; gap: 3mm; margin: 5mm 0; }
.card { flex: 1 1 40mm; border: 1px solid #cdd6e0; border-left: 4px solid #2f6fb0; padding: 2mm 3mm; }
.card .name { font-size: 8pt; color: #555; }
.card .figure { font-size: 15pt; font-weight: bold; font-variant-numeric: tabular-nums; }
.card .unit { font-size: 8pt; color: #555; margin-left: 0.3em; }
.columns { display: flex; gap: 6mm; align-items: flex-start; }
.columns > * { flex: 1 1 0; }
table { border-collapse: collapse; }
table.data { width: 100%; font-size: 7.5pt; }
table.data th, table.data td { padding: 1mm 1.2mm; border-bottom: 0.5px solid #d5dbe1; vertical-align: top; overflow-wrap: anywhere; }
table.data th:first-child, table.data td:first-child { min-width: 28mm; }
table.data thead th { background: #eaf0f6; text-align: left; vertical-align: bottom; font-weight: bold; border-bottom: 1px solid #8a9aab; }
table.data tfoot td { font-weight: bold; border-top: 1.2px solid #333; background: #f4f4f4; }
table.kv { font-size: 9pt; width: 100%; }
table.kv th { width: 60%; }
table.kv td.num { text-align: left; }
table.kv th { text-align: left; font-weight: normal; color: #333; padding: 0.8mm 3mm 0.8mm 0; border-bottom: 0.5px solid #e1e5ea; }
table.kv td { padding: 0.8mm 0; border-bottom: 0.5px solid #e1e5ea; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.empty { color: #777; text-align: center; }
figure.chart { margin: 3mm 0 4mm; }
figure.chart figcaption { font-weight: bold; font-size: 9.5pt; margin-bottom: 1.5mm; }
svg text { font-family: "Noto Sans CJK SC", "Noto Sans SC", sans-serif; font-size: 10px; fill: #1b1f24; }
svg text.v { font-size: 9px; fill: #333; }
section { margin-top: 10mm; }
footer { margin-top: 8mm; color: #666; font-size: 8pt; }
@media print {
  body { max-width: none; padding: 0; }
  section { margin-top: 0; break-before: page; }
  section.first { break-before: auto; margin-top: 6mm; }
  thead { display: table-header-group; }
  tfoot { display: table-row-group; }
  tr, figure.chart, .kv-block, .card { break-inside: avoid; }
  h2, h3, figcaption { break-after: avoid; }
}
`

/**
 * The census as one self-contained printable HTML page: no external asset, no script (a CSP forbids
 * both), every text escaped. Sections: total, distribution, composition, technology and domestic share,
 * utilization, storage, energy, data quality, method notes; charts as inline SVG. Pure: the same census,
 * language and names give the same bytes.
 */
export function censusHtml(census: Census, lang: CensusLanguage, options: CensusHtmlOptions = {}): string {
  const names = options.names
  const t = (key: LabelKey) => label(lang, key)
  const heading = reportHeading(census, lang)
  const section = (id: string, no: number, title: LabelKey, body: string[], first = false) =>
    `<section id="${id}"${first ? ' class="first"' : ''}><h2><span class="no">${no}</span>${escapeHtml(t(title))}</h2>
${body.join('\n')}
</section>`
  const compact = (b: Parameters<typeof breakdownTable>[2]) => dataTable(lang, breakdownTable(census, lang, b, names, 'compact'))

  const g = census.total
  const cards = [
    { name: t('basisFp64'), value: g.compute.fp64Pflops, unit: 'PFLOPS' },
    { name: t('basisFp32'), value: g.compute.fp32Pflops, unit: 'PFLOPS' },
    { name: t('basisFp16'), value: g.compute.fp16DensePflops, unit: 'PFLOPS' },
    { name: t('basisInt8'), value: g.compute.int8DensePops, unit: 'POPS' },
  ]
    .map(
      (c) =>
        `<div class="card"><div class="name">${escapeHtml(c.name)}</div><div class="figure">${escapeHtml(
          formatNumber(lang, c.value, 'pflops'),
        )}<span class="unit">${c.unit}</span></div></div>`,
    )
    .join('')

  const cover = `<header class="cover">
<div class="kicker">${escapeHtml(lang === 'zh-CN' ? '算盘 · 算力一本账' : 'Suanpan · national compute ledger')}</div>
<h1>${escapeHtml(t('reportTitle'))}</h1>
<p class="subtitle">${escapeHtml(census.title ?? heading)}</p>
${census.title ? `<p class="heading">${escapeHtml(heading)}</p>` : ''}
<div class="cards">${cards}</div>
${kvTable(lang, identityBlock(census, lang))}
<p class="note">${escapeHtml(t('generatedBy'))}</p>
</header>`

  const sections = [
    section(
      'total',
      1,
      'secTotal',
      [
        `<div class="columns">${kvTable(lang, totalsBlock(census, lang), false)}${kvTable(lang, clusterCountsBlock(census, lang), false)}</div>`,
        `<p class="note">${escapeHtml(t('noteBasis'))} ${escapeHtml(t('noteStale'))}</p>`,
      ],
      true,
    ),
    section('distribution', 2, 'secDistribution', [
      provinceChart(census, lang, names),
      compact('province'),
      compact('hub'),
      compact('level'),
      compact('site'),
    ]),
    section('composition', 3, 'secComposition', [
      compact('kind'),
      compact('vendor'),
      compact('model'),
      compact('arch'),
      `<p class="note">${escapeHtml(t('noteSiteOnly'))}</p>`,
    ]),
    section('technology', 4, 'secTechnology', [
      kindChart(census, lang),
      kvTable(lang, domesticSummaryBlock(census, lang)),
      dataTable(lang, domesticShareTable(census, lang)),
      compact('domestic'),
    ]),
    section('utilization', 5, 'secUtilization', [
      kvTable(lang, utilizationBlock(census, lang)),
      bandsChart(census, lang),
      dataTable(lang, bandsTable(census, lang)),
      kvTable(lang, idleBlock(census, lang)),
      dataTable(lang, idleTable(census, lang, names)),
    ]),
    section('storage', 6, 'secStorage', [
      kvTable(lang, storageBlock(census, lang)),
      dataTable(lang, storageByProvinceTable(census, lang, names)),
    ]),
    section('energy', 7, 'secEnergy', [
      kvTable(lang, energyBlock(census, lang)),
      dataTable(lang, pueTargetsTable(census, lang, names)),
      dataTable(lang, energyByProvinceTable(census, lang, names)),
    ]),
    section('quality', 8, 'secDataQuality', [
      kvTable(lang, clusterCountsBlock(census, lang)),
      dataTable(lang, staleTable(census, lang, names)),
      dataTable(lang, missingTable(census, lang, names)),
      dataTable(lang, unclassifiedTable(census, lang)),
      kvTable(lang, withoutFigureBlock(census, lang)),
    ]),
    section('method', 9, 'secMethod', [
      dataTable(lang, basisTable(census, lang)),
      dataTable(lang, catalogNotesTable(census, lang)),
      `<p class="note">${escapeHtml(`${t('lineageCount')}: ${formatNumber(lang, census.lineage.length, 'int')}. ${t('lineageInWorkbook')}`)}</p>`,
    ]),
    section('recommendations', 10, 'secRecommendations', [dataTable(lang, recommendationsTable(census, lang, names))]),
  ]

  const documentTitle = `${t('reportTitle')} · ${heading}`
  return `<!DOCTYPE html>
<html lang="${lang === 'zh-CN' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(documentTitle)}</title>
<style>${CSS}</style>
</head>
<body>
${cover}
<main>
${sections.join('\n')}
</main>
<footer>${escapeHtml(documentTitle)}</footer>
</body>
</html>
`
}
