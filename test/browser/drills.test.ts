// The DR drills page (灾备演练) in real Chromium against the real control plane, with no DR lab: the real lab
// and real drills are test/dr/lab.test.ts (minutes of processes). Here the lab directory first has nothing in
// it (the API refuses to start a drill: 409 DR_LAB_MISSING, the demo's normal state); for the runs, a lab.json
// stand-in is written and the drill runner is faked (as test/dr/api.test.ts does), so a run's whole path through
// the page — start, progress, kill switch, verdict, details, report files — takes seconds.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import AxeBuilder from '@axe-core/playwright'
import type { DrillRunSummary, DrillSchedule } from '@suanpan/control-plane/schemas'
import type { Browser, BrowserContext, Page, Response } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DrillOptions } from '../../control-plane/src/dr/drills'
import { fitLevel, loadLevels } from '../../control-plane/src/dr/gbt20988'
import { type DrillReport, REPORT_SCHEMA, saveReport } from '../../control-plane/src/dr/report'
import type { DrillRunner } from '../../control-plane/src/dr/service'
import { FAST_TIMINGS } from '../../control-plane/src/dr/state'
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

const AUDITOR = 'audit-dr'
const PASSWORD = 'Correct-Horse-9-Battery'

/** What the page says in each language, where a test checks the words. */
const TEXT: Readonly<
  Record<
    ConsoleLocale,
    Record<'title' | 'a1' | 'noLab' | 'disabled' | 'required' | 'pass' | 'aborted' | 'lang' | 'forbidden' | 'timezone', string>
  >
> = {
  'zh-CN': {
    title: '灾备演练',
    a1: '主中心A1整体失效',
    noLab: '演练未开始：未配置灾备实验室',
    disabled: '不能开始：未配置灾备实验室',
    required: '必填',
    pass: '通过',
    aborted: '已中止',
    lang: '中文',
    forbidden: '您的角色（审计员 · 全国）无权开始和中止灾备演练、管理定时演练',
    timezone: 'Asia/Shanghai（北京时间）',
  },
  en: {
    title: 'DR drills',
    a1: 'Center A1 lost',
    noLab: 'The drill did not start: no DR lab is configured',
    disabled: 'Cannot start: no DR lab is configured',
    required: 'Required',
    pass: 'Pass',
    aborted: 'Aborted',
    lang: 'English',
    forbidden: 'Your role (Auditor · National) may not run and abort DR drills or manage drill schedules',
    timezone: 'Asia/Shanghai (Beijing time)',
  },
}

const work = mkdtempSync(join(tmpdir(), 'suanpan-browser-drills-'))
/** The control plane's DR lab directory: empty (no lab) until a test writes the lab.json stand-in. */
const LAB = join(work, 'lab')
const LAB_JSON = join(LAB, 'lab.json')

