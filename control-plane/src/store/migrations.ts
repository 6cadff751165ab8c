import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely'

const dbl = 'double precision'

/** One migration set for SQLite and PostgreSQL: only types both understand. */
export const migrations: Record<string, Migration> = {
  '0001_ledger': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('clusters')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('site', 'text', (c) => c.notNull())
        .addColumn('site_name', 'text')
        .addColumn('province', 'text', (c) => c.notNull())
        .addColumn('city', 'text', (c) => c.notNull())
        .addColumn('city_code', 'text')
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('ministry', 'text')
        .addColumn('hub', 'text')
        .addColumn('token_hash', 'text', (c) => c.notNull())
        .addColumn('registered_at', 'bigint', (c) => c.notNull())
        .addColumn('last_sequence', 'bigint')
        .addColumn('last_report_at', 'bigint')
        .execute()
      await db.schema
        .createTable('report_log')
        .addColumn('cluster_id', 'text', (c) => c.notNull())
        .addColumn('sequence', 'bigint', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .addColumn('ack', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('report_log_pk', ['cluster_id', 'sequence'])
        .execute()
      await db.schema.createIndex('report_log_received_at').on('report_log').column('received_at').execute()
      await db.schema
        .createTable('cluster_state')
        .addColumn('cluster_id', 'text', (c) => c.primaryKey())
        .addColumn('full_sequence', 'bigint', (c) => c.notNull())
        .addColumn('full_received_at', 'bigint', (c) => c.notNull())
        .addColumn('usage_sequence', 'bigint')
        .addColumn('usage_received_at', 'bigint')
        .addColumn('report_timestamp', 'bigint', (c) => c.notNull())
        .addColumn('node_count', 'integer', (c) => c.notNull())
        .addColumn('inventory', 'text', (c) => c.notNull())
        .addColumn('storage_capacity_bytes', dbl, (c) => c.notNull())
        .addColumn('storage_used_bytes', dbl)
        .addColumn('it_power_kw', dbl)
        .addColumn('pue', dbl)
        .addColumn('green_share', dbl)
        .addColumn('carbon_intensity', dbl)
        .execute()
      let rows = db.schema
        .createTable('ledger_rows')
        .addColumn('cluster_id', 'text', (c) => c.notNull())
        .addColumn('row_key', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('vendor', 'text', (c) => c.notNull())
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('arch', 'text', (c) => c.notNull())
        .addColumn('domestic', 'integer', (c) => c.notNull())
      for (const column of LEDGER_ROW_MEASURES_V1) rows = rows.addColumn(column, dbl, (c) => c.notNull())
      await rows.addPrimaryKeyConstraint('ledger_rows_pk', ['cluster_id', 'row_key']).execute()
    },
  },
  '0002_history': {
    async up(db: Kysely<unknown>) {
      let samples = db.schema
        .createTable('history_samples')
        .addColumn('ts', 'bigint', (c) => c.notNull())
        .addColumn('cluster_id', 'text', (c) => c.notNull())
      for (const column of HISTORY_SAMPLE_MEASURES) samples = samples.addColumn(column, dbl, (c) => c.notNull())
      for (const column of HISTORY_SAMPLE_ENERGY) samples = samples.addColumn(column, dbl)
      await samples.addPrimaryKeyConstraint('history_samples_pk', ['ts', 'cluster_id']).execute()
      await db.schema.createIndex('history_samples_cluster').on('history_samples').columns(['cluster_id', 'ts']).execute()
      await db.schema
        .createTable('history_accelerators')
        .addColumn('ts', 'bigint', (c) => c.notNull())
        .addColumn('cluster_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('vendor', 'text', (c) => c.notNull())
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('domestic', 'integer', (c) => c.notNull())
        .addColumn('devices', dbl, (c) => c.notNull())
        .addColumn('acc_in_use', dbl, (c) => c.notNull())
        .addColumn('acc_in_use_alloc', dbl, (c) => c.notNull())
        .addPrimaryKeyConstraint('history_accelerators_pk', ['ts', 'cluster_id', 'kind', 'vendor', 'model'])
        .execute()
    },
  },
  '0003_censuses': {
    async up(db: Kysely<unknown>) {
      // Append-only: the application has no statement that updates or deletes a census.
      await db.schema
        .createTable('censuses')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('period', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('digest', 'text', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('document', 'text', (c) => c.notNull())
        .execute()
    },
  },
  '0004_scheduled_runs': {
    async up(db: Kysely<unknown>) {
      // One row per (job, slot): inserting it is the claim, so a slot runs once across restarts and instances.
      await db.schema
        .createTable('scheduled_runs')
        .addColumn('job', 'text', (c) => c.notNull())
        .addColumn('slot', 'text', (c) => c.notNull())
        .addColumn('claimed_at', 'bigint', (c) => c.notNull())
        .addColumn('claimed_by', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'bigint')
        .addColumn('outcome', 'text')
        .addColumn('detail', 'text')
        .addPrimaryKeyConstraint('scheduled_runs_pk', ['job', 'slot'])
        .execute()
    },
  },
  '0005_stranded_accelerators': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('ledger_rows')
        .addColumn('acc_stranded', dbl, (c) => c.notNull().defaultTo(0))
        .execute()
    },
  },
  '0006_audit_log': {
    async up(db: Kysely<unknown>) {
      // Append-only and hash-chained: each record carries the hash of the one before it.
      await db.schema
        .createTable('audit_log')
        .addColumn('seq', 'bigint', (c) => c.primaryKey())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute()
    },
  },
  '0007_workloads': {
    async up(db: Kysely<unknown>) {
      // A workload as submitted (spec) and as it stands (state, last decision); the engine's memory is rebuilt from it.
      await db.schema
        .createTable('workloads')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text')
        .addColumn('department', 'text', (c) => c.notNull())
        .addColumn('owner_region', 'text', (c) => c.notNull())
        .addColumn('priority', 'integer', (c) => c.notNull())
        .addColumn('replicas', 'integer', (c) => c.notNull())
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('acc_kind', 'text')
        .addColumn('acc_per_replica', 'integer', (c) => c.notNull())
        .addColumn('spec', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('message', 'text')
        .addColumn('submitted_at', 'bigint', (c) => c.notNull())
        .addColumn('decided_at', 'bigint')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('explanation', 'text')
        .addColumn('decisions', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('workloads_state').on('workloads').columns(['state', 'submitted_at']).execute()
      await db.schema.createIndex('workloads_department').on('workloads').columns(['department', 'submitted_at']).execute()
      // One row per (workload, cluster): what that cluster's agent applies and what it reported.
      await db.schema
        .createTable('workload_assignments')
        .addColumn('workload_id', 'text', (c) => c.notNull())
        .addColumn('cluster_id', 'text', (c) => c.notNull())
        .addColumn('replicas', 'integer', (c) => c.notNull())
        .addColumn('devices', dbl, (c) => c.notNull())
        .addColumn('class_key', 'text')
        .addColumn('model', 'text')
        .addColumn('fp16_tflops', dbl, (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('message', 'text')
        .addColumn('ready_replicas', 'integer')
        .addColumn('assigned_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('workload_assignments_pk', ['workload_id', 'cluster_id'])
        .execute()
      await db.schema.createIndex('workload_assignments_cluster').on('workload_assignments').columns(['cluster_id', 'state']).execute()
    },
  },
  '0008_cluster_token_grace': {
    async up(db: Kysely<unknown>) {
      // After a rotation the old token keeps working until previous_token_expires_at (the agent's grace period).
      await db.schema.alterTable('clusters').addColumn('previous_token_hash', 'text').execute()
      await db.schema.alterTable('clusters').addColumn('previous_token_expires_at', 'bigint').execute()
      await db.schema.createIndex('clusters_previous_token_hash').on('clusters').column('previous_token_hash').execute()
    },
  },
  '0009_users': {
    async up(db: Kysely<unknown>) {
      // Accounts with a role and a scope (national, a province code, ministry:<name>); passwords as scrypt hashes.
      await db.schema
        .createTable('users')
        .addColumn('username', 'text', (c) => c.primaryKey())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('disabled_at', 'bigint')
        .execute()
      // API tokens and console sessions, by SHA-256 hash; a session also keeps its CSRF token's hash.
      await db.schema
        .createTable('user_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('csrf_hash', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute()
    },
  },
  '0010_drills': {
    async up(db: Kysely<unknown>) {
      // Every failover drill the control plane ran, was asked to run, or should have run (a scheduled time that
      // passed while no control plane was up: status 'missed'). The report is the drill's JSON as produced.
      await db.schema
        .createTable('drill_runs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('scenario', 'text', (c) => c.notNull())
        .addColumn('trigger', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('schedule_id', 'text')
        .addColumn('scheduled_for', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('started_at', 'bigint')
        .addColumn('finished_at', 'bigint')
        .addColumn('verdict', 'text')
        .addColumn('rto_seconds', dbl)
        .addColumn('rpo_writes', 'integer')
        .addColumn('level', 'integer')
        .addColumn('report_id', 'text')
        .addColumn('report', 'text')
        .addColumn('detail', 'text')
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('claimed_by', 'text', (c) => c.notNull())
        .execute()
      // The lease of a scheduled run: one row per (schedule, due time), so across restarts and control-plane
      // instances a due time is claimed once. Manual runs have neither, and NULLs never collide.
      await db.schema.createIndex('drill_runs_due').on('drill_runs').columns(['schedule_id', 'scheduled_for']).unique().execute()
      await db.schema.createIndex('drill_runs_created_at').on('drill_runs').column('created_at').execute()
      await db.schema
        .createTable('drill_schedules')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('scenario', 'text', (c) => c.notNull())
        .addColumn('cron', 'text', (c) => c.notNull())
        .addColumn('timezone', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute()
    },
  },
  // Written at the same time as 0010_drills: the two touch different tables and may reach a store in either order
  // (the migrator allows that, see migrateToLatest).
  '0011_approvals': {
    async up(db: Kysely<unknown>) {
      // Two-person rule (access/approvals.ts): a high-risk action waits here until a second person decides it.
      // `params` and `result` are JSON text; `scope` is the target's region (a province code, or national).
      await db.schema
        .createTable('approval_requests')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('params', 'text', (c) => c.notNull())
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('requested_at', 'bigint', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('decided_by', 'text')
        .addColumn('decided_at', 'bigint')
        .addColumn('reason', 'text')
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('executed_at', 'bigint')
        .addColumn('result', 'text')
        .execute()
      await db.schema.createIndex('approval_requests_status').on('approval_requests').columns(['status', 'requested_at']).execute()
      await db.schema.createIndex('approval_requests_target').on('approval_requests').columns(['action', 'target', 'status']).execute()
      // A deleted cluster keeps its row (history queries find its location through it) with the time it was deleted;
      // it is out of the ledger, the cluster list and authentication (its tokens are revoked when it is deleted).
      await db.schema.alterTable('clusters').addColumn('deleted_at', 'bigint').execute()
    },
  },
  '0012_clusters_token_hash': {
    async up(db: Kysely<unknown>) {
      // Every report authenticates by its token's hash: without an index that was a scan of all clusters.
      await db.schema.createIndex('clusters_token_hash').on('clusters').column('token_hash').execute()
    },
  },
  '0014_history_rollups': {
    async up(db: Kysely<unknown>) {
      // history/rollups.ts: sums per step by location dimension, and nationally per accelerator model. Existing
      // history is rolled up when a question first covers it (RollupIndex), not here: a large store upgrades fast.
      let rollups = db.schema
        .createTable('history_rollups')
        .addColumn('ts', 'bigint', (c) => c.notNull())
        .addColumn('dim', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('clusters', dbl, (c) => c.notNull())
      for (const column of ['cpu_alloc', 'cpu_req', 'cpu_used', 'cpu_used_alloc', 'mem_alloc', 'mem_req', 'acc_in_use', 'acc_in_use_alloc'])
        rollups = rollups.addColumn(column, dbl, (c) => c.notNull())
      for (const column of ['it', 'facility', 'green_it', 'green', 'carbon_it', 'carbon']) rollups = rollups.addColumn(column, dbl)
      await rollups.addPrimaryKeyConstraint('history_rollups_pk', ['dim', 'ts', 'value']).execute()
      await db.schema.createIndex('history_rollups_ts').on('history_rollups').column('ts').execute()
      await db.schema
        .createTable('history_accelerator_rollups')
        .addColumn('ts', 'bigint', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('vendor', 'text', (c) => c.notNull())
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('domestic', 'integer', (c) => c.notNull())
        .addColumn('devices', dbl, (c) => c.notNull())
        .addColumn('acc_in_use', dbl, (c) => c.notNull())
        .addColumn('acc_in_use_alloc', dbl, (c) => c.notNull())
        .addPrimaryKeyConstraint('history_accelerator_rollups_pk', ['ts', 'kind', 'vendor', 'model'])
        .execute()
    },
  },
}

/** The numeric columns ledger_rows was created with (migration 0001: frozen). */
const LEDGER_ROW_MEASURES_V1 = [
  'nodes',
  'devices',
  'virtual_devices',
  'cpu_cores',
  'memory_bytes',
  'fp64_tflops',
  'fp32_tflops',
  'fp16_tflops',
  'int8_tops',
  'fp64_missing',
  'fp32_missing',
  'fp16_missing',
  'int8_missing',
  'cpu_alloc_millis',
  'cpu_req_millis',
  'cpu_used_millis',
  'cpu_used_alloc_millis',
  'mem_alloc_bytes',
  'mem_req_bytes',
  'mem_used_bytes',
  'mem_used_alloc_bytes',
  'acc_alloc',
  'acc_in_use',
  'acc_in_use_alloc',
] as const

/** Numeric columns of ledger_rows, in insert order. */
export const LEDGER_ROW_MEASURES = [
  ...LEDGER_ROW_MEASURES_V1,
  /** Free accelerators on nodes without the CPU or memory left to use them (see ledger/rows.ts). */
  'acc_stranded',
] as const

/** Per-cluster sums kept at every history sample (same units as ledger_rows). */
export const HISTORY_SAMPLE_MEASURES = [
  'cpu_alloc_millis',
  'cpu_req_millis',
  'cpu_used_millis',
  'cpu_used_alloc_millis',
  'mem_alloc_bytes',
  'mem_req_bytes',
  'acc_alloc',
  'acc_in_use',
  'acc_in_use_alloc',
] as const

/** Site-level energy of the cluster at the sample, null when it reports none. */
export const HISTORY_SAMPLE_ENERGY = ['it_power_kw', 'pue', 'green_share', 'carbon_intensity'] as const

/**
 * Apply every migration not applied yet, in name order. Migrations written at the same time on different branches
 * (0010_drills and 0011_approvals) can reach a store in either order: a store that already has 0011 still gets
 * 0010 when it arrives (allowUnorderedMigrations), instead of refusing to start. Each migration must therefore
 * depend on nothing but the migrations numbered below it that every branch had (here: up to 0009).
 * `set` is for tests (a migration added later); the control plane always runs the set above.
 */
export async function migrateToLatest(db: Kysely<unknown>, set: Record<string, Migration> = migrations): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => set }
  const migrator = new Migrator({ db, provider, allowUnorderedMigrations: true })
  const { error, results } = await migrator.migrateToLatest()
  const failed = results?.find((r) => r.status === 'Error')
  if (error || failed) {
    throw new Error(`migration ${failed?.migrationName ?? ''} failed`, { cause: error })
  }
}
