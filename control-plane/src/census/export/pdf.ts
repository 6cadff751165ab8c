import { spawn } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { LedgerError } from '../../ledger/errors'
import type { Census, CensusLanguage } from '../../schemas'
import { censusHtml } from './html'
import type { CensusNames } from './labels'

export interface CensusPdfOptions {
  /** The Chromium binary; default: env SUANPAN_CHROMIUM, then /usr/bin/chromium, /usr/bin/chromium-browser. */
  chromium?: string
  /** Bound on the Chromium run (default 60 s); the process group is killed when it is reached. */
  timeoutMs?: number
  names?: CensusNames
}

export const DEFAULT_PDF_TIMEOUT_MS = 60_000
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser']
/** Chromium runs at most this many at once in one process; more renders wait their turn. */
const MAX_CONCURRENT = 2

const executable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** The Chromium to print with, or null. An explicit choice (option or env) that is not executable is not replaced by a default. */
export function findChromium(explicit?: string): string | null {
  const chosen = explicit ?? process.env.SUANPAN_CHROMIUM
  if (chosen) return executable(chosen) ? chosen : null
  return CANDIDATES.find(executable) ?? null
}

/** A failure of the PDF renderer that is not the caller's fault: `code` is PDF_TIMEOUT or PDF_FAILED. */
export class PdfRenderError extends Error {
  constructor(
    readonly code: 'PDF_TIMEOUT' | 'PDF_FAILED',
    message: string,
  ) {
    super(message)
    this.name = 'PdfRenderError'
  }
}

let running = 0
const waiting: (() => void)[] = []

async function withSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT) await new Promise<void>((resolve) => waiting.push(resolve))
  running += 1
  try {
    return await work()
  } finally {
    running -= 1
    waiting.shift()?.()
  }
}

/** Kill the whole process group we started (Chromium forks zygote, GPU and renderer processes). */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL')
  } catch {
    // Already gone.
  }
}

/** The flags: new headless mode, no sandbox (containers, root), nothing that talks to the network, no header/footer. */
export function chromiumArgs(dir: string, htmlPath: string, pdfPath: string): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-extensions',
    '--disable-dev-shm-usage',
    '--mute-audio',
    `--user-data-dir=${join(dir, 'profile')}`,
    `--crash-dumps-dir=${join(dir, 'crash')}`,
    '--no-pdf-header-footer',
    `--print-to-pdf=${pdfPath}`,
    pathToFileURL(htmlPath).href,
  ]
}

function runChromium(binary: string, args: string[], cwd: string, timeoutMs: number, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      cwd,
      // Its own process group, so a timeout can kill Chromium's helpers too.
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, HOME: cwd, XDG_CONFIG_HOME: join(cwd, 'xdg-config'), XDG_CACHE_HOME: join(cwd, 'xdg-cache') },
    })
    let stderr = ''
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-8_000)
    })
    let settled = false
    const timer = setTimeout(() => {
      if (settled) return
      settled = true
      if (child.pid !== undefined) killGroup(child.pid)
      reject(new PdfRenderError('PDF_TIMEOUT', `Chromium did not print the ${what} within ${timeoutMs} ms; killed`))
    }, timeoutMs)
    child.once('error', (err) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      reject(new PdfRenderError('PDF_FAILED', `could not start Chromium (${binary}): ${err.message}`))
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      // Helpers that outlive the browser process are ours too.
      if (child.pid !== undefined) killGroup(child.pid)
      if (settled) return
      settled = true
      if (code === 0) resolve(stderr)
      else
        reject(
          new PdfRenderError('PDF_FAILED', `Chromium exited with ${signal ?? code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`),
        )
    })
  })
}

export interface HtmlPdfOptions {
  /** The Chromium binary; default: env SUANPAN_CHROMIUM, then /usr/bin/chromium, /usr/bin/chromium-browser. */
  chromium?: string
  /** Bound on the Chromium run (default 60 s); the process group is killed when it is reached. */
  timeoutMs?: number
  /** What is printed, for messages ("census", "drill report"). */
  what?: string
}

/**
 * A self-contained HTML page as PDF, printed by Debian's Chromium in headless mode (A4, the page's own print CSS,
 * no header or footer). The work happens in a fresh temporary directory (profile included) that is always
 * removed. Throws a LedgerError 503 `PDF_UNAVAILABLE` when there is no Chromium, and a PdfRenderError
 * (`PDF_TIMEOUT`, `PDF_FAILED`) when printing fails. Census and drill reports both print through here.
 */
export async function htmlToPdf(html: string, options: HtmlPdfOptions = {}): Promise<Buffer> {
  const binary = findChromium(options.chromium)
  if (binary === null) {
    const tried = options.chromium ?? process.env.SUANPAN_CHROMIUM ?? CANDIDATES.join(', ')
    throw new LedgerError(
      503,
      'PDF_UNAVAILABLE',
      `PDF export needs Chromium, not found (tried ${tried}): apt-get install chromium, or set SUANPAN_CHROMIUM`,
    )
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_PDF_TIMEOUT_MS
  const what = options.what ?? 'page'
  return withSlot(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'suanpan-pdf-'))
    try {
      const htmlPath = join(dir, 'report.html')
      const pdfPath = join(dir, 'out.pdf')
      await writeFile(htmlPath, html, 'utf8')
      const stderr = await runChromium(binary, chromiumArgs(dir, htmlPath, pdfPath), dir, timeoutMs, what)
      let pdf: Buffer
      try {
        pdf = await readFile(pdfPath)
      } catch {
        throw new PdfRenderError('PDF_FAILED', `Chromium wrote no PDF: ${stderr.trim().split('\n').slice(-3).join(' | ')}`)
      }
      if (pdf.subarray(0, 5).toString('latin1') !== '%PDF-')
        throw new PdfRenderError('PDF_FAILED', 'Chromium wrote a file that is not a PDF')
      return pdf
    } finally {
      await rm(dir, { recursive: true, force: true, maxRetries: 3 })
    }
  })
}

/** The census as PDF: its HTML report (censusHtml) printed by htmlToPdf. */
export async function censusPdf(census: Census, lang: CensusLanguage, options: CensusPdfOptions = {}): Promise<Buffer> {
  const html = censusHtml(census, lang, { ...(options.names ? { names: options.names } : {}) })
  return htmlToPdf(html, {
    ...(options.chromium ? { chromium: options.chromium } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    what: 'census',
  })
}
