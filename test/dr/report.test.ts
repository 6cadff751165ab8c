// The DR pieces that need no processes: GB/T 20988 levels read from the CSV, the engines'
// configuration (B1 never leads; timings within ttl), the report's history/trend and its HTML.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { findChromium } from '../../control-plane/src/census/export/pdf'
import { haproxyConfig, patroniConfig, pgbackrestConfig } from '../../control-plane/src/dr/configs'
import { fitLevel, loadLevels, parseBound } from '../../control-plane/src/dr/gbt20988'
import { type DrillReport, listReports, REPORT_SCHEMA, renderHtml, saveReport, trends } from '../../control-plane/src/dr/report'
import { CENTERS, type CenterName, type CenterState, checkTimings, FAST_TIMINGS, type LabState } from '../../control-plane/src/dr/state'

describe('GB/T 20988 levels from data/gbt20988_levels.csv', () => {
  const levels = loadLevels()

  it('reads six levels with every RTO/RPO phrase understood', () => {
    expect(levels.map((l) => l.level)).toEqual([1, 2, 3, 4, 5, 6])
    for (const l of levels) {
      expect(l.rtoMaxSeconds, `${l.level} rto "${l.rtoMax}"`).not.toBeNull()
      expect(l.rpoMaxSeconds, `${l.level} rpo "${l.rpoMax}"`).not.toBeNull()
    }
    expect(levels[5]?.rpoMaxSeconds).toBe(0)
  })

  it('parses the phrases as upper bounds', () => {
    expect(parseBound('0')).toBe(0)
    expect(parseBound('0-30 min')).toBe(1800)
    expect(parseBound('minutes to 2 h')).toBe(7200)
    expect(parseBound('hours to 12 h')).toBe(43200)
    expect(parseBound('12-24 h')).toBe(86400)
    expect(parseBound('hours to 1 day')).toBe(86400)
    expect(parseBound('1-7 days')).toBe(7 * 86400)
    expect(parseBound('>24 h')).toBe(Number.POSITIVE_INFINITY)
    expect(parseBound('minutes')).toBe(3600)
    expect(parseBound('soon')).toBeNull()
  })

  it('fits the highest level whose bounds hold, and says a level needs all seven elements', () => {
    expect(fitLevel(levels, 9.5, 0).level).toBe(6)
    expect(fitLevel(levels, 9.5, 3).level).toBe(5)
    expect(fitLevel(levels, 3 * 3600, 3600).level).toBe(4)
    expect(fitLevel(levels, 20 * 3600, 3600).level).toBe(3)
    expect(fitLevel(levels, 3 * 86400, 3 * 86400).level).toBe(2)
    expect(fitLevel(levels, 3 * 86400, 30 * 86400).level).toBeNull()
    expect(fitLevel(levels, null, 0).level).toBeNull()
    expect(fitLevel(levels, 1, 0).note).toMatch(/all seven elements/)
  })
})

function fakeState(dir: string): LabState {
  let port = 20000
  const centers = {} as Record<CenterName, CenterState>
  for (const name of CENTERS) {
    const d = join(dir, name.toLowerCase())
    centers[name] = {
      name,
      city: name === 'B1' ? 'B' : 'A',
      dir: d,
      etcd: { name: name.toLowerCase(), clientPort: port++, peerPort: port++, dataDir: join(d, 'etcd'), log: '', pid: null },
      postgres: {
        name: name.toLowerCase(),
        port: port++,
        restPort: port++,
        dataDir: join(d, 'pgdata'),
        socketDir: join(d, 'run'),
        config: '',
        log: '',
        pid: null,
      },
      haproxy: null,
      controlPlane: null,
    }
  }
  return {
    version: 1,
    id: 'test',
    dir,
    repoRoot: dir,
    createdAt: '',
    scope: 'suanpan-dr',
    database: 'suanpan',
    timings: FAST_TIMINGS,
    adminToken: 'x',
    lagBoundBytes: 1024,
    centers,
    backup: { config: join(dir, 'b1/pgbackrest.conf'), repo: join(dir, 'b1/repo'), stanza: 'suanpan', log: '', fullIntervalHours: 24 },
    probe: null,
    takeover: null,
    extras: [],
    pgGuard: true,
    ready: true,
  }
}

describe('DR lab configuration (no processes)', () => {
  const state = fakeState('/tmp/x')

  it('B1 never leads and never becomes the synchronous standby; A1/A2 may', () => {
    expect(patroniConfig(state, 'B1').tags).toMatchObject({ nofailover: true, nosync: true })
    expect(patroniConfig(state, 'A2').tags).toMatchObject({ nofailover: false, nosync: false })
    const dcs = (patroniConfig(state, 'A1').bootstrap as { dcs: Record<string, unknown> }).dcs
    expect(dcs).toMatchObject({ ttl: 10, loop_wait: 2, retry_timeout: 3, synchronous_mode: true })
    expect((dcs.postgresql as { use_pg_rewind: boolean }).use_pg_rewind).toBe(true)
  })

  it('keeps loop_wait + 2 × retry_timeout ≤ ttl', () => {
    expect(() => checkTimings(FAST_TIMINGS)).not.toThrow()
    expect(() => checkTimings({ ttl: 10, loopWait: 5, retryTimeout: 3 })).toThrow(/ttl/)
  })

  it('HAProxy routes by Patroni /primary and cuts sessions to a demoted member; pgBackRest lists every member', () => {
    const cfg = haproxyConfig(state, 30000)
    expect(cfg).toContain('option httpchk GET /primary')
    expect(cfg).toContain('on-marked-down shutdown-sessions')
    expect(cfg.match(/^ {2}server /gm)?.length).toBe(3)
    const br = pgbackrestConfig(state)
    expect(br).toMatch(/pg3-path=\/tmp\/x\/b1\/pgdata/)
    expect(br).toMatch(/repo1-path=\/tmp\/x\/b1\/repo/)
  })
})

