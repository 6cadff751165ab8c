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
  },
  { additionalProperties: false },
)
export type AgentConfig = Static<typeof AgentConfigSchema>

const check = Compile(AgentConfigSchema)

export class AgentConfigError extends Error {
  readonly code = 'AGENT_CONFIG_INVALID'
}

/** Read and validate the config file; errors name the file and the field. */
export function loadAgentConfig(file: string): AgentConfig & { token: string } {
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
  return { ...config, token }
}
