// The partition's timeline from member samples, and the lab's configuration with a network between the
// centers (advertised ingress ports, per-center routes): pure functions, no processes.
import { describe, expect, it } from 'vitest'
import { advertisedPort, etcdArgs, haproxyConfig, patroniConfig, routePort } from '../../control-plane/src/dr/configs'
import { analyse, type MemberSample, type WatchSample } from '../../control-plane/src/dr/member-watch'
import type { NetworkLink } from '../../control-plane/src/dr/network'
import { CENTERS, type CenterName, FAST_TIMINGS, type LabState } from '../../control-plane/src/dr/state'

const member = (writable: boolean, ssn = '', replication: MemberSample['replication'] = []): MemberSample => ({
  up: true,
  writable,
  ssn,
  replication,
})
const streaming = (name: string, sync: string) => ({ name, state: 'streaming', sync })

function sample(at: number, a1: MemberSample, a2: MemberSample, patroni: Record<string, string>): WatchSample {
  return { at, members: { A1: a1, A2: a2, B1: member(false) }, patroni }
}

describe('partition timeline from member samples', () => {
  const before = sample(900, member(true, 'a2', [streaming('a2', 'sync'), streaming('b1', 'async')]), member(false), {
    a1: 'leader',
    a2: 'sync_standby',
  })
  const stalled = sample(3000, member(true, 'a2', [streaming('a2', 'sync'), streaming('b1', 'async')]), member(false), {
    a1: 'leader',
    a2: 'sync_standby',
  })
  const dropped = sample(6000, member(true, 'a2', [streaming('b1', 'async')]), member(false), { a1: 'leader', a2: 'sync_standby' })
  const released = sample(8000, member(true, '', [streaming('b1', 'async')]), member(false), { a1: 'leader', a2: 'replica' })
  const healedAsync = sample(21_000, member(true, '', [streaming('a2', 'async'), streaming('b1', 'async')]), member(false), {
    a1: 'leader',
    a2: 'replica',
  })
  const resynced = sample(25_000, member(true, 'a2', [streaming('a2', 'sync'), streaming('b1', 'async')]), member(false), {
    a1: 'leader',
    a2: 'sync_standby',
  })

  it('finds when the primary dropped the standby, when Patroni released it, and when it was synchronous again', () => {
    const t = analyse([before, stalled, dropped, released, healedAsync, resynced], 1000, 20_000, 'A1', 'A2', 'a2')
    expect(t).toMatchObject({
      samples: 5,
      maxWritableAtOnce: 1,
      writableMembers: ['A1'],
      splitBrain: [],
      primaryChanges: [],
      standbyDroppedSeconds: 5,
      syncReleasedSeconds: 7,
      syncReleasedTo: '',
      patroniSyncRemovedSeconds: 7,
      resyncSeconds: 5,
    })
  })

  it('reports split brain when two members answer writable in one round, and every change of primary', () => {
    const both = sample(9000, member(true, ''), member(true, ''), { a1: 'leader', a2: 'leader' })
    const a2only = sample(10_000, member(false), member(true, ''), { a2: 'leader' })
    const t = analyse([before, stalled, both, a2only], 1000, null, 'A1', 'A2', 'a2')
    expect(t.maxWritableAtOnce).toBe(2)
    expect(t.splitBrain).toEqual([{ atSeconds: 8, members: ['A1', 'A2'] }])
    expect(t.primaryChanges).toEqual([
      { atSeconds: 8, writable: ['A1', 'A2'] },
      { atSeconds: 9, writable: ['A2'] },
    ])
    expect(t.resyncSeconds).toBeNull()
  })
})

