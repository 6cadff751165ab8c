import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'
import { firstRouteBudget } from './scripts/first-route-budget.ts'
import { gzipAssets } from './scripts/gzip-assets.ts'

// The dev server forwards the API to a running control plane (`npm start` listens on 8080).
const apiUrl = process.env.SUANPAN_API_URL ?? 'http://127.0.0.1:8080'

export default defineConfig({
  plugins: [react(), firstRouteBudget({ page: 'src/pages/overview-page.tsx', maxKb: 350 }), gzipAssets()],
  server: { proxy: { '/api': { target: apiUrl, changeOrigin: true } } },
  preview: { proxy: { '/api': { target: apiUrl, changeOrigin: true } } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    rolldownOptions: {
      output: {
        // Libraries that change rarely get their own long-cached chunks with names that say what they are.
        // antd stays split by component, so pages load only the components they use.
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/, priority: 30 },
            { name: 'router', test: /node_modules[\\/]react-router[\\/]/, priority: 20 },
            // Mutations and infinite queries (census and audit pages only) stay with the pages that use them.
            {
              name: 'query',
              test: /node_modules[\\/]@tanstack[\\/](?!.*(useMutation|mutationObserver|useInfiniteQuery|infiniteQueryObserver))/,
              priority: 20,
            },
            {
              name: 'charts',
              test: /node_modules[\\/](recharts|d3-[^\\/]+|victory-vendor|@reduxjs|immer|reselect|react-redux|redux|es-toolkit|decimal\.js-light|eventemitter3|tiny-invariant|use-sync-external-store)[\\/]/,
              priority: 10,
            },
          ],
        },
      },
    },
  },
})
