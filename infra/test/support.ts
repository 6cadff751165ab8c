import { vi } from 'vitest'
import type { ProgramModule, StackRun } from '../src/offline/mock-run'
import type { RenderedResource } from '../src/policies'

/** Every test that runs the program says so: the Pulumi engine cannot run here, its mocks stand in. */
export const mocked = (name: string) => `${name} (Pulumi engine mocked)`

/** A fresh copy of the program for every stack, so no module state carries over between stacks. */
export async function loadFresh(): Promise<ProgramModule> {
  vi.resetModules()
  return import('../src/index')
}

export type Obj = Record<string, unknown>

export function kindOf(resource: RenderedResource): string {
  return String(resource.inputs.kind ?? '')
}

export function metadataOf(resource: RenderedResource): { name?: string; namespace?: string; labels?: Record<string, string> } {
  return (resource.inputs.metadata ?? {}) as { name?: string; namespace?: string; labels?: Record<string, string> }
}

/** The Kubernetes object of this kind and name; fails the test when there is not exactly one. */
export function find(run: StackRun, kind: string, name: string): Obj {
  const found = run.resources.filter((r) => r.type.startsWith('kubernetes:') && kindOf(r) === kind && metadataOf(r).name === name)
  if (found.length !== 1) throw new Error(`${run.stack}: expected one ${kind} ${name}, found ${found.length}`)
  return (found[0] as RenderedResource).inputs
}

export function all(run: StackRun, kind: string): Obj[] {
  return run.resources.filter((r) => r.type.startsWith('kubernetes:') && kindOf(r) === kind).map((r) => r.inputs)
}

/** `Kind namespace/name` for every Kubernetes object, sorted: what a stack declares, in one comparable list. */
export function inventory(run: StackRun): string[] {
  return run.resources
    .filter((r) => r.type.startsWith('kubernetes:') && !r.type.startsWith('pulumi:providers:'))
    .map((r) => {
      const { name, namespace } = metadataOf(r)
      return `${kindOf(r)} ${namespace ? `${namespace}/` : ''}${name}`
    })
    .sort()
}

/** Typed walk into a manifest for assertions. */
export function at<T = unknown>(value: unknown, ...path: (string | number)[]): T {
  let current: unknown = value
  for (const key of path) {
    current = current === null || current === undefined ? undefined : (current as Record<string | number, unknown>)[key]
  }
  return current as T
}

export function podSpec(deployment: Obj): Obj {
  return at<Obj>(deployment, 'spec', 'template', 'spec')
}

export function container(deployment: Obj, index = 0): Obj {
  return at<Obj>(podSpec(deployment), 'containers', index)
}

export function zonesOf(pod: Obj): string[] {
  return at<string[]>(
    pod,
    'affinity',
    'nodeAffinity',
    'requiredDuringSchedulingIgnoredDuringExecution',
    'nodeSelectorTerms',
    0,
    'matchExpressions',
    0,
    'values',
  )
}
