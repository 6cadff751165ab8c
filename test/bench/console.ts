/// <reference lib="dom" />
// Console benchmark: `npm run bench:console [-- --clusters 2000 --runs 5 --history-hours 24 --json --no-write]`.
//
// The real control plane with a simulated fleet of 2,000 clusters (reporting through real HTTP) and a
// day of history serves the built console on loopback; Debian's Chromium measures, each run in a fresh
// context (cold cache): time from navigation to the overview's first chart drawn, the JavaScript the
// first route transfers (compressed bytes on the wire), and frame times while the ledger table of all
// 2,000 clusters is scrolled top to bottom. Figures, command and machine go to BENCHMARKS.md.
import { parseArgs } from 'node:util'
import type { Page } from 'playwright-core'
import { chromiumAvailable, ensureConsoleBuilt, launchChromium, newConsoleContext, startConsoleStack } from '../support/browser'
import { describeMachine, progress, writeBenchmarkSection } from './support'

const { values: args } = parseArgs({
  options: {
    clusters: { type: 'string', default: '2000' },
    runs: { type: 'string', default: '5' },
    'history-hours': { type: 'string', default: '24' },
    json: { type: 'boolean', default: false },
    write: { type: 'boolean' },
    'no-write': { type: 'boolean', default: false },
  },
})
const clusters = Number(args.clusters)
const runs = Number(args.runs)
const historyHours = Number(args['history-hours'])
const fullSize = clusters === 2000
const write = args['no-write'] ? false : (args.write ?? fullSize)
const TARGETS = { firstChartMs: 1500, firstRouteJsKiB: 350, worstFrameMs: 100 }
const BEGIN = '<!-- bench:console:begin (written by `npm run bench:console`; edits inside are overwritten) -->'
const END = '<!-- bench:console:end -->'

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2
}

