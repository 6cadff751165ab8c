import { mkdirSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { isStackName, REPO_ROOT, STACKS, type StackName } from '../src/offline/stack-files'
import { policies, runPolicies } from '../src/policies'

/**
 * `npx tsx infra/scripts/render.ts [--out DIR] [stack...]`: run the program under Pulumi's mocks for each stack, check
 * the policies, and write <DIR>/<stack>.yaml (default infra/rendered) for `kubectl apply`. No Pulumi CLI needed.
 */
async function main(argv: string[]): Promise<number> {
  const outIndex = argv.indexOf('--out')
  const outDir = outIndex === -1 ? join(REPO_ROOT, 'infra', 'rendered') : argv[outIndex + 1]
  const args = outIndex === -1 ? argv : argv.filter((_, i) => i !== outIndex && i !== outIndex + 1)
  const unknown = args.filter((arg) => !isStackName(arg))
  if (!outDir || unknown.length > 0) {
    console.error(
      `usage: render.ts [--out DIR] [stack...]; stacks: ${STACKS.join(', ')}${unknown.length > 0 ? `; unknown: ${unknown.join(', ')}` : ''}`,
    )
    return 2
  }
  const requested: StackName[] = args.length > 0 ? args.filter(isStackName) : [...STACKS]
  mkdirSync(outDir, { recursive: true })

  // Loaded only now, so a usage error answers before the Pulumi SDK loads.
  const { runStacks } = await import('../src/offline/mock-run')
  const { manifests, renderYaml } = await import('../src/offline/render')
  const runs = await runStacks(requested, () => import('../src/index'))
  let failed = false
  for (const stack of requested) {
    const run = runs.get(stack)
    if (!run) throw new Error(`stack ${stack} did not run`)
    const violations = runPolicies(run.resources)
    if (violations.length > 0) {
      failed = true
      console.error(`${stack}: ${violations.length} policy violation(s), not written:`)
      for (const v of violations) console.error(`  [${v.policy}] ${v.message}`)
      continue
    }
    const file = join(outDir, `${stack}.yaml`)
    writeFileSync(file, renderYaml(run))
    const refs = run.references.length > 0 ? `, references ${run.references.join(', ')}` : ''
    console.log(
      `${stack}: ${manifests(run).length} manifests, ${policies.length} policies passed${refs} → ${relative(process.cwd(), file)}`,
    )
  }
  return failed ? 1 : 0
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exitCode = 1
  },
)
