import * as pulumi from '@pulumi/pulumi'

/** The national-primary stack's outputs that the DR stacks build on. References flow one way: primary → DR. */
export interface PrimaryOutputs {
  databaseCluster: string
  archiveDestinationPath: string
  archiveEndpointUrl: string
  victoriaMetricsUrl: string
}

const KEYS = ['databaseCluster', 'archiveDestinationPath', 'archiveEndpointUrl', 'victoriaMetricsUrl'] as const

/** Read the primary's outputs once; a missing or empty output stops the program naming the stack and the output. */
export async function readPrimary(stackName: string): Promise<PrimaryOutputs> {
  const reference = new pulumi.StackReference('primary', { name: stackName })
  const values = await Promise.all(
    KEYS.map(async (key) => {
      // getOutputDetails, not requireOutputValue: the latter also rejects inside an apply nobody awaits.
      const details = await reference.getOutputDetails(key)
      const value: unknown = details.value
      if (typeof value !== 'string' || value === '') {
        const got = details.secretValue !== undefined ? 'a secret' : JSON.stringify(value)
        throw new Error(`stack ${stackName}: output ${key} must be a plain non-empty string, got ${got ?? 'nothing'}`)
      }
      return [key, value] as const
    }),
  )
  return Object.fromEntries(values) as Record<(typeof KEYS)[number], string>
}
