// Real-engine end-to-end suite: `npx vitest run --config vitest.e2e.config.ts`
// (needs a Docker engine and Compose; the suite makes its test images itself and leaves the
// engine as it found it). See test/e2e/README.md.
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Files run in name order (00-config ... 90-plugin). 85-swarm and 90-plugin run last, on
 * the suite's private dockerd (or a disposable engine): the engine keeps a legacy volume
 * plugin registered after its socket is gone, and from then on every volume lookup
 * retries it for about 15 s (until the daemon restarts).
 */
class ByName extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
  }
}

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/e2e/global-setup.ts'],
    // one engine, one pattern at a time: files and tests run sequentially
    fileParallelism: false,
    maxWorkers: 1,
    pool: 'forks',
    sequence: { concurrent: false, shuffle: false, sequencer: ByName },
    testTimeout: 300_000,
    hookTimeout: 300_000,
    teardownTimeout: 120_000,
    reporters: ['default'],
  },
});
