import { beforeAll, describe, expect, it } from 'vitest'
import { AGENT_TOKEN_SECRET } from '../src/components/agent'
import { synchronousQuorum } from '../src/components/primary-database'
import { qualifiedStackName, runStack, runStacks, type StackRun } from '../src/offline/mock-run'
import { readProjectName, readStackConfig, STACKS, type StackName } from '../src/offline/stack-files'
import { runPolicies } from '../src/policies'
import { all, at, container, find, inventory, loadFresh, mocked, type Obj, podSpec, zonesOf } from './support'

const PRIMARY = qualifiedStackName('suanpan', 'national-primary')
const ZONE = 'topology.kubernetes.io/zone'

let runs: Map<StackName, StackRun>
const run = (stack: StackName): StackRun => {
  const found = runs.get(stack)
  if (!found) throw new Error(`stack ${stack} did not run`)
  return found
}

beforeAll(async () => {
  runs = await runStacks(STACKS, loadFresh)
})

function expectSpreadOverSameCity(deployment: Obj) {
  const pod = podSpec(deployment)
  expect(zonesOf(pod)).toEqual(['A1', 'A2'])
  const zoneSpread = at<Obj[]>(pod, 'topologySpreadConstraints').find((c) => c.topologyKey === ZONE)
  expect(zoneSpread).toMatchObject({
    maxSkew: 1,
    whenUnsatisfiable: 'DoNotSchedule',
    labelSelector: { matchLabels: at(deployment, 'spec', 'selector', 'matchLabels') },
  })
  expect(at<number>(deployment, 'spec', 'replicas')).toBeGreaterThanOrEqual(2)
}

function expectControlPlaneShape(stack: StackRun, namespace: string, databaseUrlSecret: string) {
  const deployment = find(stack, 'Deployment', 'suanpan-control-plane')
  const selector = at<Obj>(deployment, 'spec', 'selector', 'matchLabels')
  expect(at(deployment, 'spec', 'template', 'metadata', 'labels')).toMatchObject(selector)
  const main = container(deployment)
  expect(at(main, 'ports')).toEqual([{ name: 'http', containerPort: 8080 }])
  for (const probe of ['livenessProbe', 'readinessProbe']) expect(at(main, probe, 'httpGet')).toEqual({ path: '/healthz', port: 'http' })
  const env = at<Obj[]>(main, 'env')
  expect(env.find((e) => e.name === 'DATABASE_URL')).toEqual({
    name: 'DATABASE_URL',
    valueFrom: { secretKeyRef: { name: databaseUrlSecret, key: 'uri' } },
  })
  const service = find(stack, 'Service', 'suanpan-control-plane')
  expect(at(service, 'metadata', 'namespace')).toBe(namespace)
  expect(at(service, 'spec', 'selector')).toEqual(selector)
  expect(at(service, 'spec', 'ports', 0)).toMatchObject({ port: 8080, targetPort: 'http' })
  const pdb = find(stack, 'PodDisruptionBudget', 'suanpan-control-plane')
  expect(at(pdb, 'spec')).toEqual({ maxUnavailable: 1, selector: { matchLabels: selector } })
}

