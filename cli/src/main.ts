import { Command, InvalidArgumentError, Option } from 'commander'
import { CliError } from './http'
import { createOutput } from './output'

// Commands load their modules when they run: `ledger` should not pay for the Kubernetes client.

const positiveInt = (name: string, max: number) => (value: string) => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > max) throw new InvalidArgumentError(`${name} must be an integer between 0 and ${max}`)
  return n
}

const program = new Command('suanpan').description('Suanpan (算盘): the national government compute ledger').showHelpAfterError()

program
  .command('start')
  .description('control plane + embedded store + simulated national fleet')
  .addOption(new Option('--clusters <n>', 'simulated clusters (up to 2000)').default(300).argParser(positiveInt('--clusters', 2000)))
  .option('--no-sim', 'do not start the simulated fleet')
  .addOption(
    new Option('--history-hours <h>', 'hours of simulated utilization history to fill in before now (0: none)')
      .default(24)
      .argParser(positiveInt('--history-hours', 24 * 7)),
  )
  .addOption(new Option('--port <port>', 'listen port').env('PORT').default(8080).argParser(positiveInt('--port', 65535)))
  .addOption(new Option('--host <host>', 'listen address').env('HOST').default('127.0.0.1'))
  .addOption(new Option('--data-dir <dir>', 'where the embedded store lives').default('.suanpan'))
  .addOption(new Option('--seed <n>', 'simulator seed').default(20221009).argParser(positiveInt('--seed', 2 ** 31)))
  .option('--json', 'machine-readable output (one JSON object per line)', false)
  .action(async (opts) => {
    const out = createOutput(opts.json)
    const { start } = await import('./start')
    const running = await start(
      {
        clusters: opts.clusters,
        sim: opts.sim,
        historyHours: opts.historyHours,
        port: opts.port,
        host: opts.host,
        dataDir: opts.dataDir,
        seed: opts.seed,
        json: opts.json,
      },
      out,
    )
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        running.close().then(
          () => process.exit(0),
          () => process.exit(1),
        )
      })
    }
  })

program
  .command('ledger')
  .description('print the national ledger, grouped by any dimensions')
  .option(
    '--by <dims>',
    'comma-separated: province, city, hub, level, platform, site, cluster, kind, vendor, model, arch, domestic',
    'province',
  )
  .option('--filter <dim=values...>', 'filters, e.g. province=110000,120000 kind=GPU')
  .addOption(new Option('--url <url>', 'control plane URL').env('SUANPAN_URL').default('http://127.0.0.1:8080'))
  .option('--json', 'print the API response as JSON', false)
  .action(async (opts) => {
    const { ledger } = await import('./ledger')
    await ledger({ url: opts.url, by: opts.by, filters: opts.filter ?? [], json: opts.json })
  })

const cluster = program.command('cluster').description('manage registered clusters')
cluster
  .command('register')
  .description('register a cluster; prints its bearer token once')
  .requiredOption('--cluster-id <id>', 'unique id, e.g. 110000-gov-cloud-01')
  .requiredOption('--site <id>', 'data-center site id')
  .requiredOption('--province <code>', 'GB/T 2260 province code, e.g. 110000')
  .requiredOption('--city <name>', 'city name')
  .addOption(new Option('--level <level>', 'platform level').choices(['national', 'provincial', 'ministry']).default('provincial'))
  .option('--site-name <name>', 'site display name')
  .option('--hub <id>', 'national hub data-center cluster id, e.g. zhangjiakou')
  .option('--platform <id>', 'owning platform id (default cn-<province>, or cn for national)')
  .option('--rotate', 'rotate the token of an existing cluster', false)
  .addOption(new Option('--url <url>', 'control plane URL').env('SUANPAN_URL').default('http://127.0.0.1:8080'))
  .addOption(
    new Option('--admin-token <token>', 'admin token (or SUANPAN_ADMIN_TOKEN, or .suanpan/admin-token)').env('SUANPAN_ADMIN_TOKEN'),
  )
  .option('--json', 'machine-readable output', false)
  .action(async (opts) => {
    const { clusterRegister } = await import('./cluster')
    await clusterRegister(opts)
  })

