import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

/** The stacks, one per center; their files sit next to Pulumi.yaml at the repository root. */
export const STACKS = ['national-primary', 'a2-same-city', 'b1-remote'] as const
export type StackName = (typeof STACKS)[number]

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))

export function isStackName(value: string): value is StackName {
  return (STACKS as readonly string[]).includes(value)
}

/** The project name from Pulumi.yaml: part of every stack's fully qualified name. */
export function readProjectName(root = REPO_ROOT): string {
  const project: unknown = parse(readFileSync(join(root, 'Pulumi.yaml'), 'utf8'))
  const name = typeof project === 'object' && project !== null && 'name' in project ? project.name : undefined
  if (typeof name !== 'string' || name === '') throw new Error(`${join(root, 'Pulumi.yaml')} has no name`)
  return name
}

/**
 * A stack file's config as the Pulumi CLI hands it to a program: every value a string, structured values as
 * JSON. Encrypted values cannot be read without the CLI, and this program keeps none in config anyway.
 */
export function readStackConfig(stack: string, root = REPO_ROOT): Record<string, string> {
  const file = join(root, `Pulumi.${stack}.yaml`)
  const document: unknown = parse(readFileSync(file, 'utf8'))
  const config = typeof document === 'object' && document !== null && 'config' in document ? document.config : undefined
  if (typeof config !== 'object' || config === null) throw new Error(`${file} has no config map`)
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(config)) {
    if (typeof value === 'object' && value !== null && 'secure' in value) {
      throw new Error(`${file}: ${key} is an encrypted value; secrets belong in Kubernetes Secrets, not stack config`)
    }
    out[key] = typeof value === 'string' ? value : JSON.stringify(value)
  }
  return out
}