function labWithNetwork(): LabState {
  const centers = {} as LabState['centers']
  let port = 20000
  for (const name of CENTERS) {
    const d = `/tmp/x/${name.toLowerCase()}`
    centers[name] = {
      name,
      city: name === 'B1' ? 'B' : 'A',
      dir: d,
      etcd: { name: name.toLowerCase(), clientPort: port++, peerPort: port++, dataDir: `${d}/etcd`, log: '', pid: null },
      postgres: {
        name: name.toLowerCase(),
        port: port++,
        restPort: port++,
        dataDir: `${d}/pgdata`,
        socketDir: `${d}/run`,
        config: '',
        log: '',
        pid: null,
      },
      haproxy: name === 'B1' ? null : { port: port++, config: '', log: '', pid: null },
      controlPlane: null,
    }
  }
  const links: NetworkLink[] = []
  let listen = 30000
  const real = (c: CenterName) => centers[c]
  for (const to of CENTERS) {
    links.push({ kind: 'ingress', to, from: null, service: 'postgres', listen: listen++, target: real(to).postgres.port })
    links.push({ kind: 'ingress', to, from: null, service: 'rest', listen: listen++, target: real(to).postgres.restPort })
    links.push({ kind: 'ingress', to, from: null, service: 'etcd-peer', listen: listen++, target: real(to).etcd.peerPort })
    links.push({ kind: 'ingress', to, from: null, service: 'etcd-client', listen: listen++, target: real(to).etcd.clientPort })
  }
  for (const from of ['A1', 'A2'] as const)
    for (const to of CENTERS.filter((c) => c !== from)) {
      links.push({ kind: 'route', to, from, service: 'postgres', listen: listen++, target: real(to).postgres.port })
      links.push({ kind: 'route', to, from, service: 'rest', listen: listen++, target: real(to).postgres.restPort })
    }
  return {
    version: 1,
    id: 'test',
    dir: '/tmp/x',
    repoRoot: '/tmp/x',
    createdAt: '',
    scope: 'suanpan-dr',
    database: 'suanpan',
    timings: FAST_TIMINGS,
    adminToken: 'x',
    lagBoundBytes: 1024,
    centers,
    backup: { config: '', repo: '', stanza: 'suanpan', log: '', fullIntervalHours: 24 },
    probe: null,
    takeover: null,
    extras: [],
    network: { pid: null, controlPort: 39999, config: '', log: '', links },
    pgGuard: false,
    ready: true,
  }
}

describe('lab configuration with the network between centers', () => {
  const state = labWithNetwork()
  const ingress = (to: CenterName, service: NetworkLink['service']) =>
    state.network?.links.find((l) => l.kind === 'ingress' && l.to === to && l.service === service)?.listen

  it('every member listens on its real ports and advertises its ingress ports', () => {
    const a1 = patroniConfig(state, 'A1') as {
      restapi: { listen: string; connect_address: string }
      postgresql: { listen: string; connect_address: string }
      etcd3: { hosts: string[] }
    }
    expect(a1.postgresql.listen).toBe(`127.0.0.1:${state.centers.A1.postgres.port}`)
    expect(a1.postgresql.connect_address).toBe(`127.0.0.1:${ingress('A1', 'postgres')}`)
    expect(a1.restapi.connect_address).toBe(`127.0.0.1:${ingress('A1', 'rest')}`)
    expect(a1.etcd3.hosts).toEqual(CENTERS.map((c) => `127.0.0.1:${ingress(c, 'etcd-client')}`))
    const args = etcdArgs(state, 'A2').join(' ')
    expect(args).toContain(`--listen-peer-urls http://127.0.0.1:${state.centers.A2.etcd.peerPort}`)
    expect(args).toContain(`--initial-advertise-peer-urls http://127.0.0.1:${ingress('A2', 'etcd-peer')}`)
    expect(args).toContain(`a1=http://127.0.0.1:${ingress('A1', 'etcd-peer')}`)
    expect(args).toContain(`--advertise-client-urls http://127.0.0.1:${ingress('A2', 'etcd-client')}`)
    const dcs = (patroniConfig(state, 'A1').bootstrap as { dcs: { postgresql: { parameters: Record<string, unknown> } } }).dcs
    expect(dcs.postgresql.parameters.wal_sender_timeout).toBe('5s')
  })

  it('HAProxy reaches its own center directly and the others through its own routes', () => {
    const cfg = haproxyConfig(state, 31000, 'A2')
    expect(cfg).toContain(`server a2 127.0.0.1:${state.centers.A2.postgres.port} check port ${state.centers.A2.postgres.restPort}`)
    expect(cfg).toContain(
      `server a1 127.0.0.1:${routePort(state, 'A2', 'A1', 'postgres')} check port ${routePort(state, 'A2', 'A1', 'rest')}`,
    )
    expect(routePort(state, 'A2', 'A1', 'postgres')).not.toBe(advertisedPort(state, 'A1', 'postgres'))
    // A lab built before the network existed keeps its real ports.
    const old = { ...state, network: undefined }
    expect(advertisedPort(old, 'A1', 'postgres')).toBe(state.centers.A1.postgres.port)
    expect(routePort(old, 'A2', 'A1', 'rest')).toBe(state.centers.A1.postgres.restPort)
  })
})
