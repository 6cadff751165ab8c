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

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CliError) {
    process.stderr.write(`suanpan: ${error.message}\n`)
  } else {
    process.stderr.write(`suanpan: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  }
  process.exit(1)
})
