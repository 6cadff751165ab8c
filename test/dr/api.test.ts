// The drills API and drill scheduling (issue 5 §3 API, §4) on both stores, without the DR lab: the real lab and
// real drills are test/dr/lab.test.ts (≈ 95 s of processes). Here a lab is either absent (the API must refuse)
// or a lab.json stand-in with the drill runner faked, so the whole run path — claim, progress, report, HTML,
// PDF — runs in a second.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp, loadConfig, openStore, type Store } from '@suanpan/control-plane'
import type { DrillRunSummary, DrillSchedule } from '@suanpan/control-plane/schemas'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { drillScheduleAdd, drillScheduleList, drillScheduleRemove } from '../../cli/src/drill-schedule'
import { createOutput } from '../../cli/src/output'
import { findChromium } from '../../control-plane/src/census/export/pdf'
import type { DrillOptions } from '../../control-plane/src/dr/drills'
import { fitLevel, loadLevels } from '../../control-plane/src/dr/gbt20988'
import { type DrillReport, REPORT_SCHEMA, saveReport } from '../../control-plane/src/dr/report'
import { type DrillRunner, DrillService } from '../../control-plane/src/dr/service'
import { FAST_TIMINGS } from '../../control-plane/src/dr/state'
import { ADMIN_TOKEN, NO_DR_LAB } from '../support/app'
import { testStores } from '../support/stores'

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }
const work = mkdtempSync(join(tmpdir(), 'suanpan-dr-api-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))
const quiet = { warn: () => {} }
// 2026-09-21 08:00 Beijing.
const T0 = Date.UTC(2026, 8, 21, 0, 0)

/** A directory with a lab.json, which is all the API looks for before it hands the drill to the runner. */
function fakeLab(name: string): string {
  const dir = join(work, name)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'lab.json'), JSON.stringify({ version: 1, id: name, dir, ready: true }))
  return dir
}

