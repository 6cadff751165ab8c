import type { FastifyError, FastifyInstance } from 'fastify'
import { LedgerError } from '../ledger/errors'
import type { ApiError } from '../schemas'

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
}

export function apiError(statusCode: number, code: string, message: string, fields?: ApiError['fields']): ApiError {
  return { statusCode, code, error: REASONS[statusCode] ?? 'Error', message, ...(fields ? { fields } : {}) }
}

/** One error handler: 4xx say which field is wrong; 5xx hide internals and log them. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof LedgerError) {
      return reply.status(error.statusCode).send(apiError(error.statusCode, error.code, error.message, error.fields))
    }
    if (error.validation) {
      const part = error.validationContext ?? 'body'
      const fields = error.validation.map((v) => ({ path: v.instancePath || '/', message: v.message ?? 'invalid' }))
      const first = fields[0]
      return reply
        .status(400)
        .send(
          apiError(400, 'SCHEMA_VIOLATION', `${part}${first?.path === '/' ? '' : first?.path} ${first?.message ?? 'is invalid'}`, fields),
        )
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply
        .status(413)
        .send(apiError(413, 'BODY_TOO_LARGE', `request body exceeds the limit of ${request.routeOptions.bodyLimit} bytes`))
    }
    const status = error.statusCode ?? 500
    if (status >= 400 && status < 500) {
      return reply.status(status).send(apiError(status, error.code ?? 'BAD_REQUEST', error.message))
    }
    request.log.error({ err: error }, 'request failed')
    return reply.status(500).send(apiError(500, 'INTERNAL', 'internal error; see the control-plane log'))
  })
}
