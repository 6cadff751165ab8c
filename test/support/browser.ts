import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createFleet, type FleetRunner, type SimCluster, startFleet } from '@suanpan/agents'
import { fillSimulatedHistory } from '@suanpan/cli/history'
import { buildApp, loadConfig, registerCluster } from '@suanpan/control-plane'
import type { LedgerResponse } from '@suanpan/control-plane/schemas'
import { type Browser, type BrowserContext, chromium } from 'playwright-core'
import type { DrillRunner } from '../../control-plane/src/dr/service'
import { NO_DR_LAB } from './app'
import { REPO_ROOT } from './child-process'

export const CONSOLE_DIR = join(REPO_ROOT, 'console')
export const CONSOLE_DIST = join(CONSOLE_DIR, 'dist')
/** Screenshots of the browser suite (gitignored). */
export const ARTIFACTS_DIR = join(REPO_ROOT, 'test', 'artifacts')

/** The control plane's admin token in the browser suite (the console keeps it in sessionStorage). */
export const ADMIN_TOKEN = 'browser-test-admin-token'

/** Debian's Chromium (`apt-get install chromium`); playwright-core downloads no browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium'
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/**
 * Whether the browser suite can run. Without Chromium it is skipped, loudly; with
 * SUANPAN_REQUIRE_SERVICES=1 (CI) a missing Chromium is an error instead.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true
  if (process.env.SUANPAN_REQUIRE_SERVICES === '1') {
    throw new Error(`SUANPAN_REQUIRE_SERVICES=1 but Chromium is not installed at ${CHROMIUM_PATH} (apt-get install chromium)`)
  }
  console.warn('\n*** skipped: no Chromium (apt-get install chromium): the console browser tests will be skipped ***\n')
  return false
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = stat.mtimeMs
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)))
  return newest
}

/** True when console/dist is missing or older than anything the build reads. */
export function consoleBuildStale(): boolean {
  const built = join(CONSOLE_DIST, 'index.html')
  if (!existsSync(built)) return true
  const sources = ['src', 'index.html', 'vite.config.ts', 'scripts', 'public', 'package.json'].map((p) => newestMtime(join(CONSOLE_DIR, p)))
  return Math.max(...sources) > statSync(built).mtimeMs
}

/** `npm run build -w console` when the build is missing or stale (the tests exercise what ships). */
export async function ensureConsoleBuilt(timeoutMs = 180_000): Promise<void> {
  if (!consoleBuildStale()) return
  // vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
  const env = { ...process.env, NODE_ENV: 'production' }
  const child = spawn('npm', ['run', 'build', '-w', 'console'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk
  })
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`console build did not finish within ${timeoutMs} ms\n${output}`))
    }, timeoutMs)
    child.once('error', reject)
    child.once('exit', (exitCode) => {
      clearTimeout(timer)
      resolve(exitCode)
    })
  })
  if (code !== 0 || !existsSync(join(CONSOLE_DIST, 'index.html'))) throw new Error(`npm run build -w console failed (${code})\n${output}`)
}

export interface ConsoleStack {
  /** `http://127.0.0.1:<port>`: the control plane serving the built console and the API. */
  readonly url: string
  readonly clusters: readonly SimCluster[]
  /** GET a JSON API path from the same server the browser uses. */
  get<T>(path: string): Promise<T>
  /** A JSON API call with the admin token (census creation, the audit trail). */
  admin<T>(path: string, init?: { method?: 'GET' | 'POST'; body?: unknown }): Promise<T>
  ledger(query?: string): Promise<LedgerResponse>
  close(): Promise<void>
}

export interface ConsoleStackOptions {
  clusters?: number
  seed?: number
  /** Hours of history to fill in before now, so the trend charts have data (0: none). */
  historyHours?: number
  /** SUANPAN_OPEN_READS: the national figures without signing in, as in the demo (default true). */
  openReads?: boolean
  /** The DR lab directory (default NO_DR_LAB, which never exists: no browser test may start a real drill). */
  drLabDir?: string
  /** What runs a drill (BuildAppOptions.drillRunner): a stand-in, since a real lab drill takes minutes. */
  drillRunner?: DrillRunner
}