describe('every stack', () => {
  it.each(STACKS)(mocked('%s passes every policy'), (stack) => {
    expect(runPolicies(run(stack).resources)).toEqual([])
  })

  it.each(STACKS)(mocked('%s deploys through its own kube context'), (stack) => {
    const providers = run(stack).resources.filter((r) => r.type === 'pulumi:providers:kubernetes')
    expect(providers.map((p) => p.inputs.context)).toEqual([readStackConfig(stack)['suanpan:kubeContext']])
    expect(run(stack).outputs.kubeContext).toBe(readStackConfig(stack)['suanpan:kubeContext'])
  })

  it(mocked('stack references flow one way: the DR stacks read the primary, the primary reads nobody'), () => {
    expect(run('national-primary').references).toEqual([])
    expect(run('national-primary').resources.some((r) => r.type === 'pulumi:pulumi:StackReference')).toBe(false)
    expect(run('a2-same-city').references).toEqual([PRIMARY])
    expect(run('b1-remote').references).toEqual([PRIMARY])
    expect(PRIMARY).toBe(`organization/${readProjectName()}/national-primary`)
  })

  it.each(STACKS)(mocked('%s runs its drills from a CronJob in Asia/Shanghai time with its RTO/RPO targets'), (stack) => {
    const config = readStackConfig(stack)
    const drills = JSON.parse(config['suanpan:drills'] ?? '[]') as { scenario: string; schedule: string }[]
    const cronJobs = all(run(stack), 'CronJob')
    expect(cronJobs).toHaveLength(drills.length)
    for (const drill of drills) {
      const cronJob = find(run(stack), 'CronJob', `suanpan-drill-${drill.scenario}`)
      expect(at(cronJob, 'spec', 'schedule')).toBe(drill.schedule)
      expect(at(cronJob, 'spec', 'timeZone')).toBe('Asia/Shanghai')
      expect(at(cronJob, 'spec', 'concurrencyPolicy')).toBe('Forbid')
      const job = at<Obj>(cronJob, 'spec', 'jobTemplate', 'spec', 'template', 'spec', 'containers', 0)
      expect(at<string[]>(job, 'args').slice(0, 3)).toEqual(['drill', 'run', drill.scenario])
      expect(at<string[]>(job, 'args').join(' ')).toContain(
        `--rto-target-seconds ${config['suanpan:rtoTargetSeconds']} --rpo-target-seconds ${config['suanpan:rpoTargetSeconds']}`,
      )
    }
  })
})

