// Assertions the pattern files share. Kept out of lib.ts, which the global setup imports
// (vitest's expect is only available inside test files).
import fs from 'node:fs';
import { expect } from 'vitest';
import type { Project, RecreateResult } from './lib.js';

/** Every watched container was recreated, and runs the image it was switched to. */
export function expectRecreatedOnNewImage(r: RecreateResult): void {
  for (const c of Object.values(r.containers)) {
    expect(c.recreated).toBe(true);
    expect(c.onNewImage).toBe(true);
  }
}

/** Take the project down, assert nothing of it is left, drop its work dir. */
export function destroyProject(p: Project | undefined): void {
  if (!p) return;
  p.destroy();
  expect(p.objects()).toEqual({ containers: [], volumes: [], networks: [] });
  fs.rmSync(p.built.workDir, { recursive: true, force: true });
}
