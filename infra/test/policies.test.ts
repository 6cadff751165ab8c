import { beforeAll, describe, expect, it } from 'vitest'
import { runStacks, type StackRun } from '../src/offline/mock-run'
import { STACKS, type StackName } from '../src/offline/stack-files'
import { policies, type RenderedResource, runPolicies, type Violation } from '../src/policies'
import { at, kindOf, loadFresh, metadataOf, mocked, type Obj } from './support'

let runs: Map<StackName, StackRun>

beforeAll(async () => {
  runs = await runStacks(STACKS, loadFresh)
})

/** A deep copy of a stack's resources, so each broken manifest starts from the real, passing one. */
function resourcesOf(stack: StackName): RenderedResource[] {
  const run = runs.get(stack)
  if (!run) throw new Error(`stack ${stack} did not run`)
  return structuredClone(run.resources)
}

function manifest(resources: RenderedResource[], kind: string, name: string): Obj {
  const found = resources.find((r) => r.type.startsWith('kubernetes:') && kindOf(r) === kind && metadataOf(r).name === name)
  if (!found) throw new Error(`no ${kind} ${name}`)
  return found.inputs
}

function without(resources: RenderedResource[], kind: string, name: string): RenderedResource[] {
  return resources.filter((r) => !(kindOf(r) === kind && metadataOf(r).name === name))
}

function controlPlanePod(resources: RenderedResource[]): Obj {
  return at<Obj>(manifest(resources, 'Deployment', 'suanpan-control-plane'), 'spec', 'template', 'spec')
}

/** The violations of a broken stack: all from the one policy expected, with its message. */
function expectOnly(violations: Violation[], policy: string, message: RegExp) {
  expect(violations.length).toBeGreaterThan(0)
  expect([...new Set(violations.map((v) => v.policy))]).toEqual([policy])
  expect(violations.map((v) => v.message).join('\n')).toMatch(message)
}

describe('policies', () => {
  it('are plain validators with a name and a description', () => {
    expect(policies.map((p) => p.name)).toEqual([
      'critical-deployments-span-same-city-zones',
      'no-secrets-in-plain-config',
      'primary-database-synchronous',
      'containers-have-requests-and-limits',
      'remote-center-backs-up-on-schedule',
      'cluster-roles-read-only',
    ])
    for (const policy of policies) expect(policy.description.length).toBeGreaterThan(20)
  })

  it.each(STACKS)(mocked('all pass on the %s stack'), (stack) => {
    for (const policy of policies) expect(policy.check(resourcesOf(stack)), policy.name).toEqual([])
  })
})

describe('critical-deployments-span-same-city-zones on broken manifests', () => {
  const policy = 'critical-deployments-span-same-city-zones'

  it(mocked('fails a control plane pinned to zone A1'), () => {
    const resources = resourcesOf('national-primary')
    const pod = controlPlanePod(resources)
    at<Obj>(
      pod,
      'affinity',
      'nodeAffinity',
      'requiredDuringSchedulingIgnoredDuringExecution',
      'nodeSelectorTerms',
      0,
      'matchExpressions',
      0,
    ).values = ['A1']
    expectOnly(runPolicies(resources), policy, /Deployment suanpan\/suanpan-control-plane: may not run in zone A2/)
  })

  it(mocked('fails a control plane without the zone spread or zone affinity'), () => {
    const resources = resourcesOf('a2-same-city')
    const pod = controlPlanePod(resources)
    pod.topologySpreadConstraints = []
    delete pod.affinity
    const violations = runPolicies(resources)
    expectOnly(violations, policy, /no topologySpreadConstraint on topology.kubernetes.io\/zone/)
    expect(violations.map((v) => v.message).join('\n')).toMatch(/no required node affinity on topology.kubernetes.io\/zone/)
  })

  it(mocked('fails a control plane with one replica'), () => {
    const resources = resourcesOf('national-primary')
    at<Obj>(manifest(resources, 'Deployment', 'suanpan-control-plane'), 'spec').replicas = 1
    expectOnly(runPolicies(resources), policy, /has 1 replica\(s\); each of the 2 same-city zones needs one/)
  })

  it(mocked('fails a same-city control plane that dropped its critical label'), () => {
    const resources = resourcesOf('a2-same-city')
    at<Obj>(manifest(resources, 'Deployment', 'suanpan-control-plane'), 'metadata', 'labels')['suanpan.gov.cn/critical'] = 'false'
    expectOnly(runPolicies(resources), policy, /serves the API in a same-city center but is not labelled suanpan.gov.cn\/critical/)
  })
})

