import { timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import '../audit/hook'
import { LedgerError } from '../ledger/errors'
import { hashToken } from '../ledger/tokens'

export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization
  if (!header) return null
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match?.[1] ?? null
}

/** Admin API guard until regional roles arrive: one admin token from config, compared in constant time. */
export function adminGuard(adminToken: string | null) {
  const expected = adminToken ? Buffer.from(hashToken(adminToken), 'hex') : null
  return async (request: FastifyRequest): Promise<void> => {
    if (!expected) throw new LedgerError(403, 'ADMIN_DISABLED', 'the admin API is disabled: set SUANPAN_ADMIN_TOKEN')
    const token = bearerToken(request)
    if (!token) throw new LedgerError(401, 'UNAUTHENTICATED', 'missing bearer token: send "authorization: Bearer <admin token>"')
    if (!timingSafeEqual(Buffer.from(hashToken(token), 'hex'), expected))
      throw new LedgerError(401, 'UNAUTHENTICATED', 'admin token is not valid')
    request.auditActor = 'admin'
  }
}
