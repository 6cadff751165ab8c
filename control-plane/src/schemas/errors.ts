import { type Static, Type } from 'typebox'

/** Every 4xx/5xx body: a stable code, a message a person can act on, and the JSON paths at fault. */
export const ErrorSchema = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String(),
  error: Type.String(),
  message: Type.String(),
  fields: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
})
export type ApiError = Static<typeof ErrorSchema>