describe('national-primary (center A1)', () => {
  it(mocked('declares the primary node: namespace, database, history, control plane, agent and drills'), () => {
    expect(inventory(run('national-primary'))).toEqual([
      'Cluster suanpan/suanpan-db',
      'ClusterRole suanpan-agent-read',
      'ClusterRoleBinding suanpan-agent-read',
      'ConfigMap suanpan/suanpan-agent',
      'CronJob suanpan/suanpan-drill-same-city-partition',
      'Deployment suanpan/suanpan-agent',
      'Deployment suanpan/suanpan-control-plane',
      'Deployment suanpan/suanpan-victoria-metrics',
      'Namespace suanpan',
      'Namespace suanpan-workloads',
      'PersistentVolumeClaim suanpan/suanpan-agent-state',
      'PersistentVolumeClaim suanpan/suanpan-victoria-metrics',
      'PodDisruptionBudget suanpan/suanpan-control-plane',
      'Role suanpan-workloads/suanpan-agent-dispatch',
      'RoleBinding suanpan-workloads/suanpan-agent-dispatch',
      'ScheduledBackup suanpan/suanpan-db-base',
      'Service suanpan/suanpan-control-plane',
      'Service suanpan/suanpan-victoria-metrics',
      'ServiceAccount suanpan/suanpan-agent',
    ])
  })

  it(mocked('runs control-plane replicas in both A1 and A2, with probes, a PDB, a Service and DATABASE_URL from a Secret'), () => {
    const stack = run('national-primary')
    expectSpreadOverSameCity(find(stack, 'Deployment', 'suanpan-control-plane'))
    expectControlPlaneShape(stack, 'suanpan', 'suanpan-db-app')
  })

  it(mocked('replicates the database synchronously so that every commit reaches the other zone'), () => {
    const cluster = find(run('national-primary'), 'Cluster', 'suanpan-db')
    expect(cluster.apiVersion).toBe('postgresql.cnpg.io/v1')
    const instances = at<number>(cluster, 'spec', 'instances')
    const synchronous = at<Obj>(cluster, 'spec', 'postgresql', 'synchronous')
    expect(synchronous.method).toBe('any')
    // Half the instances per zone: the primary's zone holds instances/2 - 1 standbys, so a quorum of instances/2 must leave it.
    expect(synchronous.number).toBeGreaterThan(instances / 2 - 1)
    expect(synchronous.number).toBeLessThan(instances)
    expect(
      at(
        cluster,
        'spec',
        'affinity',
        'nodeAffinity',
        'requiredDuringSchedulingIgnoredDuringExecution',
        'nodeSelectorTerms',
        0,
        'matchExpressions',
        0,
      ),
    ).toEqual({
      key: ZONE,
      operator: 'In',
      values: ['A1', 'A2'],
    })
    expect(at(cluster, 'spec', 'topologySpreadConstraints', 0)).toMatchObject({
      topologyKey: ZONE,
      maxSkew: 1,
      whenUnsatisfiable: 'DoNotSchedule',
      labelSelector: { matchLabels: { 'cnpg.io/cluster': 'suanpan-db' } },
    })
  })

  it('sizes the synchronous quorum to reach another zone for every valid instance count', () => {
    for (const zones of [2, 3]) {
      for (let perZone = 2; perZone <= 5; perZone++) {
        const instances = zones * perZone
        const quorum = synchronousQuorum(instances, zones)
        expect(quorum).toBeGreaterThan(perZone - 1) // more than the standbys in the primary's own zone
        expect(quorum).toBeLessThanOrEqual(instances - 2) // and one standby may still be lost without stalling
      }
    }
  })

  it(mocked('archives WAL and base backups to the configured object store and exports where, for B1'), () => {
    const stack = run('national-primary')
    const store = JSON.parse(readStackConfig('national-primary')['suanpan:objectStore'] ?? '{}') as Obj
    const cluster = find(stack, 'Cluster', 'suanpan-db')
    expect(at(cluster, 'spec', 'backup', 'barmanObjectStore', 'destinationPath')).toBe(store.destinationPath)
    expect(at(cluster, 'spec', 'backup', 'barmanObjectStore', 's3Credentials', 'accessKeyId', 'name')).toBe(store.credentialsSecret)
    expect(at(find(stack, 'ScheduledBackup', 'suanpan-db-base'), 'spec')).toMatchObject({
      cluster: { name: 'suanpan-db' },
      immediate: true,
    })
    expect(stack.outputs).toMatchObject({
      databaseCluster: 'suanpan-db',
      archiveDestinationPath: store.destinationPath,
      archiveEndpointUrl: store.endpointUrl,
      victoriaMetricsUrl: 'http://suanpan-victoria-metrics.suanpan.svc:8428',
    })
  })

  it(mocked('runs single-node VictoriaMetrics on its own volume with the configured retention'), () => {
    const stack = run('national-primary')
    const vm = find(stack, 'Deployment', 'suanpan-victoria-metrics')
    expect(at(container(vm), 'args')).toContain('-retentionPeriod=400d')
    expect(at(podSpec(vm), 'volumes', 0, 'persistentVolumeClaim', 'claimName')).toBe('suanpan-victoria-metrics')
    expect(at(find(stack, 'PersistentVolumeClaim', 'suanpan-victoria-metrics'), 'spec', 'resources', 'requests', 'storage')).toBe('500Gi')
    expect(at(find(stack, 'Service', 'suanpan-victoria-metrics'), 'spec', 'ports', 0, 'port')).toBe(8428)
    const env = at<Obj[]>(container(find(stack, 'Deployment', 'suanpan-control-plane')), 'env')
    expect(env.find((e) => e.name === 'VM_URL')?.value).toBe(stack.outputs.victoriaMetricsUrl)
  })

  it(mocked('gives the agent read-only access cluster-wide and write access only in its workload namespace'), () => {
    const stack = run('national-primary')
    const subject = { kind: 'ServiceAccount', name: 'suanpan-agent', namespace: 'suanpan' }
    const clusterRoles = all(stack, 'ClusterRole')
    expect(clusterRoles).toHaveLength(1)
    const read = at<Obj[]>(clusterRoles[0], 'rules')
    for (const rule of read) expect(rule.verbs).toEqual(['get', 'list', 'watch'])
    const granted = read.flatMap((rule) => (rule.resources as string[]).map((r) => `${(rule.apiGroups as string[])[0] || 'core'}/${r}`))
    expect(granted.sort()).toEqual([
      'core/nodes',
      'core/persistentvolumes',
      'core/pods',
      'metrics.k8s.io/nodes',
      'storage.k8s.io/csistoragecapacities',
      'storage.k8s.io/storageclasses',
    ])
    expect(at(find(stack, 'ClusterRoleBinding', 'suanpan-agent-read'), 'subjects')).toEqual([subject])

    const roles = all(stack, 'Role')
    expect(roles).toHaveLength(1)
    const role = roles[0] as Obj
    expect(at(role, 'metadata', 'namespace')).toBe('suanpan-workloads')
    const writes = at<Obj[]>(role, 'rules').map((rule) => `${(rule.apiGroups as string[]).join()}/${(rule.resources as string[]).join()}`)
    expect(writes).toEqual(['batch/jobs', 'apps/deployments'])
    for (const rule of at<Obj[]>(role, 'rules')) expect(rule.verbs).toEqual(expect.arrayContaining(['create', 'update', 'delete']))
    const binding = find(stack, 'RoleBinding', 'suanpan-agent-dispatch')
    expect(at(binding, 'metadata', 'namespace')).toBe('suanpan-workloads')
    expect(at(binding, 'subjects')).toEqual([subject])
    expect(at(binding, 'roleRef')).toMatchObject({ kind: 'Role', name: 'suanpan-agent-dispatch' })
  })

  it(mocked("writes the agent's config file for agents/src/agent/config.ts and mounts its token from a Secret"), () => {
    const stack = run('national-primary')
    const agentJson = JSON.parse(at<string>(find(stack, 'ConfigMap', 'suanpan-agent'), 'data', 'agent.json')) as Obj
    expect(agentJson).toMatchObject({
      cluster: { clusterId: '110000-suanpan-city-a', province: '110000', level: 'national' },
      controlPlane: { url: 'https://suanpan.example.gov.cn', tokenFile: '/etc/suanpan/token/token' },
    })
    const agent = find(stack, 'Deployment', 'suanpan-agent')
    expect(at(podSpec(agent), 'serviceAccountName')).toBe('suanpan-agent')
    const tokenVolume = at<Obj[]>(podSpec(agent), 'volumes').find((v) => v.name === 'token')
    expect(tokenVolume).toEqual({ name: 'token', secret: { secretName: AGENT_TOKEN_SECRET } })
    const mount = at<Obj[]>(container(agent), 'volumeMounts').find((m) => m.name === 'token')
    expect(String(at(agentJson, 'controlPlane', 'tokenFile')).startsWith(`${mount?.mountPath}/`)).toBe(true)
  })
})

