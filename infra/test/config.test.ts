import { describe, expect, it } from 'vitest'
import { InfraConfigError, parseConfig } from '../src/config'
import { readStackConfig, STACKS } from '../src/offline/stack-files'

/** A stack file's `suanpan:` keys without the namespace, as loadConfig() hands them to parseConfig(). */
function rawConfig(stack: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(readStackConfig(stack))) out[key.replace(/^suanpan:/, '')] = value
  return out
}

function problemsOf(raw: Record<string, string>, stack = 'test'): string[] {
  try {
    parseConfig(raw, stack)
  } catch (error) {
    if (error instanceof InfraConfigError) return [...error.problems]
    throw error
  }
  return []
}

const primary = rawConfig('national-primary')
const sameCity = rawConfig('a2-same-city')
const remote = rawConfig('b1-remote')

describe('infra config loader (plain function, no Pulumi engine involved)', () => {
  it.each(STACKS)('accepts the committed stack file %s', (stack) => {
    expect(problemsOf(rawConfig(stack), stack)).toEqual([])
  })

  it('types each center with what it owns', () => {
    const a1 = parseConfig(primary, 'national-primary')
    const a2 = parseConfig(sameCity, 'a2-same-city')
    const b1 = parseConfig(remote, 'b1-remote')
    expect(a1.center === 'A1' && a1.database.instances).toBe(4)
    expect(a1.center === 'A1' && a1.agent.workloadNamespace).toBe('suanpan-workloads')
    expect(a2.center === 'A2' && a2.primaryStack).toBe('organization/suanpan/national-primary')
    expect(b1.center === 'B1' && b1.archiveCredentialsSecret).toBe('suanpan-wal-archive-reader')
    expect(a1.zones).toEqual(['A1', 'A2'])
    expect(b1.drills.map((d) => d.scenario)).toEqual(['backup-restore', 'remote-takeover'])
    expect(Object.isFrozen(a1)).toBe(true)
  })

  it('fails with a message naming the stack and every key at fault', () => {
    const { kubeContext: _removed, ...raw } = primary
    let caught: unknown
    try {
      parseConfig({ ...raw, replicas: '1', image: 'registry.example/suanpan:latest' }, 'national-primary')
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(InfraConfigError)
    const error = caught as InfraConfigError
    expect(error.code).toBe('INFRA_CONFIG_INVALID')
    expect(error.message).toContain('invalid config for stack national-primary')
    expect(error.problems).toEqual([
      'suanpan:kubeContext is required',
      'suanpan:image must name a pinned tag or digest (not latest), got "registry.example/suanpan:latest"',
      'suanpan:replicas must be an integer >= 2 in same-city center A1 (both zones serve the API), got "1"',
    ])
  })

  it.each([
    ['an unknown (misspelt) key', { ...sameCity, replcias: '2' }, 'suanpan:replcias is not a known key'],
    ['an unknown center', { ...sameCity, center: 'C1' }, 'suanpan:center must be one of A1, A2, B1, got "C1"'],
    ['fewer than 2 replicas in A2', { ...sameCity, replicas: '1' }, 'suanpan:replicas must be an integer >= 2'],
    ['a same-city stack missing zone A2', { ...sameCity, zones: '["A1"]' }, 'suanpan:zones must include both same-city zones A1 and A2'],
    ['a city-A zone in B1', { ...remote, zones: '["B1","A2"]' }, 'suanpan:zones must not include a city-A zone'],
    ['zones that are not a list', { ...sameCity, zones: 'A1,A2' }, 'suanpan:zones must be structured YAML'],
    ['a five-field CNPG backup schedule', { ...primary, backupSchedule: '0 2 * * *' }, 'suanpan:backupSchedule must be a six-field cron'],
    [
      'an unknown drill scenario',
      { ...sameCity, drills: '[{"scenario":"meteor","schedule":"0 3 * * *"}]' },
      'suanpan:drills[0].scenario must be one of',
    ],
    [
      'a six-field drill schedule',
      { ...sameCity, drills: '[{"scenario":"a1-lost","schedule":"0 0 3 * * *"}]' },
      'suanpan:drills[0].schedule must be a five-field',
    ],
    ['a database in A2', { ...sameCity, database: primary.database ?? '' }, 'suanpan:database is not used in center A2; remove it'],
    [
      'a primaryStack in A1',
      { ...primary, primaryStack: 'organization/suanpan/b1-remote' },
      'suanpan:primaryStack is not used in center A1',
    ],
    ['a DR stack without primaryStack', (({ primaryStack: _p, ...rest }) => rest)(remote), 'suanpan:primaryStack is required'],
    [
      'a short primaryStack name',
      { ...remote, primaryStack: 'national-primary' },
      'suanpan:primaryStack must be a fully qualified stack name',
    ],
    [
      'an odd number of primary instances',
      { ...primary, database: '{"instances":3,"storageSize":"1Gi","backupRetention":"7d"}' },
      'suanpan:database.instances must be a multiple of the 2 zones',
    ],
    [
      'a bad storage size',
      { ...primary, database: '{"instances":4,"storageSize":"lots","backupRetention":"7d"}' },
      'suanpan:database.storageSize must be a Kubernetes quantity',
    ],
    [
      'an unknown database field',
      { ...primary, database: '{"instances":4,"storageSize":"1Gi","backupRetention":"7d","password":"x"}' },
      'suanpan:database.password is not a known field',
    ],
    [
      'a bad province code',
      { ...primary, agent: '{"clusterId":"a","site":"b","province":"11","city":"c","level":"national","workloadNamespace":"w"}' },
      'suanpan:agent.province must be a GB/T 2260 province code',
    ],
    [
      'a non-s3 archive',
      { ...primary, objectStore: '{"destinationPath":"/mnt/x","endpointUrl":"https://o","credentialsSecret":"s"}' },
      'suanpan:objectStore.destinationPath must be an s3:// bucket path',
    ],
    [
      'a VictoriaMetrics image on latest',
      { ...primary, victoriaMetrics: '{"image":"vm:latest","retentionPeriod":"30d","storageSize":"1Gi"}' },
      'suanpan:victoriaMetrics.image must name a pinned tag',
    ],
    ['a negative RPO target', { ...remote, rpoTargetSeconds: '-1' }, 'suanpan:rpoTargetSeconds must be an integer >= 0'],
    [
      'a control plane URL without a scheme',
      { ...remote, controlPlaneUrl: 'suanpan.example.gov.cn' },
      'suanpan:controlPlaneUrl must be an http(s) URL',
    ],
  ])('rejects %s', (_case, raw, message) => {
    const problems = problemsOf(raw)
    expect(problems.some((problem) => problem.startsWith(message))).toBe(true)
  })
})
