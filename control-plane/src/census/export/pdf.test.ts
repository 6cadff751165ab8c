import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { LedgerError } from '../../ledger/errors'
import { fixtureCensus, fixtureNames } from './fixture'
import { formatNumber } from './labels'
import { censusPdf, findChromium, PdfRenderError } from './pdf'

const census = fixtureCensus()
const names = fixtureNames()
const chromium = findChromium()
const required = process.env.SUANPAN_REQUIRE_SERVICES === '1'
const work = mkdtempSync(join(tmpdir(), 'suanpan-pdf-test-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

const ourTempDirs = () => new Set(readdirSync(tmpdir()).filter((n) => n.startsWith('suanpan-pdf-') && !n.startsWith('suanpan-pdf-test-')))

/** The PDF's text as poppler's pdftotext lays it out. */
function pdfText(pdf: Buffer, name: string): string {
  const file = join(work, name)
  writeFileSync(file, pdf)
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' })
}

if (!chromium) {
  const message = '*** skipped: no Chromium (apt-get install chromium): the census PDF tests with real Chromium did not run ***'
  if (required) {
    it('real Chromium is installed (SUANPAN_REQUIRE_SERVICES=1)', () => {
      throw new Error(`SUANPAN_REQUIRE_SERVICES=1 but Chromium is not installed (apt-get install chromium)`)
    })
  } else {
    console.warn(`\n${message}\n`)
  }
}

describe.skipIf(!chromium)(
  chromium
    ? 'censusPdf with real Chromium (headless, Debian)'
    : 'censusPdf with real Chromium — skipped: no Chromium (apt-get install chromium)',
  () => {
    it('prints the Chinese report with real Chromium: %PDF, Chinese title and the report numbers in pdftotext', async () => {
      const before = ourTempDirs()
      const started = performance.now()
      const pdf = await censusPdf(census, 'zh-CN', { names })
      const ms = Math.round(performance.now() - started)
      console.info(`census PDF (zh-CN, fixture): ${pdf.length} bytes in ${ms} ms with ${chromium}`)
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-')
      const text = pdfText(pdf, 'zh.pdf')
      expect(text).toContain('算力资源普查报告')
      expect(text).toContain('2026 年第四季度全国政务算力资源普查')
      expect(text).toContain('技术路线与国产化率')
      expect(text).toContain('北京市')
      expect(text).toContain(formatNumber('zh-CN', census.total.compute.fp32Pflops, 'pflops'))
      expect(text).toContain(formatNumber('zh-CN', census.total.compute.fp16DensePflops, 'pflops'))
      expect(text).toContain(formatNumber('zh-CN', census.total.cpuCores, 'int'))
      // The temporary directory (profile included) is gone.
      expect([...ourTempDirs()].filter((d) => !before.has(d))).toEqual([])
    })

    it('prints the English report with real Chromium: English title and numbers', async () => {
      const pdf = await censusPdf(census, 'en', { names })
      const text = pdfText(pdf, 'en.pdf')
      expect(text).toContain('Compute Resource Census Report')
      expect(text).toContain('Technology selection and domestic share')
      expect(text).toContain('Inner Mongolia')
      expect(text).toContain(formatNumber('en', census.total.compute.fp16DensePflops, 'pflops'))
      expect(text).toContain(formatNumber('en', census.energy.pue, 'dec2'))
    })

    it('kills real Chromium at the timeout and removes its temporary directory', async () => {
      const before = ourTempDirs()
      const err = await censusPdf(census, 'en', { timeoutMs: 50 }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(PdfRenderError)
      expect((err as PdfRenderError).code).toBe('PDF_TIMEOUT')
      expect([...ourTempDirs()].filter((d) => !before.has(d))).toEqual([])
    })
  },
)

describe('censusPdf without Chromium', () => {
  it('throws PDF_UNAVAILABLE (503) naming apt-get install chromium', async () => {
    const err = await censusPdf(census, 'zh-CN', { chromium: '/nonexistent/chromium' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LedgerError)
    expect((err as LedgerError).code).toBe('PDF_UNAVAILABLE')
    expect((err as LedgerError).statusCode).toBe(503)
    expect((err as Error).message).toContain('apt-get install chromium')
  })
})