const urlOption = () => new Option('--url <url>', 'control plane URL').env('SUANPAN_URL').default('http://127.0.0.1:8080')
// Approvals need two people: each acts with its own API token (POST /api/v1/users/:name/tokens), or the admin token.
const userTokenOption = () => new Option('--token <token>', "a user's API token (default: the admin token)").env('SUANPAN_TOKEN')
const adminTokenFallback = () =>
  new Option('--admin-token <token>', 'admin token when no --token (or SUANPAN_ADMIN_TOKEN, or .suanpan/admin-token)').env(
    'SUANPAN_ADMIN_TOKEN',
  )
cluster
  .command('delete <id>')
  .description(
    "delete a cluster (out of the ledger, tokens revoked, history kept); under the two-person rule it waits for a second person's approval",
  )
  .addOption(urlOption())
  .addOption(userTokenOption())
  .addOption(adminTokenFallback())
  .option('--json', 'machine-readable output', false)
  .action(async (id: string, opts) => {
    const { clusterDelete } = await import('./approval')
    await clusterDelete({ ...opts, id }, createOutput(opts.json))
  })

const approval = program.command('approval').description('the two-person rule: high-risk actions waiting for a second person')
approval
  .command('list')
  .description('approval requests in your scope, newest first')
  .addOption(
    new Option('--status <status>', 'only this status').choices(['pending', 'approved', 'rejected', 'expired', 'executed', 'failed']),
  )
  .option('--action <action>', 'only this action, e.g. clusters:delete')
  .addOption(new Option('--limit <n>', 'at most this many').default(100).argParser(positiveInt('--limit', 1000)))
  .addOption(urlOption())
  .addOption(userTokenOption())
  .addOption(adminTokenFallback())
  .option('--json', 'machine-readable output', false)
  .action(async (opts) => {
    const { approvalList } = await import('./approval')
    await approvalList(opts, createOutput(opts.json))
  })
approval
  .command('show <id>')
  .description('one approval request')
  .addOption(urlOption())
  .addOption(userTokenOption())
  .addOption(adminTokenFallback())
  .option('--json', 'machine-readable output', false)
  .action(async (id: string, opts) => {
    const { approvalShow } = await import('./approval')
    await approvalShow({ ...opts, id }, createOutput(opts.json))
  })
approval
  .command('approve <id>')
  .description('approve as the second person (not the requester): the action runs now (exit 1 if it failed)')
  .option('--reason <text>', 'a note kept with the decision')
  .addOption(urlOption())
  .addOption(userTokenOption())
  .addOption(adminTokenFallback())
  .option('--json', 'machine-readable output', false)
  .action(async (id: string, opts) => {
    const { approvalApprove } = await import('./approval')
    if (!(await approvalApprove({ ...opts, id }, createOutput(opts.json)))) process.exitCode = 1
  })
approval
  .command('reject <id>')
  .description('reject a pending request (its requester may withdraw it): nothing runs')
  .requiredOption('--reason <text>', 'why')
  .addOption(urlOption())
  .addOption(userTokenOption())
  .addOption(adminTokenFallback())
  .option('--json', 'machine-readable output', false)
  .action(async (id: string, opts) => {
    const { approvalReject } = await import('./approval')
    await approvalReject({ ...opts, id }, createOutput(opts.json))
  })

const census = program.command('census').description('numbered, frozen censuses of the ledger (算力资源普查)')
census
  .command('run')
  .description('freeze the ledger now into a numbered census')
  .requiredOption('--period <period>', 'census period: 2026, 2026Q4 or 2026-11')
  .option('--title <title>', 'title shown on the reports')
  .addOption(new Option('--idle-threshold <ratio>', 'idle evaluation: utilization below this (0..1)').argParser(Number))
  .addOption(new Option('--idle-hours <h>', 'idle evaluation: for at least this many hours').argParser(Number))
  .addOption(urlOption())
  .addOption(
    new Option('--admin-token <token>', 'admin token (or SUANPAN_ADMIN_TOKEN, or .suanpan/admin-token)').env('SUANPAN_ADMIN_TOKEN'),
  )
  .option('--json', 'machine-readable output', false)
  .action(async (opts) => {
    const { censusRun } = await import('./census')
    await censusRun(opts, createOutput(opts.json))
  })
