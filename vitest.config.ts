import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['control-plane/src/**/*.test.ts', 'agents/src/**/*.test.ts', 'cli/src/**/*.test.ts', '{test,infra/test}/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    globalSetup: ['test/support/global-setup.ts'],
  },
})
