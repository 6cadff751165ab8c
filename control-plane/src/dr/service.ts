// The drills API's engine (issue 5 §3 API, §4): runs drills in-process with runDrill on the lab the control
// plane is configured with, one at a time, keeps every run in the store (drill_runs) with its report, the
// running drill's progress in memory, and the schedules (schedules.ts). No fastify here: routes only wire.
import { existsSync, readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { htmlToPdf, PdfRenderError } from '../census/export/pdf'
import { LedgerError } from '../ledger/errors'
import { instanceName } from '../schedule/cron'
import type { DrillProgressEvent, DrillRunSummary } from '../schemas/drills'
import type { Store } from '../store/open'
import { type DrillOptions, type DrillResult, engageKillSwitch, isScenario, NOT_YET, runDrill, SCENARIOS, type ScenarioId } from './drills'
import { alive } from './proc'
import { type DrillReport, renderHtml, type Trend, trends } from './report'
import { DrillRunStore, finishedFields, newRunId, summaryOf } from './run-store'
import { type ClaimedRun, DrillScheduler } from './schedules'
import { readState } from './state'

/** What runs a drill: runDrill, or a stand-in in tests (a real drill needs the lab and takes a minute). */
export type DrillRunner = (scenario: ScenarioId, options: DrillOptions) => Promise<DrillResult>

export interface DrillServiceOptions {
  store: Store
  /** The lab's directory (absolute). */
  labDir: string
  now: () => number
  log: { warn(obj: unknown, msg: string): void }
  /** Default runDrill. */
  runner?: DrillRunner
  /** Who claims runs (`host:pid`, default this process). */
  instance?: string
  /** Reload schedules this often (other instances' changes); default 30 s on PostgreSQL, never on SQLite. */
  scheduleSyncMs?: number
}

export interface DrillReportFile {
  body: string | Buffer
  contentType: string
  filename: string
}

interface Current {
  id: string
  scenario: ScenarioId
  controller: AbortController
  done: Promise<void>
}

/** Progress of this many recent runs is kept in memory. */
const PROGRESS_RUNS = 20
/** Events kept per run (a drill has a few dozen steps; the bound only protects memory). */
const PROGRESS_EVENTS = 2_000
const HISTORY_REPORTS = 500

const notFound = (id: string) => new LedgerError(404, 'DRILL_NOT_FOUND', `no drill run ${id}`, [{ path: '/id', message: 'not found' }])

export class DrillService {
  readonly runs: DrillRunStore
  readonly schedules: DrillScheduler
  private readonly runner: DrillRunner
  private readonly instance: string
  private current: Current | null = null
  private readonly progress = new Map<string, DrillProgressEvent[]>()

  constructor(private readonly o: DrillServiceOptions) {
    this.runs = new DrillRunStore(o.store)
    this.runner = o.runner ?? runDrill
    this.instance = o.instance ?? instanceName()
    this.schedules = new DrillScheduler({
      runs: this.runs,
      now: o.now,
      instance: this.instance,
      log: o.log,
      launch: (run) => this.launchScheduled(run),
      syncEveryMs: o.scheduleSyncMs ?? (o.store.dialect === 'postgres' ? 30_000 : 0),
    })
  }

  /** Settles runs a dead predecessor left unfinished, records missed due times, starts the schedules. */
  async start(): Promise<void> {
    await this.reapUnfinished()
    await this.schedules.start()
  }

  /** Stops the schedules; a drill this instance runs is aborted (it still restores the lab) and awaited. */
  async close(): Promise<void> {
    await this.schedules.stop()
    const current = this.current
    if (current) {
      current.controller.abort()
      await current.done
    }
  }

  scenarios() {
    return {
      scenarios: Object.values(SCENARIOS).map((s) => ({
        id: s.id,
        title: s.title,
        titleZh: s.titleZh,
        description: s.description,
        targets: {
          rtoSeconds: s.targets.rtoSeconds,
          rpoWrites: s.targets.rpoWrites,
          rpoSeconds: s.targets.rpoSeconds,
          requireReplication: s.targets.requireReplication,
        },
      })),
      notYet: NOT_YET.map((n) => ({ id: n.id, why: n.why })),
      // Whether a drill could start now, so a console can say so before anyone presses "run".
      lab: { dir: this.o.labDir, problem: this.labProblem() },
    }
  }

  /** Starts a drill now; it runs in the background. 400 unknown scenario; 409 when one runs or there is no lab. */
  async run(scenario: string, requestedBy: string): Promise<DrillRunSummary> {
    if (!isScenario(scenario))
      throw new LedgerError(400, 'UNKNOWN_SCENARIO', `scenario "${scenario}" is not one of: ${Object.keys(SCENARIOS).join(', ')}`, [
        { path: '/scenario', message: 'unknown scenario' },
      ])
    const busy = this.busyProblem()
    if (busy) throw new LedgerError(409, 'DRILL_RUNNING', busy)
    const noLab = this.labProblem()
    if (noLab) throw new LedgerError(409, 'DR_LAB_MISSING', noLab)
    const id = newRunId()
    const now = this.o.now()
    // Taken before the first await, so two requests at once cannot both start one.
    const current = this.reserve(id, scenario)
    const fresh = {
      id,
      scenario,
      trigger: 'manual' as const,
      status: 'running' as const,
      requestedBy,
      claimedBy: this.instance,
      createdAt: now,
      startedAt: now,
    }
    try {
      await this.runs.insert(fresh)
    } catch (error) {
      this.current = null
      throw error
    }
    this.launch(current, 'manual', requestedBy, false)
    const row = await this.runs.get(id)
    if (!row) throw notFound(id)
    return summaryOf(row)
  }

  /** A scheduled run this instance claimed: run it, or record why it was skipped (another drill, no lab). */
  private async launchScheduled(run: ClaimedRun): Promise<void> {
    const problem = this.busyProblem() ?? this.labProblem()
    if (problem || !isScenario(run.scenario)) {
      await this.runs.update(run.id, {
        status: 'skipped',
        finished_at: this.o.now(),
        detail: problem ?? `scenario "${run.scenario}" no longer exists`,
      })
      return
    }
    const current = this.reserve(run.id, run.scenario)
    this.launch(current, 'scheduled', run.requestedBy, true)
  }

  private reserve(id: string, scenario: ScenarioId): Current {
    const current: Current = { id, scenario, controller: new AbortController(), done: Promise.resolve() }
    this.current = current
    this.progress.set(id, [])
    while (this.progress.size > PROGRESS_RUNS) {
      const oldest = this.progress.keys().next().value
      if (oldest === undefined || oldest === id) break
      this.progress.delete(oldest)
    }
    return current
  }

  private launch(current: Current, trigger: 'manual' | 'scheduled', operator: string, markRunning: boolean): void {
    const events = this.progress.get(current.id) ?? []
    const work = async () => {
      try {
        if (markRunning) await this.runs.update(current.id, { status: 'running', started_at: this.o.now() })
        const result = await this.runner(current.scenario, {
          dir: this.o.labDir,
          trigger,
          operator,
          signal: current.controller.signal,
          progress: (step, detail = {}) => {
            if (events.length < PROGRESS_EVENTS) events.push({ at: new Date().toISOString(), step, detail })
          },
        })
        await this.runs.update(current.id, finishedFields(result.report, this.o.now()))
      } catch (error) {
        // No report: the drill never got to a verdict. Recorded as a failure (never as better than it was).
        this.o.log.warn({ err: error, drill: current.id }, 'drill ended without a report')
        await this.runs
          .update(current.id, {
            status: 'fail',
            finished_at: this.o.now(),
            detail: `the drill ended without a report: ${error instanceof Error ? error.message : String(error)}`.slice(0, 2000),
          })
          .catch((e: unknown) => this.o.log.warn({ err: e, drill: current.id }, 'drill result could not be stored'))
      } finally {
        if (this.current === current) this.current = null
      }
    }
    current.done = work()
  }

  /** Why a drill cannot start now because another one runs (here, or from the CLI on the same lab); null when none does. */
  private busyProblem(): string | null {
    if (this.current) return `drill ${this.current.id} (${this.current.scenario}) is running; POST /api/v1/drills/abort stops it`
    const holder = this.lockHolder()
    if (holder !== null) return `a drill started outside this control plane (pid ${holder}) is running on the DR lab at ${this.o.labDir}`
    return null
  }

  /** runDrill's one-drill-per-lab lock: the pid holding it, when alive. */
  private lockHolder(): number | null {
    try {
      const pid = Number(readFileSync(join(this.o.labDir, 'drill.lock'), 'utf8').trim())
      return alive(pid) ? pid : null
    } catch {
      return null
    }
  }

  private labProblem(): string | null {
    try {
      if (readState(this.o.labDir)) return null
    } catch (error) {
      return `the DR lab state in ${this.o.labDir}/lab.json cannot be read (${(error as Error).message}): rebuild it with \`suanpan dr lab down\` and \`suanpan dr lab up\``
    }
    return `no DR lab at ${this.o.labDir}: run \`suanpan dr lab up\` (or set SUANPAN_DR_LAB_DIR to the lab's directory)`
  }

  /** The kill switch: the drill this instance runs gets its AbortSignal; a CLI drill on the lab gets the kill-switch file. */
  async abort(): Promise<{ run: DrillRunSummary | null; killSwitch: string | null; via: 'signal' | 'file' }> {
    const current = this.current
    if (current) {
      current.controller.abort()
      const row = await this.runs.get(current.id)
      return { run: row ? summaryOf(row) : null, killSwitch: null, via: 'signal' }
    }
    if (this.lockHolder() !== null && existsSync(this.o.labDir))
      return { run: null, killSwitch: engageKillSwitch(this.o.labDir), via: 'file' }
    throw new LedgerError(409, 'NO_DRILL_RUNNING', `no drill is running on the DR lab at ${this.o.labDir}`)
  }

  async list(query: { scenario?: string; status?: string; limit?: number }): Promise<DrillRunSummary[]> {
    return this.runs.list({
      ...(query.scenario ? { scenario: query.scenario } : {}),
      ...(query.status ? { status: query.status } : {}),
      limit: query.limit ?? 50,
    })
  }

  async get(id: string): Promise<{ run: DrillRunSummary; report: DrillReport | null; progress: DrillProgressEvent[] }> {
    const row = await this.runs.get(id)
    if (!row) throw notFound(id)
    return { run: summaryOf(row), report: parseReport(row.report), progress: [...(this.progress.get(id) ?? [])] }
  }

  async trends(): Promise<Trend[]> {
    return trends(await this.runs.reports({ limit: HISTORY_REPORTS }))
  }

  /** The report of a run as JSON (as produced), HTML (renderHtml with the scenario's history) or PDF (that HTML printed). */
  async reportFile(id: string, format: 'json' | 'html' | 'pdf', lang: 'zh-CN' | 'en'): Promise<DrillReportFile> {
    const row = await this.runs.get(id)
    if (!row) throw notFound(id)
    const report = parseReport(row.report)
    if (!report)
      throw new LedgerError(404, 'DRILL_REPORT_NOT_READY', `drill run ${id} has no report (status ${row.status})`, [
        { path: '/id', message: `no report: ${row.status}` },
      ])
    const base = `suanpan-drill-${report.id.replace(/[^A-Za-z0-9._-]/g, '_')}`
    if (format === 'json')
      return { body: `${JSON.stringify(report, null, 2)}\n`, contentType: 'application/json; charset=utf-8', filename: `${base}.json` }
    const history = await this.runs.reports({ scenario: report.scenario, limit: HISTORY_REPORTS })
    const html = renderHtml(report, history, {
      lang,
      footer: `Suanpan drill run ${id}: JSON, HTML and PDF at GET /api/v1/drills/${id}/report?format=json|html|pdf`,
    })
    if (format === 'html') return { body: html, contentType: 'text/html; charset=utf-8', filename: `${base}-${lang}.html` }
    try {
      return { body: await htmlToPdf(html, { what: 'drill report' }), contentType: 'application/pdf', filename: `${base}-${lang}.pdf` }
    } catch (error) {
      if (!(error instanceof PdfRenderError)) throw error
      this.o.log.warn({ err: error, drill: id }, 'drill report PDF failed')
      throw new LedgerError(503, error.code, 'the PDF could not be printed (see the control-plane log); format=html has the same report')
    }
  }

  /** Runs left queued or running by a control plane on this host that is no longer alive: settled, with why. */
  private async reapUnfinished(): Promise<void> {
    for (const r of await this.runs.unfinished()) {
      const at = r.claimedBy.lastIndexOf(':')
      const host = r.claimedBy.slice(0, at)
      const pid = Number(r.claimedBy.slice(at + 1))
      // Another host's instance may be alive: not ours to judge.
      if (at < 0 || host !== hostname() || !Number.isInteger(pid) || alive(pid)) continue
      // A claimed run that never started was skipped; one that started was cut off (the lab may need a look).
      await this.runs.update(r.id, {
        status: r.status === 'queued' ? 'skipped' : 'aborted',
        finished_at: this.o.now(),
        detail: `the control plane that ${r.status === 'queued' ? 'claimed' : 'ran'} it (${r.claimedBy}) stopped before the drill finished; check the lab: suanpan dr lab status`,
      })
    }
  }
}

function parseReport(text: string | null): DrillReport | null {
  if (text === null) return null
  try {
    return JSON.parse(text) as DrillReport
  } catch {
    return null
  }
}
