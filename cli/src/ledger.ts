import type { LedgerResponse, Regions } from '@suanpan/control-plane/schemas'
import { formatLedger, regionLabels } from './format'
import { CliError, requestJson } from './http'

export interface LedgerOptions {
  url: string
  by: string
  filters: string[]
  json: boolean
}

export async function ledger(options: LedgerOptions): Promise<void> {
  // The terminal shows every group, not the API's default page.
  const params = new URLSearchParams({ groupBy: options.by, limit: '10000' })
  for (const f of options.filters) {
    const [dim, values] = f.split('=', 2)
    if (!dim || !values) throw new CliError(`--filter ${f}: expected dimension=value[,value]`)
    params.set(dim, values)
  }
  const base = options.url.replace(/\/$/, '')
  const response = await requestJson<LedgerResponse>(`${base}/api/v1/ledger?${params}`)
  if (options.json) {
    process.stdout.write(`${JSON.stringify(response, null, 2)}\n`)
    return
  }
  const regions = await requestJson<Regions>(`${base}/api/v1/regions`)
  process.stdout.write(`${formatLedger(response, regionLabels(regions))}\n`)
}
