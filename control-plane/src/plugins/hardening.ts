import { createHash } from 'node:crypto'
import helmet from '@fastify/helmet'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { apiError } from './errors'

/** Paths pino replaces with [REDACTED] in every log line. */
export const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
]

/** Rate-limit key: the bearer token (hashed, never kept in clear), else the client address. */
function keyOf(request: FastifyRequest): string {
  const header = request.headers.authorization
  if (header) return `t:${createHash('sha256').update(header).digest('hex').slice(0, 32)}`
  return `ip:${request.ip}`
}

/**
 * Security headers (a strict CSP for the console: scripts only from this origin; antd's CSS-in-JS needs
 * inline styles), no CORS headers at all (cross-origin browsers are refused by default), and a rate
 * limit per token or address answered with 429 and Retry-After.
 */
export async function registerHardening(app: FastifyInstance, options: { ratePerMinute: number }): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
    },
    // TLS ends at the ingress in front of the control plane; it sets HSTS.
    strictTransportSecurity: false,
    crossOriginEmbedderPolicy: false,
  })
  if (options.ratePerMinute > 0) {
    await app.register(rateLimit, {
      max: options.ratePerMinute,
      timeWindow: 60_000,
      keyGenerator: keyOf,
      errorResponseBuilder: (_request, context) => ({
        ...apiError(
          429,
          'RATE_LIMITED',
          `more than ${context.max} requests a minute from this token or address; retry in ${Math.ceil(context.ttl / 1000)} s`,
        ),
        // The rate-limit plugin throws what this returns: keep the status with it.
        statusCode: 429,
      }),
    })
  }
}
