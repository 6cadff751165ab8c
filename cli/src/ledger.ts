import type { LedgerResponse } from '@suanpan/control-plane/schemas'
import { formatLedger } from './format'
import { CliError, requestJson } from './http'

export interface LedgerOptions {
  url: string
  by: string
  filters: string[]
  json: boolean
}

export async function ledger(options: LedgerOptions): Promise<void> {
  const params = new URLSearchParams({ groupBy: options.by })
  for (const f of options.filters) {
    const [dim, values] = f.split('=', 2)
    if (!dim || !values) throw new CliError(`--filter ${f}: expected dimension=value[,value]`)
    params.set(dim, values)
  }
  const response = await requestJson<LedgerResponse>(`${options.url.replace(/\/$/, '')}/api/v1/ledger?${params}`)
  process.stdout.write(options.json ? `${JSON.stringify(response, null, 2)}\n` : `${formatLedger(response)}\n`)
}
