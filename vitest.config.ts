import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    testTimeout: 20000,
    // Type-level tests (test/types/*.test-d.ts): tsc checks them with test/types/tsconfig.json
    // as part of every run (the root tsconfig compiles src/ only).
    typecheck: { enabled: true, include: ['test/types/**/*.test-d.ts'], tsconfig: './test/types/tsconfig.json' },
  },
});
