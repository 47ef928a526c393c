// Shared afterAll of the pattern files. Kept out of lib.ts, which the global setup imports
// (vitest's expect is only available inside test files).
import fs from 'node:fs';
import { expect } from 'vitest';
import type { Project } from './lib.js';

/** Take the project down, assert nothing of it is left, drop its work dir. */
export function destroyProject(p: Project | undefined): void {
  if (!p) return;
  p.destroy();
  expect(p.objects()).toEqual({ containers: [], volumes: [], networks: [] });
  fs.rmSync(p.built.workDir, { recursive: true, force: true });
}