describe('a2-same-city (center A2)', () => {
  it(mocked('declares its own serving pool and the drill that loses A1, and no database'), () => {
    expect(inventory(run('a2-same-city'))).toEqual([
      'CronJob suanpan-a2/suanpan-drill-a1-lost',
      'Deployment suanpan-a2/suanpan-control-plane',
      'Namespace suanpan-a2',
      'PodDisruptionBudget suanpan-a2/suanpan-control-plane',
      'Service suanpan-a2/suanpan-control-plane',
    ])
  })

  it(mocked('runs control-plane replicas in both A1 and A2, writing to the primary’s history through the stack reference'), () => {
    const stack = run('a2-same-city')
    const deployment = find(stack, 'Deployment', 'suanpan-control-plane')
    expectSpreadOverSameCity(deployment)
    expectControlPlaneShape(stack, 'suanpan-a2', 'suanpan-db-app')
    const env = at<Obj[]>(container(deployment), 'env')
    expect(env.find((e) => e.name === 'VM_URL')?.value).toBe(run('national-primary').outputs.victoriaMetricsUrl)
    expect(stack.outputs.primaryStack).toBe(PRIMARY)
  })
})

describe('b1-remote (center B1)', () => {
  it(mocked('declares a replica database with scheduled backups, history, a standby control plane, the agent and drills'), () => {
    expect(inventory(run('b1-remote'))).toEqual([
      'Cluster suanpan/suanpan-db-b1',
      'ClusterRole suanpan-agent-read',
      'ClusterRoleBinding suanpan-agent-read',
      'ConfigMap suanpan/suanpan-agent',
      'CronJob suanpan/suanpan-drill-backup-restore',
      'CronJob suanpan/suanpan-drill-remote-takeover',
      'Deployment suanpan/suanpan-agent',
      'Deployment suanpan/suanpan-control-plane',
      'Deployment suanpan/suanpan-victoria-metrics',
      'Namespace suanpan',
      'Namespace suanpan-workloads',
      'PersistentVolumeClaim suanpan/suanpan-agent-state',
      'PersistentVolumeClaim suanpan/suanpan-victoria-metrics',
      'PodDisruptionBudget suanpan/suanpan-control-plane',
      'Role suanpan-workloads/suanpan-agent-dispatch',
      'RoleBinding suanpan-workloads/suanpan-agent-dispatch',
      'ScheduledBackup suanpan/suanpan-db-b1-full',
      'Service suanpan/suanpan-control-plane',
      'Service suanpan/suanpan-victoria-metrics',
      'ServiceAccount suanpan/suanpan-agent',
    ])
  })

  it(mocked('replays the primary’s WAL archive named by the stack reference, asynchronously'), () => {
    const primary = run('national-primary').outputs
    const cluster = find(run('b1-remote'), 'Cluster', 'suanpan-db-b1')
    expect(at(cluster, 'spec', 'replica')).toEqual({ enabled: true, source: primary.databaseCluster })
    expect(at(cluster, 'spec', 'bootstrap')).toEqual({ recovery: { source: primary.databaseCluster } })
    const external = at<Obj[]>(cluster, 'spec', 'externalClusters')
    expect(external).toHaveLength(1)
    expect(external[0]).toMatchObject({
      name: primary.databaseCluster,
      barmanObjectStore: {
        destinationPath: primary.archiveDestinationPath,
        endpointURL: primary.archiveEndpointUrl,
        serverName: primary.databaseCluster,
        s3Credentials: { accessKeyId: { name: 'suanpan-wal-archive-reader' } },
      },
    })
    expect(at(cluster, 'spec', 'postgresql')).toBeUndefined()
    expect(
      at(
        cluster,
        'spec',
        'affinity',
        'nodeAffinity',
        'requiredDuringSchedulingIgnoredDuringExecution',
        'nodeSelectorTerms',
        0,
        'matchExpressions',
        0,
        'values',
      ),
    ).toEqual(['B1'])
  })

  it(mocked('takes scheduled full backups to its own bucket, not the primary’s archive'), () => {
    const stack = run('b1-remote')
    const config = readStackConfig('b1-remote')
    const backup = find(stack, 'ScheduledBackup', 'suanpan-db-b1-full')
    expect(at(backup, 'spec')).toMatchObject({
      schedule: config['suanpan:backupSchedule'],
      cluster: { name: 'suanpan-db-b1' },
      method: 'barmanObjectStore',
    })
    const target = at<string>(find(stack, 'Cluster', 'suanpan-db-b1'), 'spec', 'backup', 'barmanObjectStore', 'destinationPath')
    expect(target).toBe((JSON.parse(config['suanpan:objectStore'] ?? '{}') as Obj).destinationPath)
    expect(target).not.toBe(run('national-primary').outputs.archiveDestinationPath)
  })

  it(mocked('keeps the control plane as a standby at 0 replicas, outside the same-city criticality rule'), () => {
    const deployment = find(run('b1-remote'), 'Deployment', 'suanpan-control-plane')
    expect(at(deployment, 'spec', 'replicas')).toBe(0)
    expect(at(deployment, 'metadata', 'labels', 'suanpan.gov.cn/critical')).toBe('false')
    expect(zonesOf(podSpec(deployment))).toEqual(['B1'])
    expectControlPlaneShape(run('b1-remote'), 'suanpan', 'suanpan-db-b1-url')
  })
})

describe('failures a stack run reports', () => {
  it(mocked('a bad config value stops the program, naming the key'), async () => {
    const config = { ...readStackConfig('a2-same-city'), 'suanpan:replicas': '1' }
    await expect(
      runStack({
        project: 'suanpan',
        stack: 'a2-same-city',
        config,
        referencedOutputs: { [PRIMARY]: run('national-primary').outputs },
        loadProgram: loadFresh,
      }),
    ).rejects.toThrow(/suanpan:replicas must be an integer >= 2/)
  })

  it(mocked('a primary output missing from the stack reference stops the DR stack, naming the output'), async () => {
    const { archiveEndpointUrl: _dropped, ...outputs } = run('national-primary').outputs
    await expect(
      runStack({
        project: 'suanpan',
        stack: 'b1-remote',
        config: readStackConfig('b1-remote'),
        referencedOutputs: { [PRIMARY]: outputs },
        loadProgram: loadFresh,
      }),
    ).rejects.toThrow(/archiveEndpointUrl/)
  })
})
