import { existsSync } from 'node:fs'
import { join } from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'
import { apiError } from './errors'

/** Where `npm run build -w console` writes the console, seen from this file. */
export const DEFAULT_CONSOLE_DIR = new URL('../../../console/dist', import.meta.url).pathname

/**
 * Serve the built console at `/`. Hashed assets are cached for a year and sent gzip-compressed when
 * the build wrote `.gz` files; any other GET outside `/api` that accepts HTML gets `index.html`, so the
 * console's client-side routes can be deep-linked. Without a build, `/` says how to make one; with no directory
 * (SUANPAN_CONSOLE_DIR=none) every unknown route is a JSON 404.
 */
export async function registerConsole(app: FastifyInstance, dir: string | null): Promise<void> {
  const built = dir !== null && existsSync(join(dir, 'index.html'))
  if (built && dir) {
    await app.register(fastifyStatic, {
      root: dir,
      preCompressed: true,
      wildcard: false,
      index: false,
      cacheControl: false,
      setHeaders(res, path) {
        res.setHeader('cache-control', path.includes(`${join(dir, 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache')
      },
    })
  }
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/'
    const wantsPage =
      request.method === 'GET' &&
      !path.startsWith('/api/') &&
      !path.startsWith('/assets/') &&
      (request.headers.accept ?? '').includes('text/html')
    if (wantsPage && built) return reply.header('cache-control', 'no-cache').sendFile('index.html')
    if (wantsPage && dir) {
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send(`The console is not built. Run: npm run build -w console (looked in ${dir})\n`)
    }
    return reply.status(404).send(apiError(404, 'ROUTE_NOT_FOUND', `no route ${request.method} ${request.url}`))
  })
}
