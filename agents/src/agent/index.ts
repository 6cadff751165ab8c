export {
  AGENT_VERSION,
  type Agent,
  type AgentTimers,
  type CreateAgentOptions,
  type CycleOutcome,
  createAgent,
  type Inventory,
} from './agent'
export { type AgentConfig, AgentConfigError, AgentConfigSchema, loadAgentConfig } from './config'
export { type AgentFailureReason, type AgentMetrics, createAgentMetrics, type MetricsServer, startAgentMetricsServer } from './metrics'
