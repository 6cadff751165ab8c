import AxeBuilder from '@axe-core/playwright'
import type { AuditRecord, CensusSummary } from '@suanpan/control-plane/schemas'
import type { Browser, BrowserContext, Page, Response } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  artifactPath,
  type ConsoleLocale,
  type ConsoleStack,
  chromiumAvailable,
  ensureConsoleBuilt,
  launchChromium,
  newConsoleContext,
  startConsoleStack,
} from '../support/browser'

const enabled = chromiumAvailable()

const PASSWORD = 'Correct-Horse-9-Battery'
const PLANNER = 'plan-a'
const PROVINCIAL = 'bj-admin'
const COOKIE = 'suanpan_session'

/** What the page says in each language, where a test checks the words. */
const TEXT: Readonly<
  Record<
    ConsoleLocale,
    Record<'signIn' | 'signOut' | 'required' | 'planner' | 'provincial' | 'failed' | 'forbidden' | 'nationalOnly', string>
  >
> = {
  'zh-CN': {
    signIn: '登录',
    signOut: '退出登录',
    required: '请先登录',
    planner: '规划人员 · 全国',
    provincial: '省级管理员 · 北京',
    failed: '用户名或密码不正确',
    forbidden: '您的角色（省级管理员 · 北京）无权查看普查',
    nationalOnly: '只对全国范围的角色开放',
  },
  en: {
    signIn: 'Sign in',
    signOut: 'Sign out',
    required: 'Please sign in',
    planner: 'Planner · National',
    provincial: 'Provincial administrator · Beijing',
    failed: 'The user name or password is not right',
    forbidden: 'Your role (Provincial administrator · Beijing) may not read censuses',
    nationalOnly: 'only roles with national scope have them',
  },
}

/** The page has rendered: a heading, no loading indicator left, the network quiet. */
async function settled(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle')
  await page.locator('main h1').first().waitFor()
  await page.locator('[aria-busy="true"], .state-loading').first().waitFor({ state: 'detached', timeout: 20_000 })
}

const isSessionCall = (method: string) => (r: Response) =>
  new URL(r.url()).pathname === '/api/v1/session' && r.request().method() === method

/** Fills one of the sign-in forms (`sign-in-page` in place of the page, `sign-in-dialog` in the header's dialog) and submits it. */
async function submitSignIn(page: Page, form: 'sign-in-page' | 'sign-in-dialog', username: string, password: string): Promise<Response> {
  await page.locator(`#${form}_username`).fill(username)
  await page.locator(`#${form}_password`).fill(password)
  const [response] = await Promise.all([
    page.waitForResponse(isSessionCall('POST'), { timeout: 30_000 }),
    page.locator(`form#${form} [data-testid="sign-in-submit"]`).click(),
  ])
  return response
}

/** A fetch from inside the page (same origin: the browser adds whatever cookie it holds). */
async function pageFetch(page: Page, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return page.evaluate(
    async ({ path, init }) => {
      const res = await fetch(path, init)
      const body = (await res.json().catch(() => null)) as { code?: string; via?: string } | null
      return { status: res.status, code: body?.code ?? null, via: body?.via ?? null }
    },
    { path, init },
  )
}

