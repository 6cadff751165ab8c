import { readFileSync } from 'node:fs'
import AxeBuilder from '@axe-core/playwright'
import type { AuditRecord, Census, CensusComparison, CensusSummary, ClusterSummary } from '@suanpan/control-plane/schemas'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ADMIN_TOKEN,
  artifactPath,
  type ConsoleLocale,
  type ConsoleStack,
  chromiumAvailable,
  ensureConsoleBuilt,
  launchChromium,
  newConsoleContext,
  presetAdminToken,
  startConsoleStack,
} from '../support/browser'

const enabled = chromiumAvailable()

interface NodesResponse {
  clusterId: string
  nodes: unknown[]
}

/** RFC 4180 rows (quoted cells may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"'
        i++
      } else if (ch === '"') quoted = false
      else cell += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') {
      row.push(cell)
      cell = ''
    } else if (ch === '\n') {
      row.push(cell.replace(/\r$/, ''))
      rows.push(row)
      row = []
      cell = ''
    } else cell += ch
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell])
  return rows
}

/** The page has rendered its data: no loading indicator left, the network quiet. */
async function settled(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle')
  await page.locator('main h1').first().waitFor()
  // A locator wait, not waitForFunction: polling a string predicate is an eval, which the console's CSP refuses.
  await page.locator('[aria-busy="true"], .state-loading').first().waitFor({ state: 'detached', timeout: 20_000 })
}

async function numberAt(page: Page, testId: string): Promise<number> {
  const raw = await page.getByTestId(testId).first().getAttribute('data-value')
  expect(raw, `data-value of ${testId}`).not.toBeNull()
  expect(raw).not.toBe('')
  return Number(raw)
}

function expectClose(actual: number, expected: number, what: string): void {
  expect(Math.abs(actual - expected), `${what}: shown ${actual}, API ${expected}`).toBeLessThanOrEqual(Math.abs(expected) * 1e-9 + 1e-9)
}

