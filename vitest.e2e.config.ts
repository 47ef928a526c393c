// Real-engine end-to-end suite: `npx vitest run --config vitest.e2e.config.ts`
// (needs a Docker engine: scripts/engine-setup.sh). See test/e2e/README.md.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/e2e/global-setup.ts'],
    // one engine, one pattern at a time: files and tests run sequentially
    fileParallelism: false,
    maxWorkers: 1,
    pool: 'forks',
    sequence: { concurrent: false, shuffle: false },
    testTimeout: 300_000,
    hookTimeout: 300_000,
    teardownTimeout: 120_000,
    reporters: ['default'],
  },
});
