import AxeBuilder from '@axe-core/playwright'
import type { QuotaUsage, Workload, WorkloadExplain, WorkloadList } from '@suanpan/control-plane/schemas'
import type { Browser, BrowserContext, Page, Response } from 'playwright-core'
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

/** What the page says in each language, where a test checks the words. */
const TEXT: Readonly<Record<ConsoleLocale, Record<'title' | 'replicas' | 'template' | 'neverFits' | 'unlimited' | 'nav', string>>> = {
  'zh-CN': {
    title: '调度',
    nav: '调度',
    replicas: '“副本数”（/replicas）',
    template: '“模板（JSON）”（/template）',
    neverFits: '作业被拒绝：任何集群都放不下',
    unlimited: '不限',
  },
  en: {
    title: 'Scheduling',
    nav: 'Scheduling',
    replicas: '"Replicas" (/replicas)',
    template: '"Template (JSON)" (/template)',
    neverFits: 'Workload rejected: no cluster could ever hold it',
    unlimited: 'unlimited',
  },
}

const JOB = {
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'browser-test' },
  spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'registry.local/train:1' }] } } },
}

/** The page has rendered its data: no loading indicator left, the network quiet. */
async function settled(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle')
  await page.locator('main h1').first().waitFor()
  await page.locator('[aria-busy="true"], .state-loading').first().waitFor({ state: 'detached', timeout: 20_000 })
}

const isWorkloadCall =
  (method: string, path = '/api/v1/workloads') =>
  (r: Response) =>
    new URL(r.url()).pathname === path && r.request().method() === method

/** Clicks submit and returns the API's answer to the POST it sends. */
async function submit(page: Page): Promise<Response> {
  const [response] = await Promise.all([
    page.waitForResponse(isWorkloadCall('POST'), { timeout: 30_000 }),
    page.getByTestId('workload-submit').click(),
  ])
  return response
}