function fakeReport(scenario: string, options: DrillOptions, rto: number, verdict: DrillReport['verdict']): DrillReport {
  const startedAt = new Date(Date.now() - 42_000).toISOString()
  const endedAt = new Date().toISOString()
  const integrity = {
    ok: true,
    members: ['A1', 'A2', 'B1'].map((member, i) => ({
      member,
      role: i === 0 ? 'leader' : 'replica',
      tables: [
        { table: 'clusters', rows: 3, checksum: 'a3f9c2e8b1d07e6f55aa' },
        { table: 'ledger_nodes', rows: 120, checksum: '0c4e91d2f3a8b7c6d5e4' },
      ],
    })),
    note: 'row counts and checksums identical on every member (faked)',
  }
  return {
    schema: REPORT_SCHEMA,
    id: `fake-${scenario}-${Math.random().toString(16).slice(2, 8)}`,
    scenario,
    title: 'Center A1 lost',
    titleZh: '主中心A1整体失效',
    description: 'kill -9 of everything in A1 (faked)',
    trigger: options.trigger ?? 'manual',
    operator: options.operator ?? 'op',
    startedAt,
    endedAt,
    durationSeconds: 42,
    lab: {
      id: 'fake',
      dir: options.dir ?? '',
      host: 'h',
      timings: FAST_TIMINGS,
      engines: { patroni: '3.0.2' },
      topology: 't',
      pgGuard: false,
    },
    targets: { rtoSeconds: 30, rpoWrites: 0, rpoSeconds: 0, lagBoundBytes: 1, requireReplication: true },
    preflight: { ok: true, checks: [{ name: 'A1 healthy', ok: true, detail: 'leader' }] },
    steps: [
      { name: 'pre-flight', startedAt: 0, seconds: 1.25, sinceFault: null, timeoutSeconds: 30, status: 'ok', detail: {} },
      { name: 'fault: kill -9 A1', startedAt: 1.3, seconds: 0.01, sinceFault: 0, timeoutSeconds: 5, status: 'ok', detail: { pids: 7 } },
      {
        name: 'wait for the first acknowledged write',
        startedAt: 1.31,
        seconds: rto,
        sinceFault: rto,
        timeoutSeconds: 60,
        status: verdict === 'aborted' ? 'aborted' : 'ok',
        detail: { via: 'A2' },
      },
    ],
    measurements: {
      faultAt: startedAt,
      firstAckAt: endedAt,
      rtoSeconds: rto,
      phases: { detectionSeconds: 8, promotionSeconds: 0.3, trafficSwitchSeconds: 0.1 },
      rpo: {
        checkedOn: 'A2',
        ackedWrites: 90,
        missingWrites: 0,
        missingSequences: [],
        missingSpanSeconds: 0,
        rpoSeconds: 0,
        lastSequenceInLedger: 1,
      },
      rpoAfterRecovery: null,
      probe: { writes: 90, acked: 90, failed: 0, intervalMs: 100, byTarget: { A1: 40, A2: 50 } },
      integrity,
      integrityAfterRecovery: null,
      replication: { reestablished: true, note: 'streaming again' },
      switchover: null,
      extra: {},
    },
    findings: [],
    verdict,
    verdictReasons: verdict === 'aborted' ? ['aborted: kill switch'] : [],
    gbt20988: fitLevel(loadLevels(), rto, 0),
    exports: { json: '', html: '', pdf: '' },
  }
}

/**
 * A stand-in for runDrill (a real drill needs the lab's processes and takes minutes): it reports progress, waits
 * until released (or aborted, as the kill switch does), then saves and returns a report as runDrill does.
 */
function fakeRunner() {
  const calls: string[] = []
  let release: () => void = () => {}
  const runner: DrillRunner = async (scenario, options) => {
    calls.push(scenario)
    options.progress?.('pre-flight: kill switch off', { ok: true, detail: 'no kill-switch file' })
    options.progress?.('fault: kill -9 of everything in A1', { status: 'start' })
    await new Promise<void>((resolve) => {
      release = resolve
      options.signal?.addEventListener('abort', () => resolve())
    })
    const report = fakeReport(scenario, options, 9.5, options.signal?.aborted ? 'aborted' : 'pass')
    const files = saveReport(options.dir ?? '', report)
    return { report, files }
  }
  return { runner, calls, release: () => release() }
}

/** The page has rendered its data: no loading indicator left, the network quiet. */
async function settled(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle')
  await page.locator('main h1').first().waitFor()
  await page.locator('[aria-busy="true"], .state-loading').first().waitFor({ state: 'detached', timeout: 20_000 })
}

const isCall =
  (method: string, path: string) =>
  (r: Response): boolean =>
    new URL(r.url()).pathname === path && r.request().method() === method

/** Confirms running the scenario's drill and returns the API's answer to the POST. */
async function runDrill(page: Page, scenario: string): Promise<Response> {
  await page.locator(`[data-testid="drill-scenario"][data-scenario="${scenario}"] [data-testid="drill-run"]`).click()
  const [response] = await Promise.all([
    page.waitForResponse(isCall('POST', '/api/v1/drills'), { timeout: 30_000 }),
    page.getByTestId('drill-run-confirm').click(),
  ])
  return response
}

/** Picks an option of the schedule form's scenario select by its visible label. */
async function pickScenario(page: Page, label: string): Promise<void> {
  await page.locator('#drill_schedule_scenario').click()
  await page
    .locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option')
    .filter({ hasText: label })
    .first()
    .click()
}

