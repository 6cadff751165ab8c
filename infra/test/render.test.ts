import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { runStacks, type StackRun } from '../src/offline/mock-run'
import { renderYaml } from '../src/offline/render'
import { REPO_ROOT, STACKS, type StackName } from '../src/offline/stack-files'
import { loadFresh, mocked } from './support'

let first: Map<StackName, StackRun>
let second: Map<StackName, StackRun>
const rendered = (runs: Map<StackName, StackRun>, stack: StackName): string => {
  const run = runs.get(stack)
  if (!run) throw new Error(`stack ${stack} did not run`)
  return renderYaml(run)
}
const committed = (stack: StackName) => readFileSync(join(REPO_ROOT, 'infra', 'rendered', `${stack}.yaml`), 'utf8')

beforeAll(async () => {
  first = await runStacks(STACKS, loadFresh)
  // The DR stacks first this time: the order of runs must not change a byte.
  second = await runStacks(['b1-remote', 'a2-same-city', 'national-primary'], loadFresh)
})

describe('rendered manifests', () => {
  it.each(STACKS)(mocked('%s renders the same text twice'), (stack) => {
    expect(rendered(second, stack)).toBe(rendered(first, stack))
  })

  it.each(STACKS)(mocked('infra/rendered/%s.yaml is up to date (run `npm run infra:render` if not)'), (stack) => {
    expect(committed(stack)).toBe(rendered(first, stack))
  })

  it.each(STACKS)(mocked('%s parses back to one Kubernetes object per declared resource, namespaces first'), (stack) => {
    const run = first.get(stack) as StackRun
    const documents = parseAllDocuments(rendered(first, stack)).map((doc) => doc.toJS() as Record<string, unknown>)
    const objects = run.resources.filter((r) => r.type.startsWith('kubernetes:') && !r.type.startsWith('pulumi:providers:'))
    expect(documents).toHaveLength(objects.length)
    for (const doc of documents) {
      expect(Object.keys(doc).slice(0, 3)).toEqual(['apiVersion', 'kind', 'metadata'])
      expect(typeof (doc.metadata as { name?: unknown }).name).toBe('string')
    }
    expect(documents[0]?.kind).toBe('Namespace')
    expect(rendered(first, stack)).toContain(`kubectl --context ${String(run.outputs.kubeContext)} apply`)
  })
})

describe('infra/scripts/render.ts', () => {
  const out = mkdtempSync(join(tmpdir(), 'suanpan-render-'))
  afterAll(() => rmSync(out, { recursive: true, force: true }))

  it(mocked('renders one DR stack (running the primary it references first) and prints progress'), () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'infra/scripts/render.ts', '--out', out, 'b1-remote'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    })
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    expect(result.stdout).toMatch(/^b1-remote: 20 manifests, 6 policies passed, references organization\/suanpan\/national-primary → /)
    expect(readFileSync(join(out, 'b1-remote.yaml'), 'utf8')).toBe(committed('b1-remote'))
  })

  it('refuses an unknown stack', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'infra/scripts/render.ts', '--out', out, 'c1-moon'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    })
    expect(result.status).toBe(2)
    expect(result.stderr).toContain('unknown: c1-moon')
  })
})