/**
 * The real control plane on loopback (temporary SQLite store, port 0, the built console at `/`) with a
 * simulated fleet reporting through real HTTP, as `suanpan start` composes them.
 */
export async function startConsoleStack(options: ConsoleStackOptions = {}): Promise<ConsoleStack> {
  const dir = mkdtempSync(join(tmpdir(), 'suanpan-browser-'))
  const config = loadConfig(
    {},
    {
      host: '127.0.0.1',
      port: 0,
      sqlitePath: join(dir, 'suanpan.db'),
      adminToken: ADMIN_TOKEN,
      consoleDir: CONSOLE_DIST,
      logLevel: 'error',
      ingestWorkers: 1,
      // The console reads the national figures without signing in, as in the demo (unless a test says otherwise).
      openReads: options.openReads ?? true,
      drLabDir: options.drLabDir ?? NO_DR_LAB,
    },
  )
  const { app, services } = await buildApp({ config, logger: false, ...(options.drillRunner ? { drillRunner: options.drillRunner } : {}) })
  let fleet: FleetRunner | null = null
  try {
    const url = await app.listen({ host: config.host, port: 0 })
    const clusters = createFleet({ clusters: options.clusters ?? 60, seed: options.seed ?? 20221009 })
    const tokens = new Map<string, string>()
    for (const c of clusters) {
      const registered = await registerCluster(services.store, c.identity, Date.now(), { rotate: true })
      tokens.set(c.identity.clusterId, registered.token)
    }
    fleet = await startFleet({ baseUrl: url, clusters, tokens })
    const stats = fleet.stats()
    if (stats.failed > 0) throw new Error(`simulated fleet: ${stats.failed} first reports failed (${stats.lastError ?? ''})`)
    if ((options.historyHours ?? 24) > 0) await fillSimulatedHistory(services, config, clusters, options.historyHours ?? 24)
    await services.recordHistory()
    const get = async <T>(path: string): Promise<T> => {
      const res = await fetch(`${url}${path}`)
      if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`)
      return (await res.json()) as T
    }
    const admin = async <T>(path: string, init: { method?: 'GET' | 'POST'; body?: unknown } = {}): Promise<T> => {
      const res = await fetch(`${url}${path}`, {
        method: init.method ?? 'GET',
        headers: {
          authorization: `Bearer ${ADMIN_TOKEN}`,
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      })
      if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`)
      return (await res.json()) as T
    }
    const running = fleet
    return {
      url,
      clusters,
      get,
      admin,
      ledger: (query = '') => get<LedgerResponse>(`/api/v1/ledger${query ? `?${query}` : ''}`),
      async close() {
        await running.stop()
        await app.close()
        rmSync(dir, { recursive: true, force: true })
      },
    }
  } catch (error) {
    await fleet?.stop()
    await app.close()
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 60_000 })
}

export type ConsoleLocale = 'zh-CN' | 'en'

/** A fresh browser context (own storage); the console's language is preset when given. */
export async function newConsoleContext(browser: Browser, locale?: ConsoleLocale): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: { width: 1366, height: 900 },
    acceptDownloads: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  })
  // Only a first visit gets the preset: a language chosen in the page survives reloads.
  if (locale) {
    const value = JSON.stringify(locale)
    await context.addInitScript(
      `if (!window.localStorage.getItem('suanpan.locale')) window.localStorage.setItem('suanpan.locale', ${value})`,
    )
  }
  return context
}

/** Every page of the context starts with the admin token in its sessionStorage, as if entered in the header. */
export async function presetAdminToken(context: BrowserContext, token: string = ADMIN_TOKEN): Promise<void> {
  const value = JSON.stringify(token)
  await context.addInitScript(
    `if (!window.sessionStorage.getItem('suanpan.adminToken')) window.sessionStorage.setItem('suanpan.adminToken', ${value})`,
  )
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true })
  return join(ARTIFACTS_DIR, name)
}