/** Milliseconds from navigation start to the first recharts surface with drawn content, and the JS on the wire. */
async function overviewRun(page: Page, url: string): Promise<{ firstChartMs: number; jsBytes: number; jsFiles: number }> {
  await page.goto(`${url}/`, { waitUntil: 'commit' })
  await page.waitForFunction(() => document.querySelector('.recharts-surface path, .recharts-surface rect') !== null, null, {
    timeout: 30_000,
    polling: 'raf',
  })
  const firstChartMs = await page.evaluate(() => performance.now())
  await page.waitForLoadState('networkidle')
  const js = await page.evaluate(() =>
    (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
      .filter((e) => e.name.endsWith('.js'))
      .map((e) => e.encodedBodySize),
  )
  return { firstChartMs, jsBytes: js.reduce((a, b) => a + b, 0), jsFiles: js.length }
}

/** Scroll the ledger table's body from top to bottom in steps, recording the gap between animation frames. */
async function scrollRun(page: Page, url: string): Promise<{ frames: number; worstFrameMs: number; p95FrameMs: number }> {
  await page.goto(`${url}/ledger?groupBy=cluster`, { waitUntil: 'networkidle' })
  await page.waitForSelector('.ant-table-row', { timeout: 30_000 })
  const result = await page.evaluate(async () => {
    const candidates = Array.from(document.querySelectorAll<HTMLElement>('.ant-table-tbody-virtual-holder, .ant-table-body'))
    const body = candidates.find((el) => el.scrollHeight > el.clientHeight + 10)
    if (!body) throw new Error('no scrollable table body')
    const gaps: number[] = []
    let last = performance.now()
    const step = Math.max(40, Math.floor(body.clientHeight / 3))
    while (body.scrollTop + body.clientHeight < body.scrollHeight - 1) {
      body.scrollTop += step
      body.dispatchEvent(new Event('scroll'))
      await new Promise<void>((resolve) => requestAnimationFrame(() => resolve()))
      const now = performance.now()
      gaps.push(now - last)
      last = now
    }
    return gaps
  })
  const sorted = [...result].sort((a, b) => a - b)
  return {
    frames: result.length,
    worstFrameMs: sorted.at(-1) ?? 0,
    p95FrameMs: sorted[Math.floor(sorted.length * 0.95)] ?? 0,
  }
}

if (!chromiumAvailable()) {
  process.stderr.write('skipped: no Chromium (apt-get install chromium)\n')
  process.exit(1)
}
await ensureConsoleBuilt()
progress(`control plane with ${clusters} simulated clusters and ${historyHours} h of history`)
const stack = await startConsoleStack({ clusters, historyHours })
const browser = await launchChromium()
try {
  const overview: Awaited<ReturnType<typeof overviewRun>>[] = []
  const scroll: Awaited<ReturnType<typeof scrollRun>>[] = []
  for (let i = 0; i < runs; i++) {
    progress(`run ${i + 1}/${runs}`)
    const context = await newConsoleContext(browser, 'zh-CN')
    const page = await context.newPage()
    overview.push(await overviewRun(page, stack.url))
    scroll.push(await scrollRun(page, stack.url))
    await context.close()
  }
  const firstChart = overview.map((o) => o.firstChartMs)
  const jsKiB = Math.max(...overview.map((o) => o.jsBytes)) / 1024
  const worstFrame = Math.max(...scroll.map((s) => s.worstFrameMs))
  const result = {
    clusters,
    runs,
    historyHours,
    firstChartMs: { best: Math.min(...firstChart), median: median(firstChart), worst: Math.max(...firstChart) },
    firstRouteJsKiB: jsKiB,
    jsFiles: overview[0]?.jsFiles ?? 0,
    scroll: {
      rows: (await stack.ledger('groupBy=cluster&limit=1')).totalGroups,
      frames: scroll[0]?.frames ?? 0,
      worstFrameMs: worstFrame,
      p95FrameMs: median(scroll.map((s) => s.p95FrameMs)),
    },
    targets: {
      firstChart: median(firstChart) <= TARGETS.firstChartMs,
      firstRouteJs: jsKiB <= TARGETS.firstRouteJsKiB,
      scroll: worstFrame <= TARGETS.worstFrameMs,
    },
    machine: describeMachine(),
    command: `npm run bench:console${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    date: new Date().toISOString(),
  }
  const pass = (ok: boolean) => (ok ? 'PASS' : 'FAIL')
  const m = result.machine
  const section = [
    `## Console (\`${result.command}\`)`,
    '',
    `${result.date.slice(0, 10)}, ${m.cpuModel} (${m.nproc} CPUs, load ${m.loadAverage.toFixed(1)} at start), Node ${process.version}, Chromium from Debian, headless; ${clusters.toLocaleString('en-US')} simulated clusters reporting through HTTP, ${historyHours} h of history, control plane and browser on the same machine over loopback; ${runs} runs, each in a fresh browser context (cold cache).`,
    '',
    '| measure | best | median | worst | target | |',
    '|---|---:|---:|---:|---:|---|',
    `| navigation → overview's first chart drawn | ${result.firstChartMs.best.toFixed(0)} ms | ${result.firstChartMs.median.toFixed(0)} ms | ${result.firstChartMs.worst.toFixed(0)} ms | ≤ ${TARGETS.firstChartMs} ms (median) | ${pass(result.targets.firstChart)} |`,
    `| JS transferred for the first route (gzip on the wire, ${result.jsFiles} files) | | ${jsKiB.toFixed(1)} KiB | | ≤ ${TARGETS.firstRouteJsKiB} KB | ${pass(result.targets.firstRouteJs)} |`,
    `| ledger table, ${result.scroll.rows.toLocaleString('en-US')} rows (virtualized), scrolled top to bottom in ${result.scroll.frames} steps: frame gap | | p95 ${result.scroll.p95FrameMs.toFixed(0)} ms | ${worstFrame.toFixed(0)} ms | no frame > ${TARGETS.worstFrameMs} ms | ${pass(result.targets.scroll)} |`,
  ].join('\n')
  if (args.json) process.stdout.write(`${JSON.stringify(result)}\n`)
  else process.stdout.write(`${section}\n`)
  if (write) {
    writeBenchmarkSection(BEGIN, END, section)
    progress('BENCHMARKS.md updated')
  }
} finally {
  await browser.close()
  await stack.close()
}
