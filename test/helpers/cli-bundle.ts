/**
 * The CLI as a separate process, bundled from src/ with the flags of
 * scripts/build.mjs (so it is never stale); COMPOSE_PERSIST_CLI=dist/cli.js
 * tests the built file instead. For tests that need a real process: kills,
 * file descriptors, a FIFO that would hang the test worker.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export function bundleCli(dir: string): string {
  if (process.env.COMPOSE_PERSIST_CLI) return resolve(process.env.COMPOSE_PERSIST_CLI);
  // The entry scripts/build.mjs bundles (src/cli/bin.ts; older trees ran main.ts when argv[1] named the CLI).
  const entry = existsSync(resolve('src/cli/bin.ts')) ? resolve('src/cli/bin.ts') : resolve('src/cli/main.ts');
  const cliPath = join(dir, 'compose-persist');
  execFileSync(
    resolve('node_modules/.bin/esbuild'),
    [
      entry, '--bundle', '--platform=node', '--format=esm', '--target=node20', '--log-level=error', `--outfile=${cliPath}`,
      '--banner:js=import { createRequire as __cpCreateRequire } from "node:module"; const require = __cpCreateRequire(import.meta.url);',
    ],
    { stdio: 'inherit' },
  );
  // Fail early (not with puzzling failures later) when the bundle does not run the CLI.
  const version = spawnSync(process.execPath, [cliPath, '--version'], { encoding: 'utf8' });
  if (!/\d+\.\d+\.\d+/.test(version.stdout)) throw new Error(`the bundled CLI does not run: ${version.stdout}${version.stderr}`);
  return cliPath;
}