census
  .command('list')
  .description('censuses made so far, newest first')
  .addOption(urlOption())
  .option('--json', 'machine-readable output', false)
  .action(async (opts) => {
    const { censusList } = await import('./census')
    await censusList(opts, createOutput(opts.json))
  })
census
  .command('export <id>')
  .description('download a census as XLSX, CSV, PDF, HTML or JSON')
  .addOption(new Option('--format <format>', 'file format').choices(['xlsx', 'csv', 'pdf', 'html', 'json']).default('xlsx'))
  .addOption(new Option('--lang <lang>', 'report language').choices(['zh-CN', 'en']).default('zh-CN'))
  .option('-o, --output <file>', 'where to write it (default: the name the control plane gives)')
  .addOption(urlOption())
  .option('--json', 'machine-readable output', false)
  .action(async (id: string, opts) => {
    const { censusExport } = await import('./census')
    await censusExport({ ...opts, id: positiveInt('<id>', 2 ** 31)(id) }, createOutput(opts.json))
  })
census
  .command('compare <a> <b>')
  .description('two censuses side by side: b − a by any breakdown')
  .option('--by <breakdown>', 'province, hub, level, site, kind, vendor, model, arch or domestic', 'province')
  .addOption(urlOption())
  .option('--json', 'machine-readable output', false)
  .action(async (a: string, b: string, opts) => {
    const { censusCompare } = await import('./census')
    await censusCompare(
      { url: opts.url, by: opts.by, a: positiveInt('<a>', 2 ** 31)(a), b: positiveInt('<b>', 2 ** 31)(b) },
      createOutput(opts.json),
    )
  })

const adminTokenOption = () =>
  new Option('--admin-token <token>', 'admin token (or SUANPAN_ADMIN_TOKEN, or .suanpan/admin-token)').env('SUANPAN_ADMIN_TOKEN')
const workload = program.command('workload').description('submit and follow workloads (统一调度)')
workload
  .command('submit')
  .description('submit a workload (YAML or JSON; - reads stdin): prints where it was placed, or why it waits or was refused')
  .requiredOption('-f, --file <file>', 'the workload spec')
  .addOption(urlOption())
  .addOption(adminTokenOption())
  .option('--json', 'machine-readable output', false)
  .action(async (opts) => {
    const { workloadSubmit } = await import('./workload')
    await workloadSubmit(opts, createOutput(opts.json))
  })
workload
  .command('explain <id>')
  .description('why here, why not there: top candidates with plugin scores, the rest counted by filter')
  .addOption(urlOption())
  .addOption(adminTokenOption())
  .option('--json', 'machine-readable output', false)
  .action(async (id: string, opts) => {
    const { workloadExplain } = await import('./workload')
    await workloadExplain({ ...opts, id }, createOutput(opts.json))
  })
workload
  .command('list')
  .description('workloads, newest first')
  .addOption(
    new Option('--state <state>', 'only this state').choices([
      'pending',
      'placed',
      'running',
      'succeeded',
      'failed',
      'rejected',
      'cancelled',
    ]),
  )
  .option('--department <name>', 'only this department')
  .addOption(new Option('--limit <n>', 'at most this many').default(50).argParser(positiveInt('--limit', 1000)))
  .addOption(urlOption())
  .addOption(adminTokenOption())
  .option('--json', 'machine-readable output', false)
  .action(async (opts) => {
    const { workloadList } = await import('./workload')
    await workloadList(opts, createOutput(opts.json))
  })
workload
  .command('cancel <id>')
  .description('withdraw a workload: agents delete what they applied')
  .addOption(urlOption())
  .addOption(adminTokenOption())
  .option('--json', 'machine-readable output', false)
  .action(async (id: string, opts) => {
    const { workloadCancel } = await import('./workload')
    await workloadCancel({ ...opts, id }, createOutput(opts.json))
  })

