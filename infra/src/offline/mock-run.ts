import * as pulumi from '@pulumi/pulumi'
import type { RenderedResource } from '../policies'
import { readProjectName, readStackConfig, STACKS, type StackName } from './stack-files'

const STACK_REFERENCE = 'pulumi:pulumi:StackReference'

/** The program module: Pulumi calls its default export and records the result as stack outputs. */
export interface ProgramModule {
  default: () => Promise<Record<string, unknown>>
}

export interface RunStackOptions {
  project: string
  stack: string
  /** Fully qualified config keys (`suanpan:replicas`) to string values, as the CLI passes them. */
  config: Record<string, string>
  /** Outputs of the stacks this one may reference, by fully qualified stack name. */
  referencedOutputs?: Record<string, Record<string, unknown>>
  /** Loads the program; a test passes a fresh import (after vi.resetModules()). */
  loadProgram: () => Promise<ProgramModule>
}

export interface StackRun {
  project: string
  stack: string
  /** Every resource registered, in registration order: Kubernetes objects, components, the provider, stack references. */
  resources: RenderedResource[]
  outputs: Record<string, unknown>
  /** Fully qualified names of the stacks this one read through a StackReference. */
  references: string[]
}

/** Self-managed backends (file, S3-compatible) name every stack `organization/<project>/<stack>`. */
export function qualifiedStackName(project: string, stack: string): string {
  return `organization/${project}/${stack}`
}

function settle<T>(value: pulumi.Input<T>): Promise<pulumi.Unwrap<T>> {
  return new Promise((resolve) => {
    pulumi.output(value).apply((resolved) => {
      resolve(resolved)
      return resolved
    })
  })
}

/**
 * Run the program for one stack with the Pulumi engine replaced by mocks (no CLI, no cluster): the mock echoes each
 * resource's inputs back as its state and answers StackReference reads from `referencedOutputs`.
 */
export async function runStack(options: RunStackOptions): Promise<StackRun> {
  const resources: RenderedResource[] = []
  const references: string[] = []
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const inputs: Record<string, unknown> = args.inputs
        resources.push({ type: args.type, name: args.name, inputs })
        if (args.type === STACK_REFERENCE) {
          const name = String(inputs.name)
          references.push(name)
          const outputs = options.referencedOutputs?.[name]
          if (!outputs) throw new Error(`stack ${options.stack} references ${name}, whose outputs were not provided to the mocks`)
          return { id: name, state: { name, outputs, secretOutputNames: [] } }
        }
        return { id: `${args.name}-id`, state: inputs }
      },
      call(args) {
        return args.inputs
      },
    },
    options.project,
    options.stack,
    false,
  )
  pulumi.runtime.setAllConfig(options.config)
  try {
    const program = await options.loadProgram()
    const outputs = await settle(await program.default())
    return { project: options.project, stack: options.stack, resources, outputs, references }
  } finally {
    // Waits for every pending registration, then drops the mock monitor.
    await pulumi.runtime.disconnect()
  }
}

/**
 * Run the given stacks from their stack files, each after the stack it references (so the primary's real mocked
 * outputs feed the DR stacks' StackReferences). Returns every stack that ran, requested or needed.
 */
export async function runStacks(
  requested: readonly StackName[],
  loadProgram: () => Promise<ProgramModule>,
  root?: string,
): Promise<Map<StackName, StackRun>> {
  const project = readProjectName(root)
  const runs = new Map<StackName, StackRun>()
  const visit = async (stack: StackName, path: readonly StackName[]): Promise<StackRun> => {
    const done = runs.get(stack)
    if (done) return done
    if (path.includes(stack)) throw new Error(`stack references form a cycle: ${[...path, stack].join(' → ')}`)
    const config = readStackConfig(stack, root)
    const referencedOutputs: Record<string, Record<string, unknown>> = {}
    const primary = config['suanpan:primaryStack']
    if (primary) {
      const target = STACKS.find((name) => qualifiedStackName(project, name) === primary)
      if (!target) {
        throw new Error(
          `stack ${stack}: suanpan:primaryStack ${primary} is none of ${STACKS.map((s) => qualifiedStackName(project, s)).join(', ')}`,
        )
      }
      referencedOutputs[primary] = (await visit(target, [...path, stack])).outputs
    }
    const run = await runStack({ project, stack, config, referencedOutputs, loadProgram })
    runs.set(stack, run)
    return run
  }
  for (const stack of requested) await visit(stack, [])
  return runs
}