async function addSchedule(page: Page, cron: string): Promise<Response> {
  await page.locator('#drill_schedule_cron').fill(cron)
  const [response] = await Promise.all([
    page.waitForResponse(isCall('POST', '/api/v1/drill-schedules'), { timeout: 30_000 }),
    page.getByTestId('drill-schedule-add').click(),
  ])
  return response
}

describe.skipIf(!enabled)('console DR drills page (灾备演练) in real Chromium against the real control plane, no DR lab', () => {
  let stack: ConsoleStack
  let browser: Browser
  const contexts: BrowserContext[] = []
  const fake = fakeRunner()
  /** The run the second test leaves with a report, for the details and accessibility checks. */
  let passed: DrillRunSummary | undefined

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
    mkdirSync(LAB, { recursive: true })
    await ensureConsoleBuilt()
    const [started, launched] = await Promise.allSettled([
      startConsoleStack({ clusters: 4, historyHours: 0, drLabDir: LAB, drillRunner: fake.runner }),
      launchChromium(),
    ])
    if (started.status === 'fulfilled') stack = started.value
    if (launched.status === 'fulfilled') browser = launched.value
    if (started.status === 'rejected') throw started.reason
    if (launched.status === 'rejected') throw launched.reason
    await stack.admin('/api/v1/users', {
      method: 'POST',
      body: { username: AUDITOR, password: PASSWORD, role: 'auditor', scope: 'national' },
    })
  }, 240_000)

  afterAll(async () => {
    fake.release()
    for (const c of contexts) await c.close().catch(() => undefined)
    await browser?.close()
    await stack?.close()
    rmSync(work, { recursive: true, force: true })
  })

  for (const locale of ['zh-CN', 'en'] as const) {
    it(`${locale}: no DR lab: the scenarios with their targets, how to start a lab, the run button refused with the API's 409 and then disabled with why; a switchover waiting for a second person's approval; a schedule added (a bad cron named beside its field) and deleted`, async () => {
      const text = TEXT[locale]
      const page = await open('/drills', locale)
      expect(await page.locator('main h1').textContent()).toBe(text.title)
      expect(await page.locator('nav a[href="/drills"]').getAttribute('aria-current')).toBe('page')

      // Every scenario of the API, with its RTO target.
      const api = await stack.admin<{ scenarios: { id: string; title: string; titleZh: string; targets: { rtoSeconds: number } }[] }>(
        '/api/v1/drills/scenarios',
      )
      const cards = page.getByTestId('drill-scenario')
      expect(await cards.count()).toBe(api.scenarios.length)
      for (const s of api.scenarios) {
        const card = page.locator(`[data-testid="drill-scenario"][data-scenario="${s.id}"]`)
        expect(await card.locator('h3').textContent()).toBe(locale === 'en' ? s.title : s.titleZh)
        expect(Number(await card.getByTestId('target-rto').getAttribute('data-value'))).toBe(s.targets.rtoSeconds)
      }
      expect(await page.locator('[data-scenario="a1-lost"] h3').textContent()).toBe(text.a1)

      // The demo's normal state: no run yet, and how to start a lab, in the page's language.
      for (const where of ['drill-lab-note', 'drill-runs-empty']) {
        const said = await page.getByTestId(where).textContent()
        expect(said).toContain('suanpan dr lab up')
        expect(said).toContain('SUANPAN_DR_LAB_DIR')
      }
      expect(await page.getByTestId('drill-no-lab').count()).toBe(0)

      // Run a1-lost: confirmed, then refused by the API (409 DR_LAB_MISSING), said clearly, nothing stored.
      const refused = await runDrill(page, 'a1-lost')
      expect(refused.status()).toBe(409)
      const body = (await refused.json()) as { code: string; message: string }
      expect(body.code).toBe('DR_LAB_MISSING')
      const noLab = page.getByTestId('drill-no-lab')
      await noLab.waitFor()
      expect(await noLab.textContent()).toContain(text.noLab)
      expect(await noLab.textContent()).toContain('suanpan dr lab up')
      expect(await page.getByTestId('drill-no-lab-message').textContent()).toBe(`409 DR_LAB_MISSING: ${body.message}`)
      // Now every run button is disabled, with why beside it.
      for (const button of await page.getByTestId('drill-run').all()) expect(await button.isDisabled()).toBe(true)
      expect(await page.getByTestId('drill-run-disabled').first().textContent()).toContain(text.disabled)
      expect((await stack.admin<{ runs: DrillRunSummary[] }>('/api/v1/drills')).runs).toEqual([])
      await page.mouse.move(1, 1)
      await page.screenshot({ path: artifactPath(`console-drills-no-lab-${locale}.png`), fullPage: true })
      // "Try again" offers the buttons again.
      await page.getByTestId('drill-lab-recheck').click()
      await expect.poll(() => page.getByTestId('drill-run').first().isDisabled()).toBe(false)

      // A planned switchover moves production's primary: under the two-person rule (on by default) it waits for a
      // second person's approval, which the page says with the request and how to approve it.
      const gated = await runDrill(page, 'switchover')
      expect(gated.status()).toBe(202)
      const { approval } = (await gated.json()) as { approval: { id: string; status: string; action: string } }
      expect(approval).toMatchObject({ status: 'pending', action: 'drills:failover' })
      const pending = page.getByTestId('drill-approval-pending')
      await pending.waitFor()
      expect(await pending.getAttribute('data-approval-id')).toBe(approval.id)
      expect(await pending.textContent()).toContain(`suanpan approval approve ${approval.id}`)

      // Schedules: the time zone is Beijing time; an empty cron is refused in the page, a bad one by the API beside the field.
      expect(await page.getByTestId('drill-schedule-timezone').textContent()).toBe(text.timezone)
      await pickScenario(page, text.a1)
      await page.getByTestId('drill-schedule-add').click()
      await expect.poll(() => page.locator('#drill_schedule_cron_help').textContent()).toContain(text.required)
      const bad = await addSchedule(page, '0 25 * * *')
      expect(bad.status()).toBe(400)
      const badBody = (await bad.json()) as { fields: { path: string; message: string }[] }
      expect(badBody.fields[0]?.path).toBe('/cron')
      await expect.poll(() => page.locator('#drill_schedule_cron_help').textContent()).toContain('hour "25" is not valid')
      expect(await page.locator('#drill_schedule_cron').getAttribute('aria-invalid')).toBe('true')
      expect(await page.getByTestId('drill-schedule-add-error').count()).toBe(0)

      const good = await addSchedule(page, '0 3 * * 1')
      expect(good.status()).toBe(201)
      const schedule = (await good.json()) as DrillSchedule
      expect(schedule).toMatchObject({ scenario: 'a1-lost', cron: '0 3 * * 1', timezone: 'Asia/Shanghai', enabled: true })
      await page.getByTestId('drill-schedule-added').waitFor()
      await expect.poll(() => page.locator('#drill_schedule_cron').getAttribute('aria-invalid')).toBeNull()
      const row = page.locator(`[data-testid="drill-schedules"] tr[data-row-key="${schedule.id}"]`)
      await row.waitFor({ timeout: 15_000 })
      expect(await row.getByTestId('drill-schedule-cron').textContent()).toBe('0 3 * * 1')
      expect(await row.textContent()).toContain('Asia/Shanghai')
      await page.mouse.move(1, 1)
      await page.screenshot({ path: artifactPath(`console-drills-${locale}.png`), fullPage: true })

      // Deleted after confirming: gone from the API and the page.
      await row.getByTestId('drill-schedule-delete').click()
      const [deleted] = await Promise.all([
        page.waitForResponse(isCall('DELETE', `/api/v1/drill-schedules/${schedule.id}`)),
        page.getByTestId('drill-schedule-delete-confirm').click(),
      ])
      expect(deleted.status()).toBe(200)
      await page.getByTestId('drill-schedule-deleted').waitFor()
      await row.waitFor({ state: 'detached' })
      expect((await stack.admin<{ schedules: DrillSchedule[] }>('/api/v1/drill-schedules')).schedules).toEqual([])
    })
  }

  it('zh-CN, a lab.json stand-in and the drill runner faked (a real lab drill takes minutes; test/dr/lab.test.ts runs them): live progress and the kill switch, then a run listed with its verdict, its details (steps, measurements, integrity) and the report as HTML and JSON', async () => {
    writeFileSync(LAB_JSON, JSON.stringify({ version: 1, id: 'browser-fake', dir: LAB, ready: true }))
    const text = TEXT['zh-CN']
    const page = await open('/drills', 'zh-CN')

    // Started: the drill in progress with its steps (polled every 2 s), and no second one.
    const started = await runDrill(page, 'a1-lost')
    expect(started.status()).toBe(202)
    const first = ((await started.json()) as { run: DrillRunSummary }).run
    const active = page.getByTestId('drill-active')
    await active.waitFor({ timeout: 15_000 })
    expect(await active.getAttribute('data-run-id')).toBe(first.id)
    await expect.poll(() => active.getByTestId('drill-progress').locator('li').count(), { timeout: 15_000 }).toBe(2)
    expect(await active.getByTestId('drill-progress').textContent()).toContain('fault: kill -9 of everything in A1')
    await expect.poll(() => page.getByTestId('drill-run').first().isDisabled()).toBe(true)
    expect(await page.getByTestId('drill-run-disabled').first().textContent()).toContain(first.id)
    await page.mouse.move(1, 1)
    await page.screenshot({ path: artifactPath('console-drills-running-zh-CN.png'), fullPage: true })

    // The kill switch, after confirming: the run ends aborted.
    await active.getByTestId('drill-abort').click()
    const [aborted] = await Promise.all([
      page.waitForResponse(isCall('POST', '/api/v1/drills/abort')),
      page.getByTestId('drill-abort-confirm').click(),
    ])
    expect(aborted.status()).toBe(202)
    expect(((await aborted.json()) as { via: string }).via).toBe('signal')
    await page.getByTestId('drill-aborted').waitFor()
    await active.waitFor({ state: 'detached', timeout: 15_000 })
    const abortedRow = page.locator(`[data-testid="drill-runs"] tr[data-row-key="${first.id}"]`)
    await expect.poll(() => abortedRow.getByTestId('drill-status').getAttribute('data-status'), { timeout: 15_000 }).toBe('aborted')
    expect(await abortedRow.getByTestId('drill-status').textContent()).toBe(text.aborted)

    // A second drill, let finish: pass, 9.5 s against 30 s, no write lost, level 6.
    const again = await runDrill(page, 'a1-lost')
    expect(again.status()).toBe(202)
    const second = ((await again.json()) as { run: DrillRunSummary }).run
    await page.getByTestId('drill-active').waitFor({ timeout: 15_000 })
    await expect.poll(() => fake.calls.length).toBe(2)
    fake.release()
    const row = page.locator(`[data-testid="drill-runs"] tr[data-row-key="${second.id}"]`)
    await expect.poll(() => row.getByTestId('drill-status').getAttribute('data-status'), { timeout: 15_000 }).toBe('pass')
    const stored = (await stack.admin<{ run: DrillRunSummary; report: DrillReport }>(`/api/v1/drills/${second.id}`)).run
    passed = stored
    expect(stored).toMatchObject({ status: 'pass', verdict: 'pass', rtoSeconds: 9.5, rpoWrites: 0, level: 6 })
    expect(await row.getByTestId('drill-status').textContent()).toBe(text.pass)
    expect(await row.locator('[data-col="rto"]').getAttribute('data-value')).toBe('9.5')
    expect(await row.locator('[data-col="rto"]').textContent()).toContain('9.5秒 / ≤ 30秒')
    expect(await row.locator('[data-col="rpo"]').getAttribute('data-value')).toBe('0')
    expect(await row.locator('[data-col="level"]').textContent()).toBe('第 6 级')
    // Newest first.
    const keys = await page
      .locator('[data-testid="drill-runs"] tr.ant-table-row')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-row-key')))
    expect(keys).toEqual([second.id, first.id])

    // Filters live in the URL: only the aborted run is left.
    await page.goto(`${stack.url}/drills?status=aborted`)
    await settled(page)
    await expect.poll(() => page.locator('[data-testid="drill-runs"] tr.ant-table-row').count()).toBe(1)
    expect(await page.locator('[data-testid="drill-runs"] tr.ant-table-row').getAttribute('data-row-key')).toBe(first.id)
    await page.goto(`${stack.url}/drills?scenario=switchover`)
    await settled(page)
    await page.getByTestId('empty-state').first().waitFor()

    // The trend: both runs of a1-lost have a report.
    await page.goto(`${stack.url}/drills`)
    await settled(page)
    const trend = page.getByTestId('drill-trend')
    await trend.waitFor()
    expect(await trend.getAttribute('data-scenario')).toBe('a1-lost')
    expect(await trend.getAttribute('data-runs')).toBe('2')
    expect(await page.getByTestId('drill-trend-chart').getAttribute('aria-label')).toContain('目标 30秒')
    expect(await page.getByTestId('drill-trend-chart').locator('.recharts-reference-line').count()).toBe(1)
    await page.mouse.move(1, 1)
    await page.screenshot({ path: artifactPath('console-drills-history-zh-CN.png'), fullPage: true })

    // Its details: steps with timings, measurements against the targets, integrity, the level, the report.
    await page.locator(`[data-testid="drill-runs"] tr[data-row-key="${second.id}"] [data-testid="drill-details"]`).click()
    await page.waitForURL(new RegExp(`run=${second.id}`))
    const panel = page.getByTestId('drill-run-panel')
    await panel.waitFor()
    expect(await panel.getAttribute('data-status')).toBe('pass')
    const steps = panel.getByTestId('drill-steps').locator('tbody tr.ant-table-row')
    await expect.poll(() => steps.count()).toBe(3)
    expect(await steps.nth(1).textContent()).toContain('fault: kill -9 A1')
    expect(await steps.nth(2).locator('[data-col="seconds"]').getAttribute('data-value')).toBe('9.5')
    expect(await panel.locator('[data-measure="rto"]').textContent()).toContain('9.5秒')
    expect(await panel.locator('[data-measure="rto"] .mark').getAttribute('data-ok')).toBe('true')
    expect(await panel.getByTestId('drill-integrity').getAttribute('data-ok')).toBe('true')
    expect(await panel.getByTestId('drill-level').getAttribute('data-value')).toBe('6')
    for (const format of ['html', 'pdf', 'json']) {
      expect(await panel.getByTestId(`drill-download-${format}`).getAttribute('href')).toBe(
        `/api/v1/drills/${second.id}/report?format=${format}&lang=zh-CN`,
      )
    }
    expect(await panel.getByTestId('drill-downloads').textContent()).toContain(text.lang)
    await page.mouse.move(1, 1)
    await page.screenshot({ path: artifactPath('console-drills-run-zh-CN.png') })

    // The report downloads with the page's credentials (the administrator token), in the page's language.
    const [html] = await Promise.all([page.waitForEvent('download'), panel.getByTestId('drill-download-html').click()])
    expect(html.suggestedFilename()).toMatch(/^suanpan-drill-fake-a1-lost-[0-9a-f]+-zh-CN\.html$/)
    const htmlText = readFileSync((await html.path()) ?? '', 'utf8')
    expect(htmlText).toContain('<html lang="zh-CN">')
    expect(htmlText).toContain('灾备演练报告 DR drill report')
    const [json] = await Promise.all([page.waitForEvent('download'), panel.getByTestId('drill-download-json').click()])
    const report = JSON.parse(readFileSync((await json.path()) ?? '', 'utf8')) as DrillReport
    expect(report.id).toBe(stored.reportId)
    expect(report.measurements.rtoSeconds).toBe(9.5)
    await page.getByTestId('drill-downloaded').waitFor()
    await page.keyboard.press('Escape')
    await page.waitForURL((url) => !url.search.includes('run='))
  })

  it('en: a stored run’s details through the URL, the report links in English', async () => {
    const id = passed?.id
    if (!id) throw new Error('the previous test left no run')
    const page = await open(`/drills?run=${id}`, 'en')
    const panel = page.getByTestId('drill-run-panel')
    await panel.waitFor()
    expect(await panel.getByTestId('drill-status').first().textContent()).toBe(TEXT.en.pass)
    await expect.poll(() => panel.getByTestId('drill-steps').locator('tbody tr.ant-table-row').count()).toBe(3)
    expect(await panel.locator('[data-measure="rto"]').textContent()).toContain('9.5s')
    expect(await panel.getByTestId('drill-downloads').textContent()).toContain(TEXT.en.lang)
    expect(await panel.getByTestId('drill-download-html').getAttribute('href')).toBe(`/api/v1/drills/${id}/report?format=html&lang=en`)
    const [html] = await Promise.all([page.waitForEvent('download'), panel.getByTestId('drill-download-html').click()])
    expect(html.suggestedFilename()).toMatch(/-en\.html$/)
    expect(readFileSync((await html.path()) ?? '', 'utf8')).toContain('<html lang="en">')
    await page.mouse.move(1, 1)
    await page.screenshot({ path: artifactPath('console-drills-run-en.png') })
  })

  for (const locale of ['zh-CN', 'en'] as const) {
    it(`${locale}: an auditor (drills:read, not drills:run) reads the drills; starting one shows the console's "your role may not…"`, async () => {
      const page = await open('/drills', locale, null)
      await page.getByTestId('admin-token-missing').waitFor()
      await page.getByTestId('missing-sign-in').click()
      await page.locator('#sign-in-dialog_username').fill(AUDITOR)
      await page.locator('#sign-in-dialog_password').fill(PASSWORD)
      const [signedIn] = await Promise.all([
        page.waitForResponse(isCall('POST', '/api/v1/session')),
        page.locator('form#sign-in-dialog [data-testid="sign-in-submit"]').click(),
      ])
      expect(signedIn.status()).toBe(200)
      await page.getByTestId('drill-scenarios').waitFor()
      await settled(page)
      // The history reads fine: the runs of the test before.
      await expect.poll(() => page.locator('[data-testid="drill-runs"] tr.ant-table-row').count()).toBeGreaterThan(0)
      const refused = await runDrill(page, 'switchover')
      expect(refused.status()).toBe(403)
      const forbidden = page.getByTestId('access-forbidden')
      await forbidden.waitFor()
      expect(await forbidden.getAttribute('data-permission')).toBe('drills:run')
      expect(await forbidden.textContent()).toContain(TEXT[locale].forbidden)
    })
  }

  /** Loads a page in one language and returns its serious or critical axe findings. */
  async function axe(path: string, locale: ConsoleLocale, wait: (page: Page) => Promise<unknown>): Promise<string[]> {
    const page = await open(path, locale)
    try {
      await wait(page)
      await page.mouse.move(1, 1)
      await page.waitForTimeout(300)
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

  // One test per language: six pages under axe take a while on a loaded 2-core machine.
  for (const locale of ['zh-CN', 'en'] as const) {
    it(`drills: no serious or critical axe-core violations in ${locale} (page with runs, the no-lab refusal, an approval pending, a schedule field error; run details)`, async () => {
      const id = passed?.id
      if (!id) throw new Error('the flow tests left no run')
      rmSync(LAB_JSON, { force: true })
      const findings: string[] = []
      findings.push(
        ...(await axe('/drills', locale, async (page) => {
          await page.getByTestId('drill-runs').waitFor()
          await page.getByTestId('drill-trend-chart').waitFor()
          await runDrill(page, 'a1-lost')
          await page.getByTestId('drill-no-lab').waitFor()
          await pickScenario(page, TEXT[locale].a1)
          await addSchedule(page, '0 3 * *')
          await page.locator('#drill_schedule_cron_help').waitFor()
        })),
        ...(await axe('/drills', locale, async (page) => {
          // The page settled first (its runs listed), as a person would see it before pressing "run".
          await page.getByTestId('drill-runs').waitFor()
          await runDrill(page, 'switchover')
          await page.getByTestId('drill-approval-pending').waitFor()
        })),
        ...(await axe(`/drills?run=${id}`, locale, (page) => page.getByTestId('drill-run-panel').waitFor())),
      )
      expect(findings, findings.join('\n')).toEqual([])
    }, 180_000)
  }
})