const audit = program.command('audit').description('the tamper-evident audit trail')
audit
  .command('verify')
  .description('check the hash chain of the audit trail, read from the store itself; exits 1 if anything was edited or removed')
  .addOption(new Option('--data-dir <dir>', 'where the embedded store lives').default('.suanpan'))
  .addOption(new Option('--database-url <url>', 'PostgreSQL instead of the embedded store').env('DATABASE_URL'))
  .option('--head <seq:hash>', 'a head printed by an earlier verify: also catches records removed from the end')
  .option('--json', 'machine-readable output', false)
  .action(async (opts) => {
    const { auditVerify } = await import('./audit')
    const ok = await auditVerify(opts, createOutput(opts.json))
    if (!ok) process.exitCode = 1
  })

program
  .command('agent')
  .description('run an agent against a Kubernetes API and report to the control plane')
  .option('--kubeconfig <path>', 'kubeconfig file (default: in-cluster config, then ~/.kube/config)')
  .requiredOption('--config <file>', 'agent config JSON: identity, control plane URL, token, energy feed (see README)')
  .option('--once', 'send one full report and exit', false)
  .option('--json', 'machine-readable output', false)
  .action(async (opts) => {
    const { runAgent } = await import('./agent')
    await runAgent({ kubeconfig: opts.kubeconfig ?? null, configFile: opts.config, once: opts.once, json: opts.json })
  })

// Two-site three-center DR lab and failover drills (两地三中心, 灾备演练): real processes on loopback.
const labDirOption = () =>
  new Option('--dir <dir>', 'lab directory (state file, data, logs, reports)').env('SUANPAN_DR_LAB_DIR').default('.suanpan/dr-lab')
const dr = program
  .command('dr')
  .description('two-site three-center DR lab (etcd, Patroni, PostgreSQL, pgBackRest, HAProxy, control planes)')
const drLab = dr.command('lab').description('the DR lab on loopback: A1 leader, A2 synchronous standby, B1 asynchronous replica + backups')
drLab
  .command('up')
  .description('start the lab: etcd ×3, Patroni/PostgreSQL ×3, full backup to B1, HAProxy and a control plane in A1 and A2')
  .addOption(labDirOption())
  .option('--json', 'machine-readable output (one JSON object per line)', false)
  .action(async (opts) => {
    const { drLabUp } = await import('./dr')
    await drLabUp({ dir: opts.dir }, createOutput(opts.json))
  })
drLab
  .command('down')
  .description('stop everything the lab started and remove its data (drill reports are kept)')
  .addOption(labDirOption())
  .option('--purge', 'also delete the drill reports', false)
  .option('--json', 'machine-readable output', false)
  .action(async (opts) => {
    const { drLabDown } = await import('./dr')
    await drLabDown({ dir: opts.dir, purge: opts.purge }, createOutput(opts.json))
  })
drLab
  .command('status')
  .description('role, timeline, lag and process health of each center (exit status 1 when not healthy)')
  .addOption(labDirOption())
  .option('--json', 'machine-readable output', false)
  .action(async (opts) => {
    const { drLabStatus } = await import('./dr')
    if (!(await drLabStatus({ dir: opts.dir }, createOutput(opts.json)))) process.exitCode = 1
  })
dr.command('backup')
  .description('take a pgBackRest backup to the repository in B1 now (run it from cron for scheduled full backups)')
  .addOption(new Option('--type <type>', 'backup type').choices(['full', 'diff', 'incr']).default('full'))
  .addOption(labDirOption())
  .option('--json', 'machine-readable output', false)
  .action(async (opts) => {
    const { drBackup } = await import('./dr')
    await drBackup({ dir: opts.dir, type: opts.type }, createOutput(opts.json))
  })
