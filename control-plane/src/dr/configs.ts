// Configuration files and command lines of the engines the lab runs: etcd, Patroni, HAProxy, pgBackRest.
// Pure functions of the lab state, so they can be read and tested without starting anything.
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
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

/** The etcd member of a center; `forceNewCluster` turns a lone survivor into a one-member cluster. */
export function etcdArgs(state: LabState, center: CenterName, options: { forceNewCluster?: boolean } = {}): string[] {
  const m = state.centers[center].etcd
  const initial = Object.values(state.centers)
    .map((c) => `${c.etcd.name}=http://127.0.0.1:${c.etcd.peerPort}`)
    .join(',')
  const args = [
    '--name',
    m.name,
    '--data-dir',
    m.dataDir,
    '--listen-client-urls',
    `http://127.0.0.1:${m.clientPort}`,
    '--advertise-client-urls',
    `http://127.0.0.1:${m.clientPort}`,
    '--listen-peer-urls',
    `http://127.0.0.1:${m.peerPort}`,
    '--initial-advertise-peer-urls',
    `http://127.0.0.1:${m.peerPort}`,
    '--initial-cluster',
    options.forceNewCluster ? `${m.name}=http://127.0.0.1:${m.peerPort}` : initial,
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

export function etcdHosts(state: LabState, only?: CenterName[]): string[] {
  return Object.values(state.centers)
    .filter((c) => !only || only.includes(c.name))
    .map((c) => `127.0.0.1:${c.etcd.clientPort}`)
}

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
    restapi: { listen: `127.0.0.1:${c.postgres.restPort}`, connect_address: `127.0.0.1:${c.postgres.restPort}` },
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
            shared_buffers: '32MB',
          },
        },
      },
      initdb: [{ encoding: 'UTF8' }, { locale: 'C' }, 'data-checksums'],
    },
    postgresql: {
      listen: `127.0.0.1:${c.postgres.port}`,
      connect_address: `127.0.0.1:${c.postgres.port}`,
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
 * routing for the lab.)
 */
export function haproxyConfig(state: LabState, port: number, members: CenterState[] = Object.values(state.centers)): string {
  const servers = members.map((m) => `  server ${lower(m.name)} 127.0.0.1:${m.postgres.port} check port ${m.postgres.restPort}`)
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
