// Decides once per run whether the engine suite runs, gives the run its id (the
// prefix of every project it makes) and checks at the end that nothing is left.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { CLI, docker, engineReachable, leftovers, randomId, removeLeftovers } from './lib.js';

declare module 'vitest' {
  export interface ProvidedContext {
    engine: boolean;
    runPrefix: string;
  }
}

let prefix = '';
let resultsFile = '';

export function setup(project: TestProject) {
  const engine = engineReachable();
  const ci = process.env.CI === 'true';
  if (!engine) {
    const line = 'e2e: SKIPPED: no Docker engine reachable (run scripts/engine-setup.sh)';
    if (ci) {
      throw new Error(`${line}; CI=true: the engine suite must run in CI`);
    }
    console.log(line);
  } else if (!fs.existsSync(CLI)) {
    throw new Error(`e2e: CLI not found at ${CLI}: run \`npm run build\` first`);
  }
  prefix = `cpe2e${randomId(6)}`;
  resultsFile = path.join(os.tmpdir(), `${prefix}-results.txt`);
  fs.writeFileSync(resultsFile, '');
  // workers inherit the environment of the main process
  process.env.CP_E2E_RESULTS = resultsFile;
  process.env.CP_E2E_PREFIX = prefix;
  project.provide('engine', engine);
  project.provide('runPrefix', prefix);
  if (engine) {
    console.log(`e2e: engine reachable; run prefix ${prefix}`);
    // a legacy volume plugin whose socket is gone stays registered in the engine and
    // makes every volume lookup retry it for ~15 s: the suite would take far longer
    const t0 = Date.now();
    docker(['volume', 'ls', '-q'], { timeoutMs: 60_000 });
    const s = (Date.now() - t0) / 1000;
    if (s > 5) {
      console.log(
        `e2e: WARNING: a volume listing took ${s.toFixed(0)} s: a volume plugin that is gone is still ` +
          'registered in the engine; every volume step will be that slow. Restart the engine ' +
          '(scripts/engine-setup.sh restarts the dockerd it started).',
      );
    }
  }
}

export function teardown() {
  const lines = fs.existsSync(resultsFile) ? fs.readFileSync(resultsFile, 'utf8').trim() : '';
  fs.rmSync(resultsFile, { force: true });
  if (lines) console.log(`\n===== e2e results (${prefix}) =====\n${lines}\n`);
  if (!engineReachable()) return;
  const left = leftovers(prefix);
  const n = left.containers.length + left.volumes.length + left.networks.length;
  if (n > 0) {
    removeLeftovers(prefix);
    throw new Error(`e2e: objects of run ${prefix} were left behind: ${JSON.stringify(left)}`);
  }
  console.log(`e2e cleanup: no container, volume or network with prefix ${prefix} remains: PASS`);
}
