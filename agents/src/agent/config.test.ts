import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AgentConfigError, DISPATCH_INTERVAL_ENV, dispatchSettings, loadAgentConfig } from './config'

describe('agent config: dispatch', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'suanpan-agent-config-'))
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  async function write(extra: Record<string, unknown> = {}) {
    const file = join(dir, 'agent.json')
    const cluster = { clusterId: 'bj-1', site: 'bj-site', province: '110000', city: '北京', level: 'national' }
    await writeFile(file, JSON.stringify({ cluster, controlPlane: { url: 'http://cp', token: 't' }, stateDir: dir, ...extra }))
    return file
  }

  it('dispatches every 10 s by default', async () => {
    expect(loadAgentConfig(await write(), {}).dispatch).toEqual({ intervalMs: 10_000 })
  })

  it('reads dispatchIntervalSeconds and workloadNamespace from the file; 0 switches dispatch off', async () => {
    expect(loadAgentConfig(await write({ dispatchIntervalSeconds: 30, workloadNamespace: 'gov-work' }), {}).dispatch).toEqual({
      intervalMs: 30_000,
      namespace: 'gov-work',
    })
    expect(loadAgentConfig(await write({ dispatchIntervalSeconds: 0 }), {}).dispatch).toBe(false)
    const bad = await write({ workloadNamespace: 'Not A Namespace' })
    expect(() => loadAgentConfig(bad, {})).toThrow(/workloadNamespace/)
  })

  it(`lets ${DISPATCH_INTERVAL_ENV} override the file, and refuses a value that is not seconds`, async () => {
    expect(dispatchSettings({ dispatchIntervalSeconds: 30 }, { [DISPATCH_INTERVAL_ENV]: '0' })).toBe(false)
    expect(dispatchSettings({}, { [DISPATCH_INTERVAL_ENV]: '2.5' })).toEqual({ intervalMs: 2500 })
    expect(dispatchSettings({}, { [DISPATCH_INTERVAL_ENV]: '' })).toEqual({ intervalMs: 10_000 })
    expect(() => dispatchSettings({}, { [DISPATCH_INTERVAL_ENV]: 'soon' })).toThrow(AgentConfigError)
    expect(() => dispatchSettings({}, { [DISPATCH_INTERVAL_ENV]: '-1' })).toThrow(/SUANPAN_DISPATCH_INTERVAL_SECONDS=-1/)
  })
})
