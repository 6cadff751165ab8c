// Configuration files and command lines of the engines the lab runs: etcd, Patroni, HAProxy, pgBackRest.
// Pure functions of the lab state, so they can be read and tested without starting anything.
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Service } from './network'
import type { CenterName, CenterState, LabState } from './state'

export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return null
  for (const v of readdirSync(root).sort((a, b) => Number(b) - Number(a))) {
    const bin = join(root, v, 'bin')
    if (existsSync(join(bin, 'pg_ctl'))) return bin
  }
  return null
}

const lower = (c: CenterName) => c.toLowerCase()

/** A service's real port (where it listens). */
function realPort(state: LabState, center: CenterName, service: Service): number {
  const c = state.centers[center]
  if (service === 'postgres') return c.postgres.port
  if (service === 'rest') return c.postgres.restPort
  if (service === 'etcd-peer') return c.etcd.peerPort
  return c.etcd.clientPort
}

/**
 * The port a center's service advertises to the other centers: its ingress link in the lab network
 * (network.ts), or the real port in a lab built before the network existed.
 */
export function advertisedPort(state: LabState, center: CenterName, service: Service): number {
  const link = state.network?.links.find((l) => l.kind === 'ingress' && l.to === center && l.service === service)
  return link?.listen ?? realPort(state, center, service)
}

/** How `from` reaches `to`'s service: directly inside a center, else its route link (or the advertised port). */
export function routePort(state: LabState, from: CenterName, to: CenterName, service: Service): number {
  if (from === to) return realPort(state, to, service)
  const link = state.network?.links.find((l) => l.kind === 'route' && l.from === from && l.to === to && l.service === service)
  return link?.listen ?? advertisedPort(state, to, service)
}

/**
 * The etcd member of a center; `forceNewCluster` turns a lone survivor into a one-member cluster.
 * It listens on its real ports and advertises its ingress ports (peers and clients in other centers
 * reach it through the lab network, so a partition cuts etcd peer traffic too).
 */
export function etcdArgs(state: LabState, center: CenterName, options: { forceNewCluster?: boolean } = {}): string[] {
  const m = state.centers[center].etcd
  const peerUrl = (c: CenterName) => `http://127.0.0.1:${advertisedPort(state, c, 'etcd-peer')}`
  const initial = Object.values(state.centers)
    .map((c) => `${c.etcd.name}=${peerUrl(c.name)}`)
    .join(',')
  const args = [
    '--name',
    m.name,
    '--data-dir',
    m.dataDir,
    '--listen-client-urls',
    `http://127.0.0.1:${m.clientPort}`,
    '--advertise-client-urls',
    `http://127.0.0.1:${advertisedPort(state, center, 'etcd-client')}`,
    '--listen-peer-urls',
    `http://127.0.0.1:${m.peerPort}`,
    '--initial-advertise-peer-urls',
    peerUrl(center),
    '--initial-cluster',
    options.forceNewCluster ? `${m.name}=${peerUrl(center)}` : initial,
    '--initial-cluster-token',
    `suanpan-dr-${state.id}`,
    '--initial-cluster-state',
    'new',
    // Loopback: a short heartbeat lets the DCS notice a lost member quickly.
    '--heartbeat-interval',
    '100',
    '--election-timeout',
    '1000',
    '--logger',
    'zap',
    '--log-level',
    'warn',
  ]
  if (options.forceNewCluster) args.push('--force-new-cluster')
  return args
}

/** etcd client endpoints for Patroni: the advertised ones (Patroni also discovers them from the membership). */
export function etcdHosts(state: LabState, only?: CenterName[]): string[] {
  return Object.values(state.centers)
    .filter((c) => !only || only.includes(c.name))
    .map((c) => `127.0.0.1:${advertisedPort(state, c.name, 'etcd-client')}`)
}

/**
 * How long a primary's walsender waits for a silent standby before dropping it (PostgreSQL's default
 * is 60 s). With synchronous_mode every commit waits for the synchronous standby; when the link to it
 * goes silent (a same-city partition loses packets, nothing is reset), Patroni can only pick another
 * synchronous standby — or, with none left, turn synchronous replication off — once the walsender is
 * gone from pg_stat_replication. So this bounds how long writes stall in a partition (the partition
 * drill measures it: ~62 s with the default, see README).
 */
export const WAL_SENDER_TIMEOUT = '5s'

export function pgbackrestCommand(state: LabState): string[] {
  return ['pgbackrest', `--config=${state.backup.config}`, `--stanza=${state.backup.stanza}`]
}

/**
 * Patroni's configuration (JSON is valid YAML). A1 and A2 alternate as leader and synchronous
 * standby; B1 is an asynchronous replica that never leads: nofailover AND nosync (with nofailover
 * alone B1 can become the sync standby after two failovers, and then nobody may promote).
 */