describe.skipIf(!enabled)('console scheduling page (调度) in real Chromium against the real control plane (60 simulated clusters)', () => {
  let stack: ConsoleStack
  let browser: Browser
  const contexts: BrowserContext[] = []
  /** A workload the flow tests leave placed, for the accessibility checks of the decision panel. */
  let kept: Workload | undefined

  async function open(path: string, locale: ConsoleLocale, token: string | null = ADMIN_TOKEN): Promise<Page> {
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
    const [started, launched] = await Promise.allSettled([startConsoleStack({ clusters: 60, historyHours: 0 }), launchChromium()])
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

  it('without the administrator token the page says where to find it and asks the API nothing', async () => {
    const calls: string[] = []
    const context = await newConsoleContext(browser, 'zh-CN')
    contexts.push(context)
    const page = await context.newPage()
    page.on('request', (r) => {
      const path = new URL(r.url()).pathname
      if (path.startsWith('/api/v1/workloads') || path === '/api/v1/quotas') calls.push(path)
    })
    await page.goto(`${stack.url}/scheduling`)
    await settled(page)
    expect(await page.locator('main h1').textContent()).toBe('调度')
    expect(await page.locator('nav a[href="/scheduling"]').getAttribute('aria-current')).toBe('page')
    expect(await page.getByTestId('admin-token-missing').textContent()).toContain('.suanpan/admin-token')
    expect(await page.getByTestId('workload-form').count()).toBe(0)
    expect(calls).toEqual([])
  })

  for (const locale of ['zh-CN', 'en'] as const) {
    it(`${locale}: submit a GPU workload (placed, cluster chip), why here (candidates, filter counts), 400 and bad JSON naming the field, 422 with its reason, quota, cancel`, async () => {
      const text = TEXT[locale]
      const page = await open('/scheduling', locale)
      expect(await page.locator('main h1').textContent()).toBe(text.title)
      expect(await page.locator('nav').textContent()).toContain(text.nav)
      const department = `browser-${locale}`

      // A GPU workload through the form: 2 replicas of 1 GPU, gang.
      await page.locator('#workload_name').fill(`gpu-${locale}`)
      await page.locator('#workload_department').fill(department)
      await page.locator('#workload_replicas').fill('2')
      const response = await submit(page)
      expect(response.status()).toBe(201)
      const created = (await response.json()) as Workload
      expect(created.state).toBe('placed')
      expect(created.acceleratorKind).toBe('GPU')
      expect(created.placements).toHaveLength(1)
      const placement = created.placements[0] as Workload['placements'][number]
      expect(placement.replicas).toBe(2)
      expect(placement.devices).toBe(2)
      // It went to a simulated cluster with GPUs.
      expect(stack.clusters.map((c) => c.identity.clusterId)).toContain(placement.clusterId)
      expect(placement.classKey).toMatch(/^GPU\|/)
      expect(await page.getByTestId('workload-submitted').getAttribute('data-state')).toBe('placed')

      // In the queue as placed, with a chip naming the cluster and its replicas.
      const row = page.locator(`[data-testid="workload-table"] tr[data-row-key="${created.id}"]`)
      await row.waitFor({ timeout: 15_000 })
      expect(await row.getByTestId('workload-state').getAttribute('data-state')).toBe('placed')
      const chip = row.getByTestId('placement-chip')
      expect(await chip.count()).toBe(1)
      expect(await chip.getAttribute('data-cluster')).toBe(placement.clusterId)
      expect(await chip.getAttribute('data-replicas')).toBe('2')
      expect(await chip.getAttribute('data-state')).toBe('assigned')
      expect(await chip.textContent()).toContain(`${placement.clusterId} × 2`)
      const list = await stack.admin<WorkloadList>('/api/v1/workloads')
      await expect.poll(() => page.getByTestId('state-count-placed').getAttribute('data-value')).toBe(String(list.byState.placed ?? 0))
      await expect.poll(() => page.getByTestId('workload-count').getAttribute('data-value')).toBe(String(list.total))

      // The department's quota usage: 2 GPUs of an unlimited quota.
      const quota = page.getByTestId(`quota-devices-${department}-GPU`)
      await expect.poll(() => quota.getAttribute('data-used'), { timeout: 15_000 }).toBe('2')
      expect(await quota.getAttribute('data-quota')).toBe('')
      expect(await quota.textContent()).toContain(text.unlimited)
      const usage = await stack.admin<QuotaUsage>('/api/v1/quotas')
      const gpu = usage.departments.find((d) => d.department === department)?.kinds.find((k) => k.kind === 'GPU')
      expect(gpu?.devicesUsed).toBe(2)
      expect(gpu?.devicesQuota).toBeNull()

      // Why here, why not there: the panel shows the API's explanation.
      await row.getByTestId('workload-explain').click()
      await page.waitForURL(new RegExp(`workload=${created.id}`))
      const panel = page.getByTestId('why-panel')
      await panel.waitFor()
      const explain = await stack.admin<WorkloadExplain>(`/api/v1/workloads/${created.id}/explain`)
      const x = explain.explanation
      if (!x) throw new Error('no explanation')
      expect(x.feasible).toBeGreaterThan(0)
      expect(Number(await panel.getByTestId('why-feasible').getAttribute('data-value'))).toBe(x.feasible)
      expect(Number(await panel.getByTestId('why-evaluated').getAttribute('data-value'))).toBe(x.evaluated)
      expect(Number(await panel.getByTestId('why-clusters').getAttribute('data-value'))).toBe(60)
      for (const reason of ['residency', 'capability', 'health', 'capacity', 'nodeFit'] as const) {
        expect(Number(await panel.getByTestId(`why-filtered-${reason}`).getAttribute('data-value')), reason).toBe(x.filtered[reason])
      }
      // The CPU-only clusters of the fleet are filtered out for capability.
      expect(x.filtered.capability).toBeGreaterThan(0)
      const top = panel.getByTestId('why-top').locator('tbody tr.ant-table-row')
      await expect.poll(() => top.count()).toBe(x.top.length)
      expect(x.top.length).toBeGreaterThan(1)
      expect(await top.first().locator('td').nth(1).textContent()).toBe(x.top[0]?.clusterId)
      expect(Number(await top.first().locator('[data-col="score"]').getAttribute('data-value'))).toBe(x.top[0]?.score)
      const chosen = panel.locator('tr.row-chosen')
      expect(await chosen.locator('td').nth(1).textContent()).toBe(placement.clusterId)
      expect(await panel.getByTestId('why-placed-on').textContent()).toBe(placement.clusterId)
      expect(await panel.getByTestId('why-contribution-chart').getAttribute('aria-label')).toContain(x.top[0]?.clusterId ?? '?')
      expect(await panel.getByTestId('why-history').locator('tbody tr.ant-table-row').count()).toBe(explain.decisions.length)
      await page.mouse.move(1, 1)
      await page.screenshot({ path: artifactPath(`console-scheduling-why-${locale}.png`) })
      await page.keyboard.press('Escape')
      await page.waitForURL((url) => !url.search.includes('workload='))

      // Replicas 0: the API's 400 names the field, in the summary and beside the field.
      await page.locator('#workload_replicas').fill('0')
      const bad = await submit(page)
      expect(bad.status()).toBe(400)
      const invalid = page.getByTestId('workload-submit-invalid')
      await invalid.waitFor()
      expect(await invalid.textContent()).toContain(text.replicas)
      expect(await invalid.textContent()).toContain('must be >= 1')
      expect(await page.locator('#workload_replicas').getAttribute('aria-invalid')).toBe('true')
      expect(await page.locator('#workload_replicas_help').textContent()).toContain('must be >= 1')
      // Editing the field clears its mark.
      await page.locator('#workload_replicas').fill('1')
      await expect.poll(() => page.locator('#workload_replicas').getAttribute('aria-invalid')).toBeNull()

      // A template that is not JSON never leaves the browser; the error names the field.
      const posts: string[] = []
      const onRequest = (r: { url(): string; method(): string }) => {
        if (r.method() === 'POST' && r.url().includes('/api/v1/workloads')) posts.push(r.url())
      }
      page.on('request', onRequest)
      await page.locator('#workload_template').fill('{ "apiVersion": "batch/v1", "kind": "Job",')
      await page.getByTestId('workload-submit').click()
      await expect.poll(() => invalid.textContent()).toContain(text.template)
      expect(await page.locator('#workload_template').getAttribute('aria-invalid')).toBe('true')
      expect(posts).toEqual([])
      page.off('request', onRequest)

      // 10,000 replicas of one GPU, gang: no cluster could ever hold them (422, with the reason).
      await page.locator('#workload_template').fill(JSON.stringify(JOB, null, 2))
      await page.locator('#workload_name').fill(`too-big-${locale}`)
      await page.locator('#workload_replicas').fill('10000')
      const refused = await submit(page)
      expect(refused.status()).toBe(422)
      expect(((await refused.json()) as { code: string }).code).toBe('WORKLOAD_NEVER_FITS')
      const rejected = page.getByTestId('workload-submit-rejected')
      await rejected.waitFor()
      expect(await rejected.getAttribute('data-reason')).toBe('never-fits')
      expect(await rejected.textContent()).toContain(text.neverFits)
      expect(await page.getByTestId('workload-submit-invalid').count()).toBe(0)
      // Rejected workloads are kept (the owner can read why) and counted.
      const afterReject = await stack.admin<WorkloadList>('/api/v1/workloads')
      await expect
        .poll(() => page.getByTestId('state-count-rejected').getAttribute('data-value'))
        .toBe(String(afterReject.byState.rejected ?? 0))
      await page.screenshot({ path: artifactPath(`console-scheduling-${locale}.png`), fullPage: true })

      // Filter the queue by state: in the URL, and only rejected rows are left.
      await page.getByTestId('state-count-rejected').click()
      await page.waitForURL(/state=rejected/)
      await expect
        .poll(() => page.locator('[data-testid="workload-table"] [data-testid="workload-state"]').count())
        .toBe(Math.min(afterReject.byState.rejected ?? 0, 20))
      for (const s of await page.locator('[data-testid="workload-table"] [data-testid="workload-state"]').all()) {
        expect(await s.getAttribute('data-state')).toBe('rejected')
      }
      await page.getByTestId('state-count-all').click()
      await page.waitForURL((url) => !url.search.includes('state='))

      // Cancel, after confirming: released, the chip withdrawn, the quota given back.
      await row.getByTestId('workload-cancel').click()
      const [deleted] = await Promise.all([
        page.waitForResponse(isWorkloadCall('DELETE', `/api/v1/workloads/${created.id}`)),
        page.getByTestId('workload-cancel-confirm').click(),
      ])
      expect(deleted.status()).toBe(200)
      await page.getByTestId('workload-cancelled').waitFor()
      await expect.poll(() => row.getByTestId('workload-state').getAttribute('data-state')).toBe('cancelled')
      await expect.poll(() => row.getByTestId('placement-chip').getAttribute('data-state')).toBe('withdrawn')
      expect(await row.getByTestId('workload-cancel').count()).toBe(0)
      expect((await stack.admin<Workload>(`/api/v1/workloads/${created.id}`)).state).toBe('cancelled')
      await expect.poll(() => page.getByTestId(`quota-devices-${department}-GPU`).count()).toBe(0)

      // Leave one placed for the accessibility checks of the decision panel.
      if (!kept) {
        kept = await stack.admin<Workload>('/api/v1/workloads', {
          method: 'POST',
          body: {
            name: 'axe-check',
            owner: { department: 'axe', region: 'national' },
            priority: 0,
            replicas: 1,
            resources: { cpuMillis: 4000, memoryBytes: 16 * 1024 ** 3, accelerators: { kind: 'GPU', count: 1 } },
            placement: { mode: 'gang' },
            template: JOB,
          },
        })
      }
    })
  }

  /** Loads a page in one language and returns its serious or critical axe findings. */
  async function axe(path: string, locale: ConsoleLocale, wait: (page: Page) => Promise<unknown>): Promise<string[]> {
    const page = await open(path, locale)
    try {
      await wait(page)
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

  it('scheduling: no serious or critical axe-core violations in zh-CN and en (page and decision panel)', async () => {
    const id = kept?.id
    if (!id) throw new Error('the flow tests left no workload')
    const findings = (
      await Promise.all(
        (['zh-CN', 'en'] as const).flatMap((locale) => [
          // With the API's 400 shown beside a field, so the error colours are checked too.
          axe('/scheduling', locale, async (page) => {
            await page.getByTestId('workload-table').waitFor()
            await page.locator('#workload_replicas').fill('0')
            await page.getByTestId('workload-submit').click()
            await page.locator('#workload_replicas_help').waitFor()
            // Not hovering the button, which has finished loading (antd's hover and loading shades are lighter).
            await page.mouse.move(1, 1)
            await page.locator('[data-testid="workload-submit"]:not(.ant-btn-loading)').waitFor()
            await page.waitForTimeout(400)
          }),
          axe(`/scheduling?workload=${id}`, locale, (page) => page.getByTestId('why-panel').waitFor()),
        ]),
      )
    ).flat()
    expect(findings, findings.join('\n')).toEqual([])
  })
})
