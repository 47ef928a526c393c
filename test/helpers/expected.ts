// Expected-output files (goldens, test/bad/*.expected.txt). A missing file is a failure,
// not a pass: writing it on the fly would make the first run of a new case check nothing.
// Only UPDATE=1 writes (or rewrites) them.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { expect } from 'vitest';

/** Whether this run (re)writes expected files: UPDATE set to anything but '' or '0'. */
export const updating = (env: NodeJS.ProcessEnv = process.env): boolean => !!env.UPDATE && env.UPDATE !== '0';

/**
 * The expected text of `file`: with UPDATE=1 `actual` is written first (so the test
 * compares equal); without it a missing file throws, naming the file and the fix.
 */
export function expectedText(file: string, actual: string, env: NodeJS.ProcessEnv = process.env): string {
  if (updating(env)) writeFileSync(file, actual);
  else if (!existsSync(file)) {
    throw new Error(`expected file missing: ${file} (create it with \`UPDATE=1 npx vitest run ${runningTestFile()}\`, then review it)`);
  }
  return readFileSync(file, 'utf8');
}

/** The test file being run, relative to the project (the command to write its expected files names it). */
function runningTestFile(): string {
  const path = expect.getState().testPath;
  return path ? relative(process.cwd(), path) : '<test file>';
}
