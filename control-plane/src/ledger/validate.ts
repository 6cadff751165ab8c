import { Compile } from 'typebox/compile'
import { FullReportSchema, type Report, UsageReportSchema } from '../schemas'
import { LedgerError } from './errors'

const checkFull = Compile(FullReportSchema)
const checkUsage = Compile(UsageReportSchema)
const MAX_FIELD_ERRORS = 20

/** Validate against the schema the `kind` selects, so errors point at the real field, not at a union. */
export function validateReport(body: unknown): Report {
  const kind = typeof body === 'object' && body !== null ? (body as { kind?: unknown }).kind : undefined
  const check = kind === 'full' ? checkFull : kind === 'usage' ? checkUsage : null
  if (!check) {
    throw new LedgerError(400, 'SCHEMA_VIOLATION', 'body/kind must be "full" or "usage"', [
      { path: '/kind', message: 'must be "full" or "usage"' },
    ])
  }
  if (check.Check(body)) return body as Report
  const fields = check
    .Errors(body)
    .slice(0, MAX_FIELD_ERRORS)
    .map((e) => ({ path: e.instancePath || '/', message: e.message }))
  const first = fields[0]
  throw new LedgerError(400, 'SCHEMA_VIOLATION', `body${first?.path ?? ''} ${first?.message ?? 'is invalid'}`, fields)
}