describe.skipIf(!enabled)('console in real Chromium against the real control plane (60 simulated clusters)', () => {
  let stack: ConsoleStack
  let browser: Browser
  const contexts: BrowserContext[] = []

  /** A page in a fresh context; `token` presets the admin token in its sessionStorage. */
  async function open(path: string, locale?: ConsoleLocale, token?: string): Promise<Page> {
    const context = await newConsoleContext(browser, locale)
    contexts.push(context)
    if (token) await presetAdminToken(context, token)
    const page = await context.newPage()
    await page.goto(`${stack.url}${path}`)
    await settled(page)
    return page
  }

  beforeAll(async () => {
    await ensureConsoleBuilt()
    const [started, launched] = await Promise.allSettled([startConsoleStack({ clusters: 60 }), launchChromium()])
    // Keep whichever came up so afterAll stops it even when the other failed.
    if (started.status === 'fulfilled') stack = started.value
    if (launched.status === 'fulfilled') browser = launched.value
    if (started.status === 'rejected') throw started.reason
    if (launched.status === 'rejected') throw launched.reason
  }, 240_000)

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined)
    await browser?.close()
    await stack?.close()
  })

  it('the overview in Chromium shows the same national totals as GET /api/v1/ledger', async () => {
    const page = await open('/', 'zh-CN')
    const api = await stack.ledger('limit=1')
    const total = api.total
    expectClose(await numberAt(page, 'total-fp32'), total.compute.fp32Pflops, 'FP32 PFLOPS')
    expectClose(await numberAt(page, 'total-fp16'), total.compute.fp16DensePflops, 'FP16 dense PFLOPS')
    expectClose(await numberAt(page, 'total-cpu-cores'), total.cpuCores, 'CPU cores')
    const accelerators = Object.values(total.accelerators).reduce((a, b) => a + b, 0)
    expectClose(await numberAt(page, 'total-accelerators'), accelerators, 'accelerators')
    expectClose(await numberAt(page, 'total-storage'), total.storage?.capacityBytes ?? Number.NaN, 'storage bytes')
    expect(await numberAt(page, 'total-clusters')).toBe(total.clusters)
    expect(total.clusters).toBe(60)
    // The text shown is the same figure, formatted for zh-CN with its unit.
    expect(await page.getByTestId('total-cpu-cores').textContent()).toBe(`${new Intl.NumberFormat('zh-CN').format(total.cpuCores)} 核`)
    expect(await page.getByTestId('total-fp32').textContent()).toContain('PFLOPS')
    // The 24 h trend comes from the history API and is drawn.
    await expect.poll(() => page.getByTestId('trend-chart').locator('path.recharts-curve').count()).toBeGreaterThanOrEqual(3)
  })

  it('drills down from a province tile (keyboard) to site, cluster and the node table', async () => {
    const byProvince = await stack.ledger('groupBy=province')
    const province = byProvince.groups[0]?.key.province
    expect(province).toBeTruthy()
    const page = await open('/ledger', 'zh-CN')
    expect(await page.locator('[data-testid^="tile-"]').count()).toBe(32)

    const tile = page.getByTestId(`tile-${province}`)
    await tile.focus()
    await page.keyboard.press('Enter')
    await page.waitForURL(new RegExp(`province=${province}`))
    await settled(page)
    await expect.poll(() => page.getByTestId('crumb-province').count()).toBe(1)

    await page.getByTestId('drill-site').first().click()
    await page.waitForURL(/site=/)
    await settled(page)
    await page.getByTestId('drill-cluster').first().click()
    await page.waitForURL(/cluster=/)
    await settled(page)

    const clusterId = new URL(page.url()).searchParams.get('cluster') ?? ''
    const cluster = stack.clusters.find((c) => c.identity.clusterId === clusterId)
    expect(cluster?.identity.province).toBe(province)
    const nodes = await stack.get<NodesResponse>(`/api/v1/clusters/${encodeURIComponent(clusterId)}/nodes`)
    expect(nodes.nodes.length).toBeGreaterThan(0)
    expect(await numberAt(page, 'row-count')).toBe(nodes.nodes.length)
    await expect.poll(() => page.getByTestId('node-table').locator('tbody tr.ant-table-row').count()).toBeGreaterThan(0)
    expect(await page.getByTestId('crumb-cluster').textContent()).toBe(clusterId)

    // Back up the trail: the national crumb brings the province map back.
    await page.getByTestId('crumb-national').click()
    await page.waitForURL((url) => !url.search.includes('province='))
    await expect.poll(() => page.locator('[data-testid^="tile-"]').count()).toBe(32)
  })

  it('switches language (page text and antd locale) and keeps it after a reload', async () => {
    const page = await open('/ledger')
    expect(await page.locator('main h1').textContent()).toBe('算力一本账')
    expect(await page.evaluate('document.documentElement.lang')).toBe('zh-CN')

    await page.getByTestId('language-switch').getByText('English').click()
    await expect.poll(() => page.locator('main h1').textContent()).toBe('Compute ledger')
    expect(await page.evaluate('document.documentElement.lang')).toBe('en')
    // antd's own texts follow: an empty Select dropdown says "No data" from antd's en_US locale.
    await page.getByTestId('group-by').click()
    await page.keyboard.type('zzzz')
    await expect.poll(() => page.locator('.ant-select-dropdown').last().textContent()).toContain('No data')
    await page.keyboard.press('Escape')

    await page.reload()
    await settled(page)
    expect(await page.locator('main h1').textContent()).toBe('Compute ledger')
    expect(await page.evaluate('document.documentElement.lang')).toBe('en')
    expect(await page.locator('nav[aria-label="Main navigation"]').textContent()).toContain('Utilization')

    await page.getByTestId('language-switch').getByText('中文').click()
    await expect.poll(() => page.locator('main h1').textContent()).toBe('算力一本账')
    await page.getByTestId('group-by').click()
    await page.keyboard.type('zzzz')
    await expect.poll(() => page.locator('.ant-select-dropdown').last().textContent()).toContain('暂无数据')
  })

  it('exports the rows shown as UTF-8 CSV with a BOM and localized headers', async () => {
    // Province × kind is over a hundred rows: the table is virtualized, the export still has them all.
    const page = await open('/ledger?groupBy=province,kind&sort=fp32.descend', 'zh-CN')
    const shown = await numberAt(page, 'row-count')
    const api = await stack.ledger('groupBy=province,kind&limit=10000')
    expect(shown).toBe(api.totalGroups)
    expect(shown).toBeGreaterThan(60)
    // Virtualized: only a window of the rows is in the DOM.
    expect(await page.getByTestId('ledger-table').locator('.ant-table-row').count()).toBeLessThan(shown)

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()])
    expect(download.suggestedFilename()).toMatch(/^suanpan-ledger-province-kind-.*\.csv$/)
    const bytes = readFileSync(await download.path())
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const rows = parseCsv(bytes.subarray(3).toString('utf8')).filter((r) => r.some((c) => c !== ''))
    const [header, ...body] = rows
    expect(header?.slice(0, 2)).toEqual(['省份', '设备类型'])
    expect(header).toContain('FP32 算力 (PFLOPS)')
    expect(body).toHaveLength(shown)

    // The first row of the file is the first row of the table, value for value.
    const fp32Column = header?.indexOf('FP32 算力 (PFLOPS)') ?? -1
    const firstRow = page.getByTestId('ledger-table').locator('tbody tr.ant-table-row, .ant-table-tbody-virtual .ant-table-row').first()
    expect(await firstRow.locator('td, .ant-table-cell').first().textContent()).toBe(body[0]?.[0])
    expect(await firstRow.locator('[data-col="fp32"]').getAttribute('data-value')).toBe(body[0]?.[fp32Column])
    // And the rows add up to the national total.
    const sum = body.reduce((s, r) => s + Number(r[fp32Column]), 0)
    expect(Math.abs(sum - api.total.compute.fp32Pflops)).toBeLessThan(0.01 * body.length)

    // A text filter narrows what is shown, and the export follows it.
    const provinceName = body[0]?.[0] ?? ''
    await page.getByTestId('table-search').fill(provinceName)
    await expect.poll(() => numberAt(page, 'row-count')).toBeLessThan(shown)
    const filtered = await numberAt(page, 'row-count')
    const [second] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()])
    const secondRows = parseCsv(
      readFileSync(await second.path())
        .subarray(3)
        .toString('utf8'),
    ).filter((r) => r.some((c) => c !== ''))
    expect(secondRows).toHaveLength(filtered + 1)
    for (const r of secondRows.slice(1)) expect(r[0]).toBe(provinceName)
  })

  const PAGES: readonly { name: string; path: (c: ClusterSummary) => string }[] = [
    { name: 'overview', path: () => '/' },
    { name: 'ledger', path: () => '/ledger' },
    {
      name: 'ledger-nodes',
      path: (c) => `/ledger?province=${c.province}&site=${encodeURIComponent(c.site)}&cluster=${encodeURIComponent(c.clusterId)}`,
    },
    { name: 'utilization', path: () => '/utilization' },
    { name: 'energy', path: () => '/energy' },
  ]

  /** Loads a page in one language, saves its screenshot and returns its serious or critical axe findings. */
  async function audit(path: string, name: string, locale: ConsoleLocale, token?: string): Promise<string[]> {
    const page = await open(path, locale, token)
    try {
      expect(await page.evaluate('document.documentElement.lang')).toBe(locale)
      await page.screenshot({ path: artifactPath(`console-${name}-${locale}.png`), fullPage: true })
      // Legacy mode runs axe.run in the page itself (the console has no iframes): the same findings as the
      // default runPartial/finishRun round trip, about three times faster on this machine; only violations
      // are collected in full.
      const result = await new AxeBuilder({ page })
        .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
        .setLegacyMode(true)
        .options({ resultTypes: ['violations'] })
        .analyze()
      return result.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map(
          (v) =>
            `${locale} ${path}: ${v.id} (${v.impact}) ${v.help}\n    ${v.nodes
              .map((n) => n.target.join(' '))
              .slice(0, 5)
              .join('\n    ')}`,
        )
    } finally {
      await page.context().close()
    }
  }

  for (const { name, path } of PAGES) {
    it(`${name}: no serious or critical axe-core violations in zh-CN and en, screenshots saved`, async () => {
      const clusters = await stack.get<{ clusters: ClusterSummary[] }>('/api/v1/clusters')
      const c = clusters.clusters[0]
      if (!c) throw new Error('no cluster registered')
      // Both languages at once: each page runs axe in its own renderer process.
      const findings = (await Promise.all((['zh-CN', 'en'] as const).map((locale) => audit(path(c), name, locale)))).flat()
      expect(findings, findings.join('\n')).toEqual([])
    })
  }

  it('keyboard users get a skip link and visible focus, and arrow keys move between province tiles', async () => {
    const page = await open('/ledger', 'en')
    await page.keyboard.press('Tab')
    const skip = page.locator('.skip-link')
    expect(await page.evaluate('document.activeElement && document.activeElement.className')).toBe('skip-link')
    expect(await skip.textContent()).toBe('Skip to main content')
    await page.keyboard.press('Enter')
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('main')

    const first = page.locator('[data-testid^="tile-"][tabindex="0"]')
    await first.focus()
    expect(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')).toBe('solid')
    const before = await first.getAttribute('data-testid')
    await page.keyboard.press('ArrowDown')
    const after = await page.evaluate('document.activeElement && document.activeElement.getAttribute("data-testid")')
    expect(after).toMatch(/^tile-\d{6}$/)
    expect(after).not.toBe(before)
  })
  /** The census the census test creates; the audit test looks for its record. */
  let census: CensusSummary | undefined

  it('census: the header token (sessionStorage only), a 400 naming the field, create, list, open: FP32 as the API, XLSX link, compare with itself', async () => {
    const page = await open('/census', 'zh-CN')
    const withToken: string[] = []
    page.on('request', (request) => {
      if (!request.url().includes('/api/')) return
      void request.allHeaders().then((headers) => {
        if (headers.authorization) withToken.push(`${request.method()} ${new URL(request.url()).pathname}`)
      })
    })
    // No token yet: the page says where to find it, and creating is off.
    expect(await page.getByTestId('admin-token-missing').textContent()).toContain('.suanpan/admin-token')
    expect(await page.getByTestId('census-create-submit').isDisabled()).toBe(true)
    expect(await page.getByTestId('admin-token-button').getAttribute('data-token-set')).toBe('false')

    // The header's dialog takes the token; it lives in sessionStorage only, never in localStorage or the URL.
    await page.getByTestId('admin-token-button').click()
    await page.getByTestId('admin-token-input').fill(ADMIN_TOKEN)
    await page.getByTestId('admin-token-input').press('Enter')
    await expect.poll(() => page.getByTestId('admin-token-button').getAttribute('data-token-set')).toBe('true')
    expect(await page.evaluate("window.sessionStorage.getItem('suanpan.adminToken')")).toBe(ADMIN_TOKEN)
    expect(await page.evaluate(`Object.values(window.localStorage).some((v) => v.includes(${JSON.stringify(ADMIN_TOKEN)}))`)).toBe(false)
    expect(page.url()).not.toContain(ADMIN_TOKEN)
    expect(await page.getByTestId('admin-token-missing').count()).toBe(0)

    // A period the API refuses: its 400 message, naming the field, is shown.
    await page.getByTestId('census-period').fill('2026Q5')
    await page.getByTestId('census-create-submit').click()
    const error = page.getByTestId('census-create-error')
    await error.waitFor()
    expect(await error.textContent()).toMatch(/period.*must match pattern/)
    expect(await page.getByTestId('census-period').getAttribute('aria-invalid')).toBe('true')

    await page.getByTestId('census-period').fill('2026Q4')
    await page.getByTestId('census-title').fill('浏览器测试普查')
    const [response] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/censuses' && r.request().method() === 'POST', { timeout: 30_000 }),
      page.getByTestId('census-create-submit').click(),
    ])
    expect(response.status()).toBe(201)
    census = (await response.json()) as CensusSummary
    const id = census.id
    await page.getByTestId('census-created').waitFor()
    // Listed (the list is refetched after the creation).
    await page.getByTestId(`census-link-${id}`).waitFor({ timeout: 15_000 })
    const list = await stack.get<{ censuses: CensusSummary[] }>('/api/v1/censuses')
    expect(list.censuses.map((c) => c.id)).toContain(id)
    // The token went with the two POSTs and nothing else.
    await expect.poll(() => withToken.length).toBe(2)
    expect(withToken).toEqual(['POST /api/v1/censuses', 'POST /api/v1/censuses'])

    // The report, rendered from the census JSON, shows the API's totals.
    await page.getByTestId(`census-link-${id}`).click()
    await page.waitForURL(new RegExp(`/census/${id}$`))
    await settled(page)
    const frozen = await stack.get<Census>(`/api/v1/censuses/${id}`)
    expectClose(await numberAt(page, 'census-fp32'), frozen.total.compute.fp32Pflops, 'census FP32 PFLOPS')
    expectClose(await numberAt(page, 'census-fp16'), frozen.total.compute.fp16DensePflops, 'census FP16 PFLOPS')
    expect(await numberAt(page, 'census-lineage')).toBe(frozen.lineage.length)
    expect(await page.locator('main h1').textContent()).toContain('浏览器测试普查')
    for (const chart of ['census-fp32-chart', 'census-fp16-chart', 'census-kind-chart', 'census-bands-chart']) {
      expect(await page.getByTestId(chart).getAttribute('aria-label'), chart).toBeTruthy()
    }

    // Downloads are plain links in the page's language; the XLSX one answers with a workbook.
    const xlsx = page.getByTestId('download-xlsx')
    expect(await xlsx.getAttribute('href')).toBe(`/api/v1/censuses/${id}?format=xlsx&lang=zh-CN`)
    expect(await xlsx.getAttribute('download')).not.toBeNull()
    const file = await fetch(`${stack.url}${await xlsx.getAttribute('href')}`)
    expect(file.status).toBe(200)
    expect(file.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    expect([...new Uint8Array(await file.arrayBuffer()).subarray(0, 2)]).toEqual([0x50, 0x4b])

    // A census compared with itself: every change is zero.
    await page.goto(`${stack.url}/census/compare?a=${id}&b=${id}&by=kind`)
    await settled(page)
    const comparison = await stack.get<CensusComparison>(`/api/v1/censuses/compare?a=${id}&b=${id}&by=kind`)
    const deltas = page.getByTestId('delta')
    expect(await deltas.count()).toBe(9 + comparison.rows.length)
    for (const d of await deltas.all()) {
      expect(await d.getAttribute('data-value')).toBe('0')
      expect(await d.getAttribute('data-direction')).toBe('none')
    }
    expect(await numberAt(page, 'compare-changed')).toBe(0)
  })

  it('audit: a wrong token shows the 401; the trail lists the census creation by admin, filters live in the URL, CSV export, chain intact', async () => {
    if (!census) census = await stack.admin<CensusSummary>('/api/v1/censuses', { method: 'POST', body: { period: '2026Q4' } })
    const id = census.id
    const page = await open('/audit', 'en', 'not-the-admin-token')
    const rejected = page.getByTestId('admin-token-rejected').first()
    await rejected.waitFor()
    // The API's own 401 message, as it words it (it names no token kind the console should rely on).
    const refusal = (await (
      await fetch(`${stack.url}/api/v1/audit`, { headers: { authorization: 'Bearer not-the-admin-token' } })
    ).json()) as { code: string; message: string }
    expect(refusal.code).toBe('UNAUTHENTICATED')
    expect(await rejected.textContent()).toContain(refusal.message)
    // Put the right one in through the dialog.
    await rejected.getByRole('button').click()
    await page.getByTestId('admin-token-input').fill(ADMIN_TOKEN)
    await page.getByTestId('admin-token-input').press('Enter')
    await page.getByTestId('audit-table').waitFor()
    await settled(page)

    const { records } = await stack.admin<{ records: AuditRecord[] }>('/api/v1/audit?limit=100')
    const created = records.find((r) => r.action === 'POST /api/v1/censuses' && r.actor === 'admin' && r.status === 201)
    expect(created, 'the audit record of the census creation').toBeDefined()
    expect(await numberAt(page, 'audit-count')).toBe(records.length)
    const row = page.locator(`[data-testid="audit-table"] tr[data-row-key="${created?.seq}"]`)
    expect(await row.textContent()).toContain('POST /api/v1/censuses')
    expect(await row.locator('td').nth(3).textContent()).toBe('admin')
    expect(await row.locator('[data-outcome]').getAttribute('data-outcome')).toBe('ok')
    // Newest first.
    const seqs = await page
      .locator('[data-testid="audit-table"] tr[data-row-key]')
      .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-row-key'))))
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a))

    // Filters go to the URL (typing is debounced) and to the API.
    await page.getByTestId('audit-actor').fill('admin')
    await page.getByTestId('audit-action').fill('/api/v1/censuses')
    await page.waitForURL((url) => url.searchParams.get('actor') === 'admin' && url.searchParams.get('action') === '/api/v1/censuses')
    await settled(page)
    const filtered = await stack.admin<{ records: AuditRecord[] }>('/api/v1/audit?actor=admin&action=%2Fapi%2Fv1%2Fcensuses&limit=100')
    await expect.poll(() => numberAt(page, 'audit-count')).toBe(filtered.records.length)
    expect(filtered.records.some((r) => r.seq === created?.seq)).toBe(true)

    // The CSV holds the rows shown: BOM, a header, one line per record.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-export').click()])
    const bytes = readFileSync(await download.path())
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const rows = parseCsv(bytes.subarray(3).toString('utf8')).filter((r) => r.some((c) => c !== ''))
    expect(rows[0]?.[0]).toBe('Seq')
    expect(rows).toHaveLength(filtered.records.length + 1)
    expect(rows.slice(1).map((r) => Number(r[0]))).toEqual(filtered.records.map((r) => r.seq))

    // The chain verifies intact, with the head to keep.
    await page.getByTestId('audit-verify').click()
    const result = page.getByTestId('verify-result')
    await result.waitFor()
    expect(await result.getAttribute('data-ok')).toBe('true')
    const verify = await stack.admin<{ ok: boolean; head: { seq: number; hash: string } }>('/api/v1/audit/verify')
    expect(verify.ok).toBe(true)
    expect(Number(await page.getByTestId('verify-head-seq').textContent())).toBeLessThanOrEqual(verify.head.seq)
    expect(await page.getByTestId('verify-head-hash').textContent()).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(id).toBeGreaterThan(0)
  })

  const ADMIN_PAGES: readonly { name: string; path: () => string; token?: string }[] = [
    { name: 'census', path: () => '/census' },
    { name: 'census-report', path: () => `/census/${census?.id ?? 1}` },
    { name: 'census-compare', path: () => `/census/compare?a=${census?.id ?? 1}&b=${census?.id ?? 1}` },
    { name: 'audit', path: () => '/audit', token: ADMIN_TOKEN },
  ]

  for (const { name, path, token } of ADMIN_PAGES) {
    it(`${name}: no serious or critical axe-core violations in zh-CN and en, screenshots saved`, async () => {
      const findings = (await Promise.all((['zh-CN', 'en'] as const).map((locale) => audit(path(), name, locale, token)))).flat()
      expect(findings, findings.join('\n')).toEqual([])
    })
  }
})