export function patroniConfig(state: LabState, center: CenterName): Record<string, unknown> {
  const c = state.centers[center]
  const bin = postgresBinDir()
  const remote = c.city === 'B'
  const t = state.timings
  return {
    scope: state.scope,
    namespace: '/suanpan/',
    name: lower(center),
    log: { level: 'INFO', format: '%(asctime)s %(levelname)s: %(message)s' },
    // Listen on the real ports, advertise the lab network's ingress ports (what other members read from the DCS).
    restapi: { listen: `127.0.0.1:${c.postgres.restPort}`, connect_address: `127.0.0.1:${advertisedPort(state, center, 'rest')}` },
    etcd3: { hosts: etcdHosts(state) },
    bootstrap: {
      dcs: {
        ttl: t.ttl,
        loop_wait: t.loopWait,
        retry_timeout: t.retryTimeout,
        maximum_lag_on_failover: state.lagBoundBytes,
        synchronous_mode: true,
        synchronous_mode_strict: false,
        postgresql: {
          use_pg_rewind: true,
          use_slots: true,
          parameters: {
            wal_level: 'replica',
            hot_standby: 'on',
            wal_log_hints: 'on',
            max_connections: 100,
            max_wal_senders: 10,
            max_replication_slots: 10,
            wal_keep_size: '256MB',
            archive_mode: 'on',
            archive_timeout: 60,
            wal_sender_timeout: WAL_SENDER_TIMEOUT,
            shared_buffers: '32MB',
          },
        },
      },
      initdb: [{ encoding: 'UTF8' }, { locale: 'C' }, 'data-checksums'],
    },
    postgresql: {
      listen: `127.0.0.1:${c.postgres.port}`,
      connect_address: `127.0.0.1:${advertisedPort(state, center, 'postgres')}`,
      data_dir: c.postgres.dataDir,
      bin_dir: bin,
      pgpass: join(c.dir, 'pgpass'),
      authentication: {
        superuser: { username: 'postgres' },
        replication: { username: 'postgres' },
        rewind: { username: 'postgres' },
      },
      parameters: {
        unix_socket_directories: c.postgres.socketDir,
        // Each center archives to the repository in B1 with its own data directory as pg1-path.
        archive_command: `${pgbackrestCommand(state).join(' ')} --pg1-path=${c.postgres.dataDir} archive-push %p`,
      },
      pg_hba: ['local all all trust', 'host all all 127.0.0.1/32 trust', 'host replication all 127.0.0.1/32 trust'],
      basebackup: [{ checkpoint: 'fast' }],
    },
    watchdog: { mode: 'off' },
    tags: remote
      ? { nofailover: true, nosync: true, noloadbalance: false, clonefrom: false }
      : { nofailover: false, nosync: false, noloadbalance: false, clonefrom: false },
  }
}

/**
 * HAProxy in front of the PostgreSQL members for a control-plane instance: only the member whose
 * Patroni answers `GET /primary` with 200 receives connections; sessions to a demoted member are cut.
 * (node-postgres 8.23 does not parse libpq multi-host URLs nor target_session_attrs, so this is the
 * routing for the lab.) The HAProxy of center `from` reaches its own member directly and the other
 * centers' members through its routes in the lab network (a partition cuts them too).
 */
export function haproxyConfig(
  state: LabState,
  port: number,
  from: CenterName | null = null,
  members: CenterState[] = Object.values(state.centers),
): string {
  const servers = members.map((m) => {
    const pg = from ? routePort(state, from, m.name, 'postgres') : m.postgres.port
    const rest = from ? routePort(state, from, m.name, 'rest') : m.postgres.restPort
    return `  server ${lower(m.name)} 127.0.0.1:${pg} check port ${rest}`
  })
  return [
    'global',
    '  maxconn 400',
    '',
    'defaults',
    '  mode tcp',
    '  timeout connect 1s',
    '  timeout client 30m',
    '  timeout server 30m',
    '  timeout check 1s',
    '',
    'listen postgres',
    `  bind 127.0.0.1:${port}`,
    '  option httpchk GET /primary',
    '  http-check expect status 200',
    '  default-server inter 500ms fastinter 250ms downinter 500ms fall 2 rise 1 on-marked-down shutdown-sessions',
    ...servers,
    '',
  ].join('\n')
}

/**
 * pgBackRest: the repository lives in B1; every member is listed so a backup finds the primary and,
 * with backup-standby, copies files from a standby. All local (no SSH): the lab is one machine.
 */
export function pgbackrestConfig(state: LabState): string {
  const b = state.backup
  const lines = [
    '[global]',
    `repo1-path=${b.repo}`,
    'repo1-retention-full=3',
    `log-path=${join(state.centers.B1.dir, 'pgbackrest-log')}`,
    `lock-path=${join(state.centers.B1.dir, 'pgbackrest-lock')}`,
    `spool-path=${join(state.centers.B1.dir, 'pgbackrest-spool')}`,
    'log-level-console=warn',
    'log-level-file=info',
    'start-fast=y',
    'compress-type=lz4',
    'archive-timeout=30',
    'db-timeout=30',
    'process-max=1',
    '',
    `[${b.stanza}]`,
  ]
  let i = 1
  for (const c of Object.values(state.centers)) {
    lines.push(`pg${i}-path=${c.postgres.dataDir}`, `pg${i}-port=${c.postgres.port}`, `pg${i}-socket-path=${c.postgres.socketDir}`)
    i += 1
  }
  lines.push('')
  return lines.join('\n')
}

/** A libpq URL for one member, straight to its port. */
export function memberUrl(state: LabState, center: CenterName, database = state.database): string {
  return `postgres://postgres@127.0.0.1:${state.centers[center].postgres.port}/${database}`
}
