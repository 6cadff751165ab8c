import { join } from 'node:path'
import { openStore, verifyAuditTrail } from '@suanpan/control-plane'
import { CliError } from './http'
import type { Output } from './output'

/**
 * `suanpan audit verify`: read the audit trail straight from the store (not through the control plane
 * being audited) and check its hash chain. Exit status 1 when anything was edited or removed.
 */
export async function auditVerify(options: { dataDir: string; databaseUrl?: string; head?: string }, out: Output): Promise<boolean> {
  let expectHead: { seq: number; hash: string } | undefined
  if (options.head) {
    const m = /^(\d+):(sha256:[0-9a-f]{64})$/.exec(options.head)
    if (!m) throw new CliError('--head must be SEQ:sha256:<64 hex>, as printed by an earlier verify')
    expectHead = { seq: Number(m[1]), hash: m[2] ?? '' }
  }
  const store = await openStore({ sqlitePath: join(options.dataDir, 'suanpan.db'), databaseUrl: options.databaseUrl || null })
  try {
    const result = await verifyAuditTrail(store, expectHead)
    const lines = [
      result.ok
        ? `audit trail intact: ${result.records} records`
        : `AUDIT TRAIL BROKEN: ${result.problems.length} problems in ${result.records} records`,
      ...result.problems.map((p) => `  record ${p.seq}: ${p.problem}`),
      result.head
        ? `head ${result.head.seq}:${result.head.hash} (keep it; pass --head to catch a later cut of the tail)`
        : 'no records yet',
    ]
    out.result('audit-verify', result, lines.join('\n'))
    return result.ok
  } finally {
    await store.close()
  }
}
