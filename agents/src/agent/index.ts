export {
  AGENT_VERSION,
  type Agent,
  type AgentDispatchOptions,
  type AgentTimers,
  type CreateAgentOptions,
  type CycleOutcome,
  createAgent,
  type Inventory,
} from './agent'
export {
  type AgentConfig,
  AgentConfigError,
  AgentConfigSchema,
  type AgentDispatchSettings,
  DISPATCH_INTERVAL_ENV,
  dispatchSettings,
  loadAgentConfig,
} from './config'
export { type AgentFailureReason, type AgentMetrics, createAgentMetrics, type MetricsServer, startAgentMetricsServer } from './metrics'