function fakeReport(scenario: string, options: DrillOptions, rto: number, verdict: DrillReport['verdict']): DrillReport {
  const startedAt = new Date().toISOString()
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
    endedAt: startedAt,
    durationSeconds: 1,
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
    steps: [{ name: 'fault: kill -9 A1', startedAt: 1, seconds: 0.01, sinceFault: 0, timeoutSeconds: 5, status: 'ok', detail: {} }],
    measurements: {
      faultAt: startedAt,
      firstAckAt: startedAt,
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
      integrity: null,
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
 * A stand-in for runDrill: it reports progress, waits until released (or aborted, like the kill switch) when told
 * to hold, then saves and returns a report the way runDrill does. Faked because a real drill needs the lab's processes.
 */
function fakeRunner(hold = true) {
  const calls: { scenario: string; options: DrillOptions }[] = []
  let release: () => void = () => {}
  const runner: DrillRunner = async (scenario, options) => {
    calls.push({ scenario, options })
    options.progress?.('pre-flight: kill switch off', { ok: true, detail: 'no kill-switch file' })
    options.progress?.('fault: kill -9 of everything in A1', { status: 'start' })
    if (hold)
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

async function until(what: string, check: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

for (const { store: testStore, skip } of testStores()) {
  describe.skipIf(skip)(`drills API and drill schedules on ${testStore.name}${skip ? ` (${skip})` : ''}`, () => {
    let store: Store
    let url: string | null
    let cleanup: () => Promise<void>
    const clock = { now: T0 }
    const apps: FastifyInstance[] = []

    async function start(labDir: string, runner?: DrillRunner) {
      const config = loadConfig(
        {},
        { adminToken: ADMIN_TOKEN, logLevel: 'error', drLabDir: labDir, ingestWorkers: 0, consoleDir: null, censusSchedule: null },
      )
      const built = await buildApp({ config, store, now: () => clock.now, logger: false, ...(runner ? { drillRunner: runner } : {}) })
      apps.push(built.app)
      return built
    }
    const json = (app: FastifyInstance, method: string, path: string, payload?: unknown) =>
      app.inject({ method: method as 'GET', url: path, headers: admin, ...(payload !== undefined ? { payload: payload as object } : {}) })
    const runRows = async () => store.db.selectFrom('drill_runs').selectAll().orderBy('scheduled_for').execute()

    beforeAll(async () => {
      const opened = await testStore.open()
      store = opened.store
      url = opened.url
      cleanup = opened.cleanup
    })
    afterAll(async () => {
      for (const app of apps) await app.close()
      await store?.close()
      await cleanup?.()
    })

    it('GET /api/v1/drills/scenarios lists every scenario with its targets, and what is not built yet', async () => {
      const { app } = await start(NO_DR_LAB)
      const res = await json(app, 'GET', '/api/v1/drills/scenarios')
      expect(res.statusCode).toBe(200)
      const body = res.json() as { scenarios: { id: string; targets: { rtoSeconds: number } }[]; notYet: { id: string; why: string }[] }
      expect(body.scenarios.map((s) => s.id)).toEqual(
        expect.arrayContaining(['a1-lost', 'a1-db-lost', 'remote-takeover', 'backup-restore', 'switchover']),
      )
      expect(body.scenarios.find((s) => s.id === 'a1-lost')?.targets.rtoSeconds).toBe(30)
      for (const n of body.notYet) expect(n).toEqual({ id: expect.any(String), why: expect.any(String) })
      await app.close()
    })

    it('without a lab: 400 naming /scenario for an unknown one, 409 DR_LAB_MISSING naming the lab, nothing stored', async () => {
      const { app } = await start(NO_DR_LAB)
      const unknown = await json(app, 'POST', '/api/v1/drills', { scenario: 'meteor-strike' })
      expect(unknown.statusCode).toBe(400)
      expect(unknown.json()).toMatchObject({ code: 'UNKNOWN_SCENARIO', fields: [{ path: '/scenario' }] })
      expect(unknown.json().message).toContain('a1-lost')
      const missing = await json(app, 'POST', '/api/v1/drills', {})
      expect(missing.statusCode).toBe(400)
      expect(missing.json().message).toContain('scenario')
      const noLab = await json(app, 'POST', '/api/v1/drills', { scenario: 'a1-lost' })
      expect(noLab.statusCode).toBe(409)
      expect(noLab.json().code).toBe('DR_LAB_MISSING')
      expect(noLab.json().message).toBe(
        `no DR lab at ${NO_DR_LAB}: run \`suanpan dr lab up\` (or set SUANPAN_DR_LAB_DIR to the lab's directory)`,
      )
      const abort = await json(app, 'POST', '/api/v1/drills/abort')
      expect(abort.statusCode).toBe(409)
      expect(abort.json().code).toBe('NO_DRILL_RUNNING')
      expect(await runRows()).toEqual([])
      // Refused mutations are audited like every other.
      const audited = await store.db
        .selectFrom('audit_log')
        .select(['action', 'outcome', 'status'])
        .where('action', 'like', '%drills%')
        .execute()
      expect(audited).toEqual(
        expect.arrayContaining([
          { action: 'POST /api/v1/drills', outcome: 'rejected', status: 409 },
          { action: 'POST /api/v1/drills/abort', outcome: 'rejected', status: 409 },
        ]),
      )
      const list = await json(app, 'GET', '/api/v1/drills')
      expect(list.json()).toEqual({ runs: [] })
      expect((await json(app, 'GET', '/api/v1/drills/dr-000000000000')).statusCode).toBe(404)
      expect((await json(app, 'GET', '/api/v1/drills/not-an-id')).statusCode).toBe(400)
      expect((await json(app, 'GET', '/api/v1/drills/trends')).json()).toEqual({ trends: [] })
      await app.close()
    })

    it('drill schedules: add, list with the next due time in Beijing time, remove; errors name /cron, /scenario, /timezone', async () => {
      const { app } = await start(NO_DR_LAB)
      const bad = async (payload: object, path: string, pattern: RegExp) => {
        const res = await json(app, 'POST', '/api/v1/drill-schedules', payload)
        expect(res.statusCode, res.body).toBe(400)
        expect(res.json().fields?.[0]?.path ?? '').toContain(path)
        expect(res.json().message).toMatch(pattern)
      }
      await bad({ scenario: 'a1-lost', cron: '0 3 * *' }, '/cron', /^cron: expected 5 fields/)
      await bad({ scenario: 'a1-lost', cron: '0 0 3 * * 1' }, '/cron', /got 6/)
      await bad({ scenario: 'a1-lost', cron: '0 25 * * *' }, '/cron', /^cron: hour "25" is not valid/)
      await bad({ scenario: 'nope', cron: '0 3 * * 1' }, '/scenario', /not one of/)
      await bad({ scenario: 'a1-lost', cron: '0 3 * * 1', timezone: 'UTC' }, '/timezone', /timezone/)
      await bad({ scenario: 'a1-lost' }, '/', /cron/)
      const created = await json(app, 'POST', '/api/v1/drill-schedules', { scenario: 'a1-lost', cron: ' 0  3 * * 1 ' })
      expect(created.statusCode, created.body).toBe(201)
      const schedule = created.json() as DrillSchedule
      expect(created.headers.location).toBe(`/api/v1/drill-schedules/${schedule.id}`)
      // T0 is Monday 21 September 08:00 Beijing: the next Monday 03:00 Beijing is the 28th (27th 19:00 UTC).
      expect(schedule).toMatchObject({
        scenario: 'a1-lost',
        cron: '0 3 * * 1',
        timezone: 'Asia/Shanghai',
        enabled: true,
        createdBy: 'admin',
        nextRun: '2026-09-27T19:00:00.000Z',
        lastRun: null,
      })
      const disabled = (
        await json(app, 'POST', '/api/v1/drill-schedules', { scenario: 'a1-db-lost', cron: '0 4 1 * *', enabled: false })
      ).json()
      expect(disabled).toMatchObject({ enabled: false, nextRun: null })
      const list = (await json(app, 'GET', '/api/v1/drill-schedules')).json() as { schedules: DrillSchedule[] }
      expect(list.schedules.map((s) => s.id).sort()).toEqual([schedule.id, disabled.id].sort())
      expect((await json(app, 'DELETE', `/api/v1/drill-schedules/${disabled.id}`)).json()).toEqual({ deleted: disabled.id })
      expect((await json(app, 'DELETE', `/api/v1/drill-schedules/${disabled.id}`)).statusCode).toBe(404)
      expect((await json(app, 'DELETE', '/api/v1/drill-schedules/x')).statusCode).toBe(400)
      expect(((await json(app, 'GET', '/api/v1/drill-schedules')).json() as { schedules: DrillSchedule[] }).schedules).toHaveLength(1)
      await json(app, 'DELETE', `/api/v1/drill-schedules/${schedule.id}`)
      await app.close()
    })

    it('a due time that passed while the control plane was down is recorded as missed after a restart, not run; the next one runs once (runner faked)', async () => {
      const lab = fakeLab(`missed-${testStore.name}`)
      const fake = fakeRunner()
      clock.now = T0
      const first = await start(lab, fake.runner)
      const created = (
        await json(first.app, 'POST', '/api/v1/drill-schedules', { scenario: 'a1-lost', cron: '0 3 * * *' })
      ).json() as DrillSchedule
      await first.app.close()
      // Down for two days: 03:00 Beijing on the 22nd and the 23rd passed.
      clock.now = T0 + 2 * 86_400_000
      const second = await start(lab, fake.runner)
      const missed = (await json(second.app, 'GET', '/api/v1/drills?status=missed')).json() as { runs: DrillRunSummary[] }
      expect(missed.runs.map((r) => r.scheduledFor)).toEqual(['2026-09-22T19:00:00.000Z', '2026-09-21T19:00:00.000Z'])
      expect(missed.runs[0]).toMatchObject({
        scenario: 'a1-lost',
        trigger: 'scheduled',
        status: 'missed',
        scheduleId: created.id,
        startedAt: null,
        verdict: null,
        requestedBy: 'admin',
      })
      expect(missed.runs[0]?.detail).toContain('not run late')
      expect(fake.calls).toEqual([])
      const listed = ((await json(second.app, 'GET', '/api/v1/drill-schedules')).json() as { schedules: DrillSchedule[] }).schedules.find(
        (x) => x.id === created.id,
      )
      expect(listed?.lastRun).toMatchObject({ status: 'missed', scheduledFor: '2026-09-22T19:00:00.000Z' })
      expect(listed?.nextRun).toBe('2026-09-23T19:00:00.000Z')
      await second.app.close()
      // Restarting again records and runs nothing more.
      const third = await start(lab, fake.runner)
      expect((await runRows()).filter((r) => r.schedule_id === created.id)).toHaveLength(2)
      expect(fake.calls).toEqual([])

      // The next due time comes while it runs: claimed once, run by the (faked) runner as a scheduled drill.
      const due = Date.UTC(2026, 8, 23, 19, 0)
      clock.now = due
      expect(await third.services.drills.schedules.fire(created.id, due)).toBe(true)
      expect(await third.services.drills.schedules.fire(created.id, due)).toBe(false)
      await until('the scheduled drill to start', async () => fake.calls.length === 1)
      expect(fake.calls[0]?.options).toMatchObject({ dir: lab, trigger: 'scheduled', operator: 'admin' })
      fake.release()
      await until('the scheduled drill to finish', async () =>
        (await runRows()).some((r) => r.scheduled_for === due && r.status === 'pass'),
      )
      const rows = (await runRows()).filter((r) => r.schedule_id === created.id)
      expect(rows.map((r) => r.status)).toEqual(['missed', 'missed', 'pass'])
      await json(third.app, 'DELETE', `/api/v1/drill-schedules/${created.id}`)
      await third.app.close()
    })

    it('two control-plane instances on one store reach the same due time: exactly one claims it', async () => {
      // Two instances means two connections on PostgreSQL (the supported multi-instance store); the embedded
      // SQLite store has one process, so there the two share its connection, as two ticks of one process would.
      const other = url ? await openStore({ sqlitePath: '', databaseUrl: url }) : store
      const lab = fakeLab(`two-${testStore.name}`)
      const fake = fakeRunner(false)
      const a = new DrillService({ store, labDir: NO_DR_LAB, now: () => clock.now, log: quiet, instance: 'instance-a' })
      const b = new DrillService({
        store: other,
        labDir: lab,
        now: () => clock.now,
        log: quiet,
        instance: 'instance-b',
        runner: fake.runner,
      })
      // Their cron tasks stay off: the due times are given here, not by the wall clock.
      await a.schedules.suspend()
      await b.schedules.suspend()
      try {
        const dues = [1, 2, 3, 4, 5].map((i) => Date.UTC(2026, 8, 24, 1, 5 * i))
        clock.now = (dues[0] ?? 0) - 60_000
        const schedule = await a.schedules.create({ scenario: 'switchover', cron: '*/5 * * * *' }, 'user:op')
        for (const due of dues) {
          clock.now = due
          const claims = await Promise.all([a.schedules.fire(schedule.id, due), b.schedules.fire(schedule.id, due)])
          expect(claims.filter(Boolean), `due ${new Date(due).toISOString()}`).toHaveLength(1)
          // What b claimed it ran (faked) before the next due time, as a real drill would finish within five minutes.
          await until('runs to settle', async () => (await runRows()).every((r) => r.status !== 'running' && r.status !== 'queued'))
        }
        const rows = (await runRows()).filter((r) => r.schedule_id === schedule.id)
        expect(rows.map((r) => Number(r.scheduled_for))).toEqual(dues)
        // a has no lab: what it claimed is recorded as skipped, with why; b ran what it claimed.
        for (const r of rows) {
          if (r.claimed_by === 'instance-a')
            expect([r.status, r.detail]).toEqual([
              'skipped',
              `no DR lab at ${NO_DR_LAB}: run \`suanpan dr lab up\` (or set SUANPAN_DR_LAB_DIR to the lab's directory)`,
            ])
          else expect([r.claimed_by, r.status, r.trigger]).toEqual(['instance-b', 'pass', 'scheduled'])
        }
        expect(fake.calls).toHaveLength(rows.filter((r) => r.claimed_by === 'instance-b').length)
        await a.schedules.remove(schedule.id)
      } finally {
        await a.close()
        await b.close()
        if (other !== store) await other.close()
      }
    })

    it('a manual run with the drill runner faked (a real lab drill takes a minute; test/dr/lab.test.ts runs them): 202, progress, one at a time, report', async () => {
      const lab = fakeLab(`manual-${testStore.name}`)
      const fake = fakeRunner()
      const { app } = await start(lab, fake.runner)
      const res = await json(app, 'POST', '/api/v1/drills', { scenario: 'a1-lost' })
      expect(res.statusCode, res.body).toBe(202)
      const { run } = res.json() as { run: DrillRunSummary }
      expect(run).toMatchObject({ scenario: 'a1-lost', trigger: 'manual', status: 'running', requestedBy: 'admin', verdict: null })
      expect(res.headers.location).toBe(`/api/v1/drills/${run.id}`)
      await until('the runner', async () => fake.calls.length === 1)
      // While it runs: its steps so far, and no second drill.
      const running = (await json(app, 'GET', `/api/v1/drills/${run.id}`)).json() as {
        run: DrillRunSummary
        report: unknown
        progress: { step: string }[]
      }
      expect(running.run.status).toBe('running')
      expect(running.report).toBeNull()
      expect(running.progress.map((p) => p.step)).toEqual(['pre-flight: kill switch off', 'fault: kill -9 of everything in A1'])
      const second = await json(app, 'POST', '/api/v1/drills', { scenario: 'a1-db-lost' })
      expect(second.statusCode).toBe(409)
      expect(second.json().code).toBe('DRILL_RUNNING')
      expect((await json(app, 'GET', `/api/v1/drills/${run.id}/report`)).json().code).toBe('DRILL_REPORT_NOT_READY')
      fake.release()
      await until(
        'the run to finish',
        async () => ((await json(app, 'GET', `/api/v1/drills/${run.id}`)).json() as { run: DrillRunSummary }).run.status === 'pass',
      )
      const done = (await json(app, 'GET', `/api/v1/drills/${run.id}`)).json() as { run: DrillRunSummary; report: DrillReport }
      expect(done.run).toMatchObject({ status: 'pass', verdict: 'pass', rtoSeconds: 9.5, rpoWrites: 0, level: 6, reportId: done.report.id })
      expect(done.run.finishedAt).not.toBeNull()
      expect(done.report.operator).toBe('admin')

      // A second run, aborted: the kill switch reaches the in-process drill through its AbortSignal.
      const again = (await json(app, 'POST', '/api/v1/drills', { scenario: 'a1-lost' })).json() as { run: DrillRunSummary }
      await until('the second runner', async () => fake.calls.length === 2)
      const abort = await json(app, 'POST', '/api/v1/drills/abort')
      expect(abort.statusCode).toBe(202)
      expect(abort.json()).toMatchObject({ via: 'signal', killSwitch: null, run: { id: again.run.id } })
      await until(
        'the abort',
        async () =>
          ((await json(app, 'GET', `/api/v1/drills/${again.run.id}`)).json() as { run: DrillRunSummary }).run.status === 'aborted',
      )

      const list = (await json(app, 'GET', '/api/v1/drills?scenario=a1-lost&limit=10')).json() as { runs: DrillRunSummary[] }
      expect(
        list.runs
          .map((r) => r.id)
          .slice(0, 2)
          .sort(),
      ).toEqual([again.run.id, run.id].sort())
      expect((await json(app, 'GET', '/api/v1/drills?status=aborted')).json().runs.map((r: DrillRunSummary) => r.id)).toEqual([
        again.run.id,
      ])
      const trends = (await json(app, 'GET', '/api/v1/drills/trends')).json() as {
        trends: { scenario: string; runs: number; passed: number }[]
      }
      expect(trends.trends.find((t) => t.scenario === 'a1-lost')).toMatchObject({ runs: 3, passed: 2 })

      // The report as stored, as HTML (escaped, bilingual, the API's footer), and as PDF through Chromium.
      const asJson = await json(app, 'GET', `/api/v1/drills/${run.id}/report?format=json`)
      expect(asJson.headers['content-type']).toContain('application/json')
      expect((asJson.json() as DrillReport).id).toBe(done.report.id)
      const html = await json(app, 'GET', `/api/v1/drills/${run.id}/report?format=html&lang=en`)
      expect(html.statusCode).toBe(200)
      expect(html.headers['content-type']).toContain('text/html')
      expect(html.headers['content-disposition']).toContain(`suanpan-drill-${done.report.id}-en.html`)
      expect(html.body).toContain('<html lang="en">')
      expect(html.body).toContain('灾备演练报告 DR drill report')
      expect(html.body).toContain(`GET /api/v1/drills/${run.id}/report?format=json|html|pdf`)
      expect((await json(app, 'GET', `/api/v1/drills/${run.id}/report?format=docx`)).statusCode).toBe(400)
      if (findChromium()) {
        const pdf = await json(app, 'GET', `/api/v1/drills/${run.id}/report?format=pdf`)
        expect(pdf.statusCode, pdf.body.slice(0, 300)).toBe(200)
        expect(pdf.headers['content-type']).toBe('application/pdf')
        expect(pdf.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-')
        const file = join(work, `${run.id}.pdf`)
        writeFileSync(file, pdf.rawPayload)
        try {
          const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' })
          expect(text).toContain('灾备演练报告')
          expect(text).toContain('9.50 s')
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
          console.warn('skipped: no pdftotext (apt-get install poppler-utils): the drill PDF text was not checked')
        }
      } else {
        console.warn('skipped: no Chromium (apt-get install chromium): the drill report PDF was not printed')
      }
      await app.close()
    })

    it('a remote takeover waits for a second person (two-person rule, runner faked): nothing runs until another drill operator approves', async () => {
      const lab = fakeLab(`approval-${testStore.name}`)
      const fake = fakeRunner()
      const { app } = await start(lab, fake.runner)
      const asked = await json(app, 'POST', '/api/v1/drills', { scenario: 'remote-takeover' })
      expect(asked.statusCode, asked.body).toBe(202)
      const { approval } = asked.json() as { approval: { id: string; action: string; status: string; target: string } }
      expect(approval).toMatchObject({ action: 'drills:remote-takeover', status: 'pending', target: 'remote-takeover' })
      expect(asked.headers.location).toBe(`/api/v1/approvals/${approval.id}`)
      // Asked, not run: no drill started, none stored.
      await new Promise((r) => setTimeout(r, 100))
      expect(fake.calls).toHaveLength(0)
      expect((await json(app, 'GET', '/api/v1/drills?scenario=remote-takeover')).json().runs).toEqual([])
      // Scheduling takeovers is as high-risk as one takeover: it waits too.
      const scheduled = await json(app, 'POST', '/api/v1/drill-schedules', { scenario: 'remote-takeover', cron: '0 3 * * 1' })
      expect(scheduled.statusCode, scheduled.body).toBe(202)
      expect(scheduled.json().approval).toMatchObject({ action: 'drills:remote-takeover', target: 'schedule:remote-takeover' })
      expect((await json(app, 'GET', '/api/v1/drill-schedules')).json().schedules).toEqual([])
      // The one who asked cannot approve; a second drill operator can, and the drill starts as theirs.
      expect((await json(app, 'POST', `/api/v1/approvals/${approval.id}/approve`, {})).statusCode).toBe(403)
      const user = {
        username: `second-${testStore.name}`,
        password: 'correct horse battery staple 7',
        role: 'drill-operator',
        scope: 'national',
      }
      expect((await json(app, 'POST', '/api/v1/users', user)).statusCode).toBe(201)
      const token = ((await json(app, 'POST', `/api/v1/users/${user.username}/tokens`, {})).json() as { token: string }).token
      const approved = await app.inject({
        method: 'POST',
        url: `/api/v1/approvals/${approval.id}/approve`,
        headers: { authorization: `Bearer ${token}` },
        payload: {},
      })
      expect(approved.statusCode, approved.body).toBe(200)
      await until('the approved drill to start', async () => fake.calls.length === 1)
      const runs = (await json(app, 'GET', '/api/v1/drills?scenario=remote-takeover')).json().runs as DrillRunSummary[]
      expect(runs).toHaveLength(1)
      expect(runs[0]?.requestedBy).toBe(`admin+user:${user.username}`)
      fake.release()
      await until(
        'the run to finish',
        async () =>
          ((await json(app, 'GET', '/api/v1/drills?scenario=remote-takeover')).json().runs[0] as DrillRunSummary).status !== 'running',
      )
      await app.close()
    })

    it('a run left running by a control plane that died is recorded as aborted at the next start-up', async () => {
      const dead = `${hostname()}:2147483646`
      await store.db
        .insertInto('drill_runs')
        .values({
          id: 'dr-0000000000aa',
          scenario: 'a1-lost',
          trigger: 'manual',
          status: 'running',
          schedule_id: null,
          scheduled_for: null,
          created_at: clock.now,
          started_at: clock.now,
          finished_at: null,
          verdict: null,
          rto_seconds: null,
          rpo_writes: null,
          level: null,
          report_id: null,
          report: null,
          detail: null,
          requested_by: 'user:op',
          claimed_by: dead,
        })
        .execute()
      const { app } = await start(NO_DR_LAB)
      const run = ((await json(app, 'GET', '/api/v1/drills/dr-0000000000aa')).json() as { run: DrillRunSummary }).run
      expect(run.status).toBe('aborted')
      expect(run.detail).toContain(dead)
      await app.close()
    })

    it('suanpan drill schedule add | list | remove talk to the API', async () => {
      const { app } = await start(NO_DR_LAB)
      const address = await app.listen({ port: 0, host: '127.0.0.1' })
      const lines: string[] = []
      const out = createOutput(true, (l) => lines.push(l))
      const common = { url: address, adminToken: ADMIN_TOKEN }
      const added = await drillScheduleAdd({ ...common, scenario: 'backup-restore', cron: '15 2 * * 0' }, out)
      expect(added).toMatchObject({ scenario: 'backup-restore', cron: '15 2 * * 0', enabled: true })
      const listed = await drillScheduleList(common, out)
      expect(listed.map((s) => s.id)).toContain(added.id)
      await expect(drillScheduleAdd({ ...common, scenario: 'backup-restore', cron: '15 2 * *' }, out)).rejects.toThrow(
        /400 INVALID_DRILL_SCHEDULE: cron: expected 5 fields/,
      )
      await drillScheduleRemove({ ...common, id: added.id }, out)
      expect(await drillScheduleList(common, out)).toEqual([])
      expect(lines.map((l) => (JSON.parse(l) as { type: string }).type)).toEqual([
        'drill-schedule',
        'drill-schedules',
        'drill-schedule-removed',
        'drill-schedules',
      ])
      const text: string[] = []
      await drillScheduleList(
        common,
        createOutput(false, (l) => text.push(l)),
      )
      expect(text.join('\n')).toContain('no drill schedules')
      await app.close()
    })
  })
}