describe.skipIf(!enabled)('console sign-in with accounts (HttpOnly session cookie, CSRF token) in real Chromium, open reads off', () => {
  let stack: ConsoleStack
  let browser: Browser
  const contexts: BrowserContext[] = []

  async function open(path: string, locale: ConsoleLocale): Promise<Page> {
    const context = await newConsoleContext(browser, locale)
    contexts.push(context)
    const page = await context.newPage()
    await page.goto(`${stack.url}${path}`)
    await settled(page)
    return page
  }

  beforeAll(async () => {
    await ensureConsoleBuilt()
    const [started, launched] = await Promise.allSettled([
      startConsoleStack({ clusters: 8, historyHours: 0, openReads: false }),
      launchChromium(),
    ])
    if (started.status === 'fulfilled') stack = started.value
    if (launched.status === 'fulfilled') browser = launched.value
    if (started.status === 'rejected') throw started.reason
    if (launched.status === 'rejected') throw launched.reason
    // Accounts through the API, with the admin token (national-admin).
    await stack.admin('/api/v1/users', {
      method: 'POST',
      body: { username: PLANNER, password: PASSWORD, role: 'planner', scope: 'national' },
    })
    await stack.admin('/api/v1/users', {
      method: 'POST',
      body: { username: PROVINCIAL, password: PASSWORD, role: 'provincial-admin', scope: '110000' },
    })
  }, 240_000)

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined)
    await browser?.close()
    await stack?.close()
  })

  for (const locale of ['zh-CN', 'en'] as const) {
    it(`${locale}: a read answering 401 shows the sign-in form in place of the page; a wrong password is refused; the planner signs in, the header shows user, role and scope; the cookie is HttpOnly`, async () => {
      const text = TEXT[locale]
      const page = await open('/', locale)
      // Not signed in, open reads off: the overview's reads answer 401, the form stands in for the page.
      await page.getByTestId('sign-in-panel').waitFor()
      expect(await page.locator('main h1').textContent()).toBe(text.required)
      expect(await page.getByTestId('sign-in-button').textContent()).toBe(text.signIn)
      expect(await page.getByTestId('session-user').count()).toBe(0)
      expect(await page.getByTestId('total-fp32').count()).toBe(0)

      // A wrong password: the API's 401, said in words; nothing is kept.
      const refused = await submitSignIn(page, 'sign-in-page', PLANNER, 'Wrong-Horse-9-Battery')
      expect(refused.status()).toBe(401)
      const error = page.getByTestId('sign-in-error')
      await error.waitFor()
      expect(await error.getAttribute('data-code')).toBe('INVALID_CREDENTIALS')
      expect(await error.textContent()).toContain(text.failed)
      expect(await page.evaluate("window.sessionStorage.getItem('suanpan.session')")).toBeNull()
      expect((await page.context().cookies()).some((c) => c.name === COOKIE)).toBe(false)
      await page.mouse.move(1, 1)
      await page.screenshot({ path: artifactPath(`console-sign-in-${locale}.png`), fullPage: true })

      // The right one: the overview comes back in place of the form, the header names the planner.
      const accepted = await submitSignIn(page, 'sign-in-page', PLANNER, PASSWORD)
      expect(accepted.status()).toBe(200)
      const answer = (await accepted.json()) as { username: string; role: string; scope: string; csrfToken: string }
      expect(answer).toMatchObject({ username: PLANNER, role: 'planner', scope: 'national' })
      const user = page.getByTestId('session-user')
      await user.waitFor()
      expect(await user.getAttribute('data-username')).toBe(PLANNER)
      expect(await user.getAttribute('data-role')).toBe('planner')
      expect(await page.getByTestId('session-name').textContent()).toBe(PLANNER)
      expect(await page.getByTestId('session-role').textContent()).toBe(text.planner)
      expect(await page.getByTestId('sign-out-button').textContent()).toBe(text.signOut)
      expect(await page.getByTestId('sign-in-button').count()).toBe(0)
      await page.getByTestId('total-fp32').waitFor({ timeout: 20_000 })
      expect(await page.getByTestId('sign-in-panel').count()).toBe(0)

      // The session cookie is HttpOnly and SameSite=Strict: the browser holds it, page scripts cannot see it.
      const cookie = (await page.context().cookies()).find((c) => c.name === COOKIE)
      expect(cookie?.httpOnly).toBe(true)
      expect(cookie?.sameSite).toBe('Strict')
      expect(cookie?.path).toBe('/')
      expect(await page.evaluate('document.cookie')).not.toContain(COOKIE)
      // The CSRF token: in this tab's sessionStorage, never in localStorage or the address.
      const stored = JSON.parse((await page.evaluate("window.sessionStorage.getItem('suanpan.session')")) as string) as {
        csrfToken: string
      }
      expect(stored.csrfToken).toBe(answer.csrfToken)
      expect(await page.evaluate(`Object.values(window.localStorage).some((v) => v.includes(${JSON.stringify(answer.csrfToken)}))`)).toBe(
        false,
      )
      expect(page.url()).not.toContain(answer.csrfToken)
      expect(await pageFetch(page, '/api/v1/session')).toEqual({ status: 200, code: null, via: 'session' })
      await page.mouse.move(1, 1)
      await page.screenshot({ path: artifactPath(`console-signed-in-${locale}.png`) })
    })
  }

  it('zh-CN: the planner signs in from the header and runs a census (POST with the CSRF token, no bearer token): it appears; a reload keeps the session; signing out offers sign-in again and the old cookie no longer works', async () => {
    const text = TEXT['zh-CN']
    const page = await open('/census', 'zh-CN')
    await page.getByTestId('sign-in-panel').waitFor()

    // Through the header's dialog this time.
    await page.getByTestId('sign-in-button').click()
    await page.locator('#sign-in-dialog_username').waitFor()
    const accepted = await submitSignIn(page, 'sign-in-dialog', PLANNER, PASSWORD)
    expect(accepted.status()).toBe(200)
    const { csrfToken } = (await accepted.json()) as { csrfToken: string }
    await page.getByTestId('session-user').waitFor()
    expect(await page.getByTestId('session-role').textContent()).toBe(text.planner)
    // The dialog closed; the census page came back in place of the form; no admin token anywhere.
    await page.locator('#sign-in-dialog_username').waitFor({ state: 'detached' })
    await page.getByTestId('census-create').waitFor()
    await settled(page)
    expect(await page.getByTestId('admin-token-missing').count()).toBe(0)
    expect(await page.getByTestId('admin-token-button').count()).toBe(0)

    // A change with the cookie but without the CSRF token is refused by the API…
    expect(
      await pageFetch(page, '/api/v1/censuses', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"period":"2026"}',
      }),
    ).toEqual({
      status: 403,
      code: 'CSRF_TOKEN_REQUIRED',
      via: null,
    })
    // …and the console's carries it: the census is created and listed.
    await page.getByTestId('census-period').fill('2026Q3')
    await page.getByTestId('census-title').fill('规划人员的普查')
    const [response] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/censuses' && r.request().method() === 'POST', { timeout: 30_000 }),
      page.getByTestId('census-create-submit').click(),
    ])
    const sent = await response.request().allHeaders()
    expect(sent['x-csrf-token']).toBe(csrfToken)
    expect(sent.authorization).toBeUndefined()
    expect(response.status()).toBe(201)
    const census = (await response.json()) as CensusSummary
    await page.getByTestId('census-created').waitFor()
    await page.getByTestId(`census-link-${census.id}`).waitFor({ timeout: 15_000 })
    const list = await stack.admin<{ censuses: CensusSummary[] }>('/api/v1/censuses')
    expect(list.censuses.find((c) => c.id === census.id)?.title).toBe('规划人员的普查')
    // The audit trail names the planner, not "admin".
    const audit = await stack.admin<{ records: AuditRecord[] }>(
      `/api/v1/audit?actor=user:${PLANNER}&action=%2Fapi%2Fv1%2Fcensuses&limit=10`,
    )
    expect(audit.records.some((r) => r.action === 'POST /api/v1/censuses' && r.status === 201)).toBe(true)

    // A reload keeps the session (cookie) and the CSRF token (sessionStorage).
    await page.reload()
    await settled(page)
    expect(await page.getByTestId('session-user').getAttribute('data-csrf')).toBe('true')
    expect(await page.getByTestId('session-role').textContent()).toBe(text.planner)
    await page.getByTestId(`census-link-${census.id}`).waitFor()

    // Another tab of the same browser: the cookie goes with it (the header names the planner), but the CSRF
    // token stayed with the first tab, so a change from here is refused and the page says to sign in again.
    const other = await page.context().newPage()
    await other.goto(`${stack.url}/census`)
    await settled(other)
    const otherUser = other.getByTestId('session-user')
    await otherUser.waitFor()
    expect(await otherUser.getAttribute('data-username')).toBe(PLANNER)
    expect(await otherUser.getAttribute('data-csrf')).toBe('false')
    await other.getByTestId('census-period').fill('2026Q2')
    const [noCsrf] = await Promise.all([
      other.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/censuses' && r.request().method() === 'POST'),
      other.getByTestId('census-create-submit').click(),
    ])
    expect(noCsrf.status()).toBe(403)
    expect((await noCsrf.request().allHeaders())['x-csrf-token']).toBeUndefined()
    await other.getByTestId('access-csrf').waitFor()
    expect(await other.getByTestId('access-csrf').textContent()).toContain('请在本标签页重新登录后再修改')

    // Sign out: the header offers sign-in again, the page asks for it (open reads are off), the token is forgotten.
    const cookie = (await page.context().cookies()).find((c) => c.name === COOKIE)
    if (!cookie) throw new Error('no session cookie')
    const [signedOut] = await Promise.all([page.waitForResponse(isSessionCall('DELETE')), page.getByTestId('sign-out-button').click()])
    expect(signedOut.status()).toBe(200)
    await page.getByTestId('sign-in-button').waitFor()
    expect(await page.getByTestId('sign-in-button').textContent()).toBe(text.signIn)
    expect(await page.getByTestId('session-user').count()).toBe(0)
    await page.getByTestId('sign-in-panel').waitFor()
    expect(await page.evaluate("window.sessionStorage.getItem('suanpan.session')")).toBeNull()
    // The browser dropped the cookie, and the API revoked it: put back by hand, it is still refused.
    expect((await page.context().cookies()).some((c) => c.name === COOKIE)).toBe(false)
    expect(await pageFetch(page, '/api/v1/session')).toEqual({ status: 401, code: 'UNAUTHENTICATED', via: null })
    await page.context().addCookies([cookie])
    expect(await pageFetch(page, '/api/v1/session')).toEqual({ status: 401, code: 'UNAUTHENTICATED', via: null })
    expect((await pageFetch(page, '/api/v1/ledger')).status).toBe(401)
    expect(
      await pageFetch(page, '/api/v1/censuses', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken },
        body: '{"period":"2026"}',
      }),
    ).toEqual({ status: 401, code: 'UNAUTHENTICATED', via: null })

    // The other tab, reloaded: GET /api/v1/session says the session is gone, so the tab forgets it and says why.
    await other.reload()
    await settled(other)
    await other.getByTestId('sign-in-button').waitFor()
    expect(await other.getByTestId('session-user').count()).toBe(0)
    await other.getByTestId('sign-in-expired').waitFor()
    expect(await other.evaluate("window.sessionStorage.getItem('suanpan.session')")).toBeNull()
  })

  for (const locale of ['zh-CN', 'en'] as const) {
    it(`${locale}: a provincial administrator (110000) is told in words that its role may not read censuses`, async () => {
      const text = TEXT[locale]
      const page = await open('/census', locale)
      await page.getByTestId('sign-in-panel').waitFor()
      const accepted = await submitSignIn(page, 'sign-in-page', PROVINCIAL, PASSWORD)
      expect(accepted.status()).toBe(200)
      await page.getByTestId('session-user').waitFor()
      expect(await page.getByTestId('session-role').textContent()).toBe(text.provincial)
      expect(await page.getByTestId('session-user').getAttribute('data-scope')).toBe('110000')

      const forbidden = page.getByTestId('access-forbidden')
      await forbidden.waitFor({ timeout: 20_000 })
      expect(await forbidden.getAttribute('data-permission')).toBe('census:read')
      const words = await forbidden.textContent()
      expect(words).toContain(text.forbidden)
      expect(words).toContain(text.nationalOnly)
      // Said once, for the page: no list, no create form, no generic error.
      expect(await page.getByTestId('census-create').count()).toBe(0)
      expect(await page.getByTestId('census-table').count()).toBe(0)
      expect(await page.getByTestId('error-state').count()).toBe(0)
      expect(await pageFetch(page, '/api/v1/censuses')).toEqual({ status: 403, code: 'FORBIDDEN', via: null })
      await page.mouse.move(1, 1)
      await page.screenshot({ path: artifactPath(`console-sign-in-forbidden-${locale}.png`), fullPage: true })
    })
  }

  /** Serious or critical axe findings of what the page shows now. */
  async function axe(page: Page, what: string): Promise<string[]> {
    const result = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
      .setLegacyMode(true)
      .options({ resultTypes: ['violations'] })
      .analyze()
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) =>
          `${what}: ${v.id} (${v.impact}) ${v.help}\n    ${v.nodes
            .map((n) => n.target.join(' '))
            .slice(0, 5)
            .join('\n    ')}`,
      )
  }

  it('the sign-in form, in place of the page (with its error shown) and in the header dialog: no serious or critical axe-core violations in zh-CN and en', async () => {
    const findings = (
      await Promise.all(
        (['zh-CN', 'en'] as const).map(async (locale) => {
          const page = await open('/ledger', locale)
          await page.getByTestId('sign-in-panel').waitFor()
          expect(await page.evaluate('document.documentElement.lang')).toBe(locale)
          // Submitted empty: the fields' own messages; then a wrong password: the API's refusal.
          await page.locator('form#sign-in-page [data-testid="sign-in-submit"]').click()
          await page.locator('#sign-in-page_username_help').waitFor()
          await submitSignIn(page, 'sign-in-page', PLANNER, 'Wrong-Horse-9-Battery')
          await page.getByTestId('sign-in-error').waitFor()
          await page.mouse.move(1, 1)
          await page.locator('form#sign-in-page [data-testid="sign-in-submit"]:not(.ant-btn-loading)').waitFor()
          await page.waitForTimeout(400)
          const inPage = await axe(page, `${locale} sign-in in place of /ledger`)
          await page.getByTestId('sign-in-button').click()
          await page.locator('#sign-in-dialog_username').waitFor()
          await page.waitForTimeout(400)
          const dialog = await axe(page, `${locale} sign-in dialog`)
          await page.context().close()
          return [...inPage, ...dialog]
        }),
      )
    ).flat()
    expect(findings, findings.join('\n')).toEqual([])
  })
})