const drill = program.command('drill').description('failover drills with measured RTO/RPO and a report (灾备演练)')
drill
  .command('run <scenario>')
  .description(
    'run a drill: a1-lost, a1-db-lost, same-city-partition (partition), remote-takeover, failback, backup-restore, switchover (exit 0 pass, 1 fail, 2 aborted, 3 skipped)',
  )
  .addOption(labDirOption())
  .option('--operator <name>', 'who runs the drill (default: the login name)')
  .addOption(new Option('--trigger <trigger>', 'recorded in the report').choices(['manual', 'scheduled']).default('manual'))
  .option('--no-recover', 'leave the lab as the fault left it (no restart, no failback)')
  .option('--json', 'machine-readable output (one JSON object per line)', false)
  .action(async (scenario: string, opts) => {
    const { drillRun } = await import('./dr')
    await drillRun(
      scenario,
      { dir: opts.dir, operator: opts.operator, trigger: opts.trigger, recover: opts.recover },
      createOutput(opts.json),
    )
  })
drill
  .command('list')
  .description('scenarios, drill history and trend')
  .addOption(labDirOption())
  .option('--json', 'machine-readable output', false)
  .action(async (opts) => {
    const { drillList } = await import('./dr')
    await drillList({ dir: opts.dir }, createOutput(opts.json))
  })
drill
  .command('export <id>')
  .description('a drill report as JSON, HTML or PDF (id, or "latest"; PDF prints the HTML with Chromium)')
  .addOption(new Option('--format <format>', 'file format').choices(['json', 'html', 'pdf']).default('html'))
  .addOption(new Option('--lang <lang>', 'report language (HTML, PDF)').choices(['zh-CN', 'en']).default('zh-CN'))
  .option('-o, --output <file>', 'write to a file (default: stdout; PDF needs a file)')
  .addOption(labDirOption())
  .option('--json', 'machine-readable output', false)
  .action(async (id: string, opts) => {
    const { drillExport } = await import('./dr')
    await drillExport(id, { dir: opts.dir, format: opts.format, lang: opts.lang, output: opts.output }, createOutput(opts.json))
  })
drill
  .command('abort')
  .description('kill switch: a running drill stops its fault and restores the lab')
  .addOption(labDirOption())
  .option('--json', 'machine-readable output', false)
  .action(async (opts) => {
    const { drillAbort } = await import('./dr')
    await drillAbort({ dir: opts.dir }, createOutput(opts.json))
  })
// Scheduled drills live in the control plane (it runs them on its DR lab): these talk to its API.
const drillSchedule = drill.command('schedule').description('drill schedules in the control plane (cron, Beijing time)')
drillSchedule
  .command('list')
  .description('schedules with their next due time and last run (missed ones included)')
  .addOption(urlOption())
  .addOption(adminTokenOption())
  .option('--json', 'machine-readable output', false)
  .action(async (opts) => {
    const { drillScheduleList } = await import('./drill-schedule')
    await drillScheduleList(opts, createOutput(opts.json))
  })
drillSchedule
  .command('add <scenario>')
  .description('run a scenario on a 5-field cron schedule in Beijing time, e.g. --cron "0 3 * * 1" (Mondays 03:00)')
  .requiredOption('--cron <expression>', 'minute hour day-of-month month day-of-week (Asia/Shanghai)')
  .option('--disabled', 'store it without running it', false)
  .addOption(urlOption())
  .addOption(adminTokenOption())
  .option('--json', 'machine-readable output', false)
  .action(async (scenario: string, opts) => {
    const { drillScheduleAdd } = await import('./drill-schedule')
    await drillScheduleAdd({ ...opts, scenario, enabled: !opts.disabled }, createOutput(opts.json))
  })
drillSchedule
  .command('remove <id>')
  .description('remove a schedule (its past runs stay)')
  .addOption(urlOption())
  .addOption(adminTokenOption())
  .option('--json', 'machine-readable output', false)
  .action(async (id: string, opts) => {
    const { drillScheduleRemove } = await import('./drill-schedule')
    await drillScheduleRemove({ ...opts, id }, createOutput(opts.json))
  })

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CliError) {
    process.stderr.write(`suanpan: ${error.message}\n`)
  } else {
    process.stderr.write(`suanpan: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  }
  process.exit(1)
})