describe('no-secrets-in-plain-config on broken manifests', () => {
  const policy = 'no-secrets-in-plain-config'

  it(mocked('fails DATABASE_URL given as a literal value'), () => {
    const resources = resourcesOf('national-primary')
    const env = at<Obj[]>(controlPlanePod(resources), 'containers', 0, 'env')
    env[0] = { name: 'DATABASE_URL', value: 'postgres://suanpan:hunter2@suanpan-db-rw/suanpan' }
    expectOnly(runPolicies(resources), policy, /env DATABASE_URL of container control-plane must come from a Secret/)
  })

  it(mocked('fails a token read from a ConfigMap and a password inside a URL'), () => {
    const resources = resourcesOf('b1-remote')
    const cronJob = manifest(resources, 'CronJob', 'suanpan-drill-remote-takeover')
    const env = at<Obj[]>(cronJob, 'spec', 'jobTemplate', 'spec', 'template', 'spec', 'containers', 0, 'env')
    env[1] = { name: 'SUANPAN_ADMIN_TOKEN', valueFrom: { configMapKeyRef: { name: 'plain', key: 'token' } } }
    env[0] = { name: 'SUANPAN_URL', value: 'https://admin:secret@suanpan.example.gov.cn' }
    const violations = runPolicies(resources)
    expectOnly(violations, policy, /env SUANPAN_ADMIN_TOKEN of container drill must come from a Secret/)
    expect(violations.map((v) => v.message).join('\n')).toMatch(/env SUANPAN_URL of container drill carries a password inside a URL/)
  })

  it(mocked('fails a ConfigMap key that holds a password'), () => {
    const resources = resourcesOf('national-primary')
    at<Obj>(manifest(resources, 'ConfigMap', 'suanpan-agent'), 'data').POSTGRES_PASSWORD = 'hunter2'
    expectOnly(runPolicies(resources), policy, /ConfigMap suanpan\/suanpan-agent: key POSTGRES_PASSWORD looks like a credential/)
  })
})

describe('primary-database-synchronous on broken manifests', () => {
  const policy = 'primary-database-synchronous'

  it(mocked('fails a primary cluster with synchronous replication off'), () => {
    const resources = resourcesOf('national-primary')
    delete at<Obj>(manifest(resources, 'Cluster', 'suanpan-db'), 'spec').postgresql
    expectOnly(runPolicies(resources), policy, /Cluster suanpan\/suanpan-db: has synchronous replication off/)
  })

  it(mocked('fails a quorum as large as the cluster'), () => {
    const resources = resourcesOf('national-primary')
    at<Obj>(manifest(resources, 'Cluster', 'suanpan-db'), 'spec', 'postgresql', 'synchronous').number = 4
    expectOnly(runPolicies(resources), policy, /synchronous.number must be between 1 and instances - 1 \(3\), got 4/)
  })

  it(mocked('fails a quorum that the standbys in the primary’s own zone can meet'), () => {
    const resources = resourcesOf('national-primary')
    at<Obj>(manifest(resources, 'Cluster', 'suanpan-db'), 'spec', 'postgresql', 'synchronous').number = 1
    expectOnly(
      runPolicies(resources),
      policy,
      /a quorum of 1 can be met inside the primary's zone; with 4 instances over 2 zones it needs 2/,
    )
  })

  it(mocked('accepts the legacy minSyncReplicas/maxSyncReplicas form'), () => {
    const resources = resourcesOf('national-primary')
    const spec = at<Obj>(manifest(resources, 'Cluster', 'suanpan-db'), 'spec')
    delete spec.postgresql
    Object.assign(spec, { minSyncReplicas: 1, maxSyncReplicas: 2 })
    expect(runPolicies(resources)).toEqual([])
  })

  it(mocked('fails center A1 without a primary database at all'), () => {
    const resources = without(resourcesOf('national-primary'), 'Cluster', 'suanpan-db')
    expectOnly(runPolicies(resources), policy, /center A1 declares no primary CloudNativePG cluster/)
  })
})