function report(id: string, scenario: string, startedAt: string, rto: number | null, verdict: DrillReport['verdict']): DrillReport {
  return {
    schema: REPORT_SCHEMA,
    id,
    scenario,
    title: 'Center A1 lost',
    titleZh: '主中心A1整体失效',
    description: '<script>alert(1)</script>',
    trigger: 'manual',
    operator: 'op',
    startedAt,
    endedAt: startedAt,
    durationSeconds: 1,
    lab: { id: 'lab', dir: '/tmp/lab', host: 'h', timings: FAST_TIMINGS, engines: { patroni: '3.0.2' }, topology: 't', pgGuard: true },
    targets: { rtoSeconds: 30, rpoWrites: 0, rpoSeconds: 0, lagBoundBytes: 1, requireReplication: true },
    preflight: { ok: verdict !== 'skipped', checks: [{ name: 'A1 healthy', ok: true, detail: 'leader' }] },
    steps: [{ name: 'fault', startedAt: 1, seconds: 0.01, sinceFault: 0, timeoutSeconds: 5, status: 'ok', detail: {} }],
    measurements: {
      faultAt: startedAt,
      firstAckAt: startedAt,
      rtoSeconds: rto,
      phases: { detectionSeconds: 1, promotionSeconds: 1, trafficSwitchSeconds: 1 },
      rpo:
        rto === null
          ? null
          : {
              checkedOn: 'A2',
              ackedWrites: 10,
              missingWrites: 0,
              missingSequences: [],
              missingSpanSeconds: 0,
              rpoSeconds: 0,
              lastSequenceInLedger: 1,
            },
      rpoAfterRecovery: null,
      probe: { writes: 10, acked: 10, failed: 0, intervalMs: 100, byTarget: { A2: 10 } },
      integrity: null,
      integrityAfterRecovery: null,
      replication: { reestablished: true, note: 'ok' },
      switchover: null,
      extra: {},
    },
    findings: [],
    verdict,
    verdictReasons: [],
    gbt20988: fitLevel(loadLevels(), rto, 0),
    exports: { json: '', html: '', pdf: '' },
  }
}

describe('drill reports: storage, history, trend, HTML', () => {
  const dir = mkdtempSync(join(tmpdir(), 'suanpan-dr-report-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('stores JSON and HTML, lists history in time order and computes a trend per scenario', () => {
    const rtos = [20, 21, 19, 22, 20, 10, 9, 11, 10, 9]
    rtos.forEach((rto, i) => {
      saveReport(dir, report(`r${i}`, 'a1-lost', `2026-11-28T00:${String(10 + i)}:00Z`, rto, 'pass'))
    })
    saveReport(dir, report('s0', 'a1-lost', '2026-11-28T01:00:00Z', null, 'skipped'))
    const list = listReports(dir)
    expect(list.map((r) => r.id)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 's0'])
    const [t] = trends(list)
    expect(t).toMatchObject({ scenario: 'a1-lost', runs: 11, passed: 10, direction: 'better' })
    expect(t?.rtoSeconds).toMatchObject({ best: 9, worst: 22, last: 9 })
  })

  it('suanpan drill export writes the report as PDF (Chromium) in either language, and asks for a file', async () => {
    const { drillExport } = await import('../../cli/src/dr')
    const { createOutput } = await import('../../cli/src/output')
    const lines: string[] = []
    const out = createOutput(false, (l) => lines.push(l))
    await expect(drillExport('r9', { dir, format: 'pdf' }, out)).rejects.toThrow(/--output/)
    if (!findChromium()) {
      if (process.env.SUANPAN_REQUIRE_SERVICES === '1') throw new Error('no Chromium: the drill report PDF cannot be printed')
      console.warn('skipped: no Chromium (apt-get install chromium): the drill report PDF was not printed')
      return
    }
    for (const lang of ['zh-CN', 'en'] as const) {
      const file = join(dir, `r9-${lang}.pdf`)
      await drillExport('r9', { dir, format: 'pdf', lang, output: file }, out)
      expect(readFileSync(file).subarray(0, 5).toString('latin1')).toBe('%PDF-')
      try {
        const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' })
        expect(text).toContain('灾备演练报告')
        expect(text).toContain('a1-lost')
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
        console.warn('skipped: no pdftotext (apt-get install poppler-utils): the drill PDF text was not checked')
      }
    }
    expect(lines.at(-1)).toContain('r9-en.pdf')
  }, 60_000)

  it('renders self-contained HTML with values escaped', () => {
    const html = renderHtml(report('x', 'a1-lost', '2026-11-28T00:00:00Z', 9.5, 'pass'))
    expect(html).not.toContain('<script>')
    expect(html).toContain('&lt;script&gt;')
    expect(html).toContain('level <b>6</b>')
    expect(html).toMatch(/seven elements/)
  })
})
