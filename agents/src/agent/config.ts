import { readFileSync } from 'node:fs'
import { ClusterIdentitySchema } from '@suanpan/control-plane/schemas'
import { type Static, Type } from 'typebox'
import { Compile } from 'typebox/compile'

/** The agent's config file (JSON): who the cluster is, where to report, where the energy feed is. */
export const AgentConfigSchema = Type.Object(
  {
    cluster: ClusterIdentitySchema,
    controlPlane: Type.Object(
      {
        url: Type.String({ pattern: '^https?://' }),
        /** The cluster token from `suanpan cluster register`, or a file holding it. */
        token: Type.Optional(Type.String({ minLength: 1 })),
        tokenFile: Type.Optional(Type.String({ minLength: 1 })),
        timeoutSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
      },
      { additionalProperties: false },
    ),
    stateDir: Type.String({ minLength: 1 }),
    /** Site energy feed: a JSON file path or an http(s) URL (agents/src/energy/README.md). */
    energy: Type.Optional(Type.String({ minLength: 1 })),
    fullIntervalSeconds: Type.Optional(Type.Number({ minimum: 1 })),
    usageIntervalSeconds: Type.Optional(Type.Number({ minimum: 1 })),
    metricsPort: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
    /**
     * How often to pull, apply and report assigned workloads; 0 switches dispatch off. 10 s by default;
     * the environment variable SUANPAN_DISPATCH_INTERVAL_SECONDS overrides it.
     */
    dispatchIntervalSeconds: Type.Optional(Type.Number({ minimum: 0 })),
    /** Namespace for workload templates that name none (`suanpan-workloads` by default). */
    workloadNamespace: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 })),
  },
  { additionalProperties: false },
)
export type AgentConfig = Static<typeof AgentConfigSchema>

const check = Compile(AgentConfigSchema)

export class AgentConfigError extends Error {
  readonly code = 'AGENT_CONFIG_INVALID'
}

/** Overrides the config file's `dispatchIntervalSeconds` (seconds; 0 = no dispatch). */
export const DISPATCH_INTERVAL_ENV = 'SUANPAN_DISPATCH_INTERVAL_SECONDS'

/** Dispatch settings for `createAgent({ dispatch })`: `false` when switched off. */
export type AgentDispatchSettings = { intervalMs: number; namespace?: string } | false

/** The dispatch settings from the config file and the environment (the environment wins). */
export function dispatchSettings(
  config: Pick<AgentConfig, 'dispatchIntervalSeconds' | 'workloadNamespace'>,
  env: NodeJS.ProcessEnv = process.env,
): AgentDispatchSettings {
  const raw = env[DISPATCH_INTERVAL_ENV]?.trim()
  let seconds = config.dispatchIntervalSeconds ?? 10
  if (raw) {
    seconds = Number(raw)
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new AgentConfigError(`${DISPATCH_INTERVAL_ENV}=${raw}: must be a number of seconds >= 0 (0 switches dispatch off)`)
    }
  }
  if (seconds === 0) return false
  return { intervalMs: seconds * 1000, ...(config.workloadNamespace ? { namespace: config.workloadNamespace } : {}) }
}

/** Read and validate the config file; errors name the file and the field. `env` is read for overrides (dispatch). */
export function loadAgentConfig(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): AgentConfig & { token: string; dispatch: AgentDispatchSettings } {
  let value: unknown
  try {
    value = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new AgentConfigError(`${file}: cannot read JSON: ${(error as Error).message}`, { cause: error })
  }
  if (!check.Check(value)) {
    const first = check.Errors(value)[0]
    throw new AgentConfigError(`${file}: ${first?.instancePath || '/'} ${first?.message ?? 'is invalid'}`)
  }
  const config = value as AgentConfig
  const token =
    config.controlPlane.token ?? (config.controlPlane.tokenFile ? readFileSync(config.controlPlane.tokenFile, 'utf8').trim() : '')
  if (!token) throw new AgentConfigError(`${file}: /controlPlane needs token or tokenFile`)
  return { ...config, token, dispatch: dispatchSettings(config, env) }
}