describe('containers-have-requests-and-limits on broken manifests', () => {
  const policy = 'containers-have-requests-and-limits'

  it(mocked('fails a container without limits'), () => {
    const resources = resourcesOf('national-primary')
    const vm = manifest(resources, 'Deployment', 'suanpan-victoria-metrics')
    delete at<Obj>(vm, 'spec', 'template', 'spec', 'containers', 0, 'resources').limits
    expectOnly(runPolicies(resources), policy, /container victoria-metrics has no resources.limits.cpu, resources.limits.memory/)
  })

  it(mocked('fails a CronJob container and the database instances without resources'), () => {
    const resources = resourcesOf('b1-remote')
    delete at<Obj>(
      manifest(resources, 'CronJob', 'suanpan-drill-backup-restore'),
      'spec',
      'jobTemplate',
      'spec',
      'template',
      'spec',
      'containers',
      0,
    ).resources
    delete at<Obj>(manifest(resources, 'Cluster', 'suanpan-db-b1'), 'spec').resources
    const violations = runPolicies(resources)
    expectOnly(violations, policy, /CronJob suanpan\/suanpan-drill-backup-restore: container drill has no resources.requests.cpu/)
    expect(violations.map((v) => v.message).join('\n')).toMatch(
      /Cluster suanpan\/suanpan-db-b1: PostgreSQL instances have no spec.resources/,
    )
  })
})

describe('remote-center-backs-up-on-schedule on broken manifests', () => {
  const policy = 'remote-center-backs-up-on-schedule'

  it(mocked('fails B1 without its ScheduledBackup'), () => {
    const resources = without(resourcesOf('b1-remote'), 'ScheduledBackup', 'suanpan-db-b1-full')
    expectOnly(runPolicies(resources), policy, /Cluster suanpan\/suanpan-db-b1: has no ScheduledBackup with a schedule/)
  })

  it(mocked('fails a ScheduledBackup with an empty schedule, or for another cluster'), () => {
    const resources = resourcesOf('b1-remote')
    at<Obj>(manifest(resources, 'ScheduledBackup', 'suanpan-db-b1-full'), 'spec').schedule = ''
    expectOnly(runPolicies(resources), policy, /has no ScheduledBackup with a schedule/)
    const other = resourcesOf('b1-remote')
    at<Obj>(manifest(other, 'ScheduledBackup', 'suanpan-db-b1-full'), 'spec', 'cluster').name = 'suanpan-db'
    expectOnly(runPolicies(other), policy, /has no ScheduledBackup with a schedule/)
  })

  it(mocked('fails a replica cluster with no backup target'), () => {
    const resources = resourcesOf('b1-remote')
    delete at<Obj>(manifest(resources, 'Cluster', 'suanpan-db-b1'), 'spec').backup
    expectOnly(runPolicies(resources), policy, /has no spec.backup target/)
  })

  it(mocked('fails center B1 without a replica cluster'), () => {
    const resources = without(resourcesOf('b1-remote'), 'Cluster', 'suanpan-db-b1')
    expectOnly(runPolicies(resources), policy, /center B1 declares no replica cluster/)
  })
})

describe('cluster-roles-read-only on broken manifests', () => {
  const policy = 'cluster-roles-read-only'

  it(mocked('fails a ClusterRole that can write'), () => {
    const resources = resourcesOf('national-primary')
    const rules = at<Obj[]>(manifest(resources, 'ClusterRole', 'suanpan-agent-read'), 'rules')
    rules[0] = { ...rules[0], verbs: ['get', 'list', 'watch', 'create', 'delete'] }
    expectOnly(runPolicies(resources), policy, /ClusterRole suanpan-agent-read: grants create, delete cluster-wide/)
  })

  it(mocked('fails a Role with a wildcard'), () => {
    const resources = resourcesOf('b1-remote')
    at<Obj[]>(manifest(resources, 'Role', 'suanpan-agent-dispatch'), 'rules').push({ apiGroups: ['*'], resources: ['*'], verbs: ['*'] })
    expectOnly(
      runPolicies(resources),
      policy,
      /Role suanpan-workloads\/suanpan-agent-dispatch: uses a wildcard in apiGroups, resources, verbs/,
    )
  })
})
