import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { constants, gzipSync } from 'node:zlib'
import type { Plugin, ResolvedConfig } from 'vite'

const COMPRESSIBLE = /\.(js|css|html|svg)$/

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) yield* files(path)
    else yield path
  }
}

/**
 * Writes `name.gz` beside every text asset of the build so the control plane (@fastify/static with
 * `preCompressed: true`) sends them without compressing on each request.
 */
export function gzipAssets(): Plugin {
  let config: ResolvedConfig | null = null
  return {
    name: 'suanpan:gzip-assets',
    apply: 'build',
    configResolved(resolved) {
      config = resolved
    },
    closeBundle() {
      if (!config) return
      const outDir = join(config.root, config.build.outDir)
      let count = 0
      for (const path of files(outDir)) {
        if (!COMPRESSIBLE.test(path)) continue
        writeFileSync(`${path}.gz`, gzipSync(readFileSync(path), { level: constants.Z_BEST_COMPRESSION }))
        count++
      }
      config.logger.info(`gzip-assets: wrote ${count} .gz files (level 9)`)
    },
  }
}
