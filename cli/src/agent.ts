import {
  createAgent,
  createEnergySource,
  createKubeClients,
  type KubeConfigSource,
  loadAgentConfig,
  loadKubeConfig,
  readInventory,
  startAgentMetricsServer,
} from '@suanpan/agents'
import { Registry } from 'prom-client'
import { createOutput } from './output'

export interface AgentOptions {
  kubeconfig: string | null
  configFile: string
  once: boolean
  json: boolean
}

/** `suanpan agent`: read the Kubernetes API, push full and usage reports, spool while the control plane is away. */
export async function runAgent(options: AgentOptions): Promise<void> {
  const out = createOutput(options.json)
  const config = loadAgentConfig(options.configFile)
  const source: KubeConfigSource = options.kubeconfig ? { kind: 'file', path: options.kubeconfig } : { kind: 'default' }
  const kubeConfig = loadKubeConfig(source)
  const clients = createKubeClients(kubeConfig)
  const registry = new Registry()
  const agent = createAgent({
    cluster: config.cluster,
    controlPlane: {
      baseUrl: config.controlPlane.url,
      token: config.token,
      ...(config.controlPlane.timeoutSeconds ? { timeoutMs: config.controlPlane.timeoutSeconds * 1000 } : {}),
    },
    stateDir: config.stateDir,
    registry,
    // Pull this cluster's assigned workloads, apply them (server-side apply) and report their state.
    kubeConfig,
    dispatch: config.dispatch,
    collectFull: async () => {
      const inventory = await readInventory(clients)
      for (const warning of inventory.warnings) out.event('warning', { message: warning }, `warning: ${warning}`)
      return { nodes: inventory.nodes, storage: inventory.storage }
    },
    collectUsage: async () => (await readInventory(clients)).usage,
    ...(config.energy ? { energy: createEnergySource({ location: config.energy }) } : {}),
    ...(config.fullIntervalSeconds ? { fullIntervalMs: config.fullIntervalSeconds * 1000 } : {}),
    ...(config.usageIntervalSeconds ? { usageIntervalMs: config.usageIntervalSeconds * 1000 } : {}),
  })
  if (options.once) {
    const outcome = await agent.runCycle('full')
    await agent.idle()
    out.event(
      'report',
      { clusterId: agent.clusterId, outcome, spoolDepth: agent.spoolDepth },
      `full report for ${agent.clusterId}: ${outcome}`,
    )
    await agent.stop()
    if (outcome === 'rejected' || outcome === 'failed') process.exitCode = 1
    return
  }
  const metrics = config.metricsPort === undefined ? null : await startAgentMetricsServer(registry, config.metricsPort)
  await agent.start()
  out.event(
    'started',
    { clusterId: agent.clusterId, controlPlane: config.controlPlane.url, metricsPort: metrics?.port ?? null },
    `agent for ${agent.clusterId} reporting to ${config.controlPlane.url}${metrics ? `; metrics on 127.0.0.1:${metrics.port}/metrics` : ''}`,
  )
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      Promise.all([agent.stop(), metrics?.close()]).then(
        () => process.exit(0),
        () => process.exit(1),
      )
    })
  }
}
