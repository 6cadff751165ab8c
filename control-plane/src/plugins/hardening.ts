import { createHash } from 'node:crypto'
import helmet, { type FastifyHelmetOptions } from '@fastify/helmet'
import rateLimit from '@fastify/rate-limit'
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
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

const HELMET: FastifyHelmetOptions = {
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
}

/**
 * The headers @fastify/helmet sets with these options, computed once. The plugin builds helmet's middleware afresh
 * for every request (parsing the CSP directives each time: about 5 % of the CPU of a small API request); the headers
 * do not depend on the request (no CSP nonces), so they are read off one request to a throwaway instance with the
 * plugin and set on every reply. helmet stays the one source of what they are.
 */
async function securityHeaders(options: FastifyHelmetOptions): Promise<[string, string][]> {
  const probe = Fastify({ logger: false })
  const plain = Fastify({ logger: false })
  try {
    await probe.register(helmet, options)
    for (const instance of [probe, plain]) instance.get('/', async () => '')
    const [withHelmet, without] = await Promise.all([probe.inject('/'), plain.inject('/')])
    return Object.entries(withHelmet.headers)
      .filter(([name, value]) => value !== undefined && !(name in without.headers))
      .map(([name, value]) => [name, String(value)])
  } finally {
    await Promise.all([probe.close(), plain.close()])
  }
}

/**
 * Security headers (a strict CSP for the console: scripts only from this origin; antd's CSS-in-JS needs
 * inline styles), no CORS headers at all (cross-origin browsers are refused by default), and a rate
 * limit per token or address answered with 429 and Retry-After.
 */
export async function registerHardening(app: FastifyInstance, options: { ratePerMinute: number }): Promise<void> {
  const headers = await securityHeaders(HELMET)
  app.addHook('onRequest', (_request, reply, done) => {
    for (const [name, value] of headers) reply.raw.setHeader(name, value)
    done()
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
