import { type Static, Type } from 'typebox'

export const AuditRecordSchema = Type.Object({
  seq: Type.Integer(),
  at: Type.String(),
  actor: Type.String(),
  action: Type.String(),
  target: Type.String(),
  scope: Type.String(),
  outcome: Type.String(),
  status: Type.Integer(),
  requestId: Type.String(),
  detail: Type.Record(Type.String(), Type.Unknown()),
  prevHash: Type.String(),
  hash: Type.String(),
})
export type AuditRecord = Static<typeof AuditRecordSchema>

export const AuditListSchema = Type.Object({ records: Type.Array(AuditRecordSchema) })

export const AuditVerifySchema = Type.Object({
  ok: Type.Boolean(),
  records: Type.Integer(),
  head: Type.Union([Type.Object({ seq: Type.Integer(), hash: Type.String() }), Type.Null()]),
  problems: Type.Array(Type.Object({ seq: Type.Integer(), problem: Type.String() })),
})
