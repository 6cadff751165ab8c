import { constants, gzipSync } from 'node:zlib'
import type { Plugin } from 'vite'

export interface FirstRouteBudgetOptions {
  /** Source file of the page the first route shows, relative to the Vite root (its lazy chunk counts). */
  page: string
  /** Gzip kilobytes (1 KB = 1024 bytes) of JavaScript the first route may load. */
  maxKb: number
}

interface ChunkLike {
  type: 'chunk'
  fileName: string
  code: string
  isEntry: boolean
  facadeModuleId: string | null
  imports: string[]
  dynamicImports: string[]
}

/**
 * Measures what the first route costs: the entry chunk that index.html loads with every chunk it
 * imports statically, plus the lazy chunk of the first page with everything it imports, statically or
 * lazily (all of it is fetched before that page is complete); each gzipped at level 9 like the shipped
 * `.gz` files. Other pages' lazy chunks are not counted. Fails the build over budget.
 */
export function firstRouteBudget(options: FirstRouteBudgetOptions): Plugin {
  return {
    name: 'suanpan:first-route-budget',
    apply: 'build',
    generateBundle(_output, bundle) {
      const chunks = new Map<string, ChunkLike>()
      for (const item of Object.values(bundle)) if (item.type === 'chunk') chunks.set(item.fileName, item as ChunkLike)
      const entries = [...chunks.values()].filter((c) => c.isEntry)
      const page = [...chunks.values()].find((c) => c.facadeModuleId?.endsWith(`/${options.page}`))
      if (!page) return this.error(`first-route-budget: no chunk for ${options.page}`)
      const seen = new Set<string>()
      const visit = (name: string, lazyToo: boolean) => {
        if (seen.has(name)) return
        seen.add(name)
        const chunk = chunks.get(name)
        for (const dep of chunk?.imports ?? []) visit(dep, lazyToo)
        if (lazyToo) for (const dep of chunk?.dynamicImports ?? []) visit(dep, lazyToo)
      }
      for (const entry of entries) visit(entry.fileName, false)
      // The page's own chunks again, in case the entry's walk already reached some of them.
      const fromPage = new Set<string>()
      const visitPage = (name: string) => {
        if (fromPage.has(name)) return
        fromPage.add(name)
        const chunk = chunks.get(name)
        for (const dep of [...(chunk?.imports ?? []), ...(chunk?.dynamicImports ?? [])]) visitPage(dep)
      }
      visitPage(page.fileName)
      for (const name of fromPage) seen.add(name)
      let bytes = 0
      const lines: string[] = []
      for (const name of [...seen].sort()) {
        const chunk = chunks.get(name)
        if (!chunk) continue
        const size = gzipSync(chunk.code, { level: constants.Z_BEST_COMPRESSION }).length
        bytes += size
        lines.push(`  ${name.padEnd(48)} ${(size / 1024).toFixed(1).padStart(7)} KB gzip`)
      }
      const kb = bytes / 1024
      const summary = `first route JS (index.html + ${options.page}): ${kb.toFixed(1)} KB gzip in ${seen.size} chunks (budget ${options.maxKb} KB)`
      this.info(`${summary}\n${lines.join('\n')}`)
      if (kb > options.maxKb) this.error(`${summary}: over budget`)
    },
  }
}
