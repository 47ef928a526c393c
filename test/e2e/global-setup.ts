// Decides once per run whether the engine suite runs and where the tests that change an
// engine for good run, gives the run its id (the prefix of every project it makes),
// prepares the test images, and checks at the end that the engine is as it was found.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import {
  CLI, decideChangeable, docker, engineReachable, leftovers, noPrivateDockerd, PRIVATE_DOCKERD, randomId, removeLeftovers, REPO,
  run, TEST_PLUGIN, type Changeable,
} from './lib.js';
import { diffSnapshots, otherRuns, takeSnapshot, type EngineSnapshot } from './snapshot.js';

declare module 'vitest' {
  export interface ProvidedContext {
    engine: boolean;
    runPrefix: string;
    changeable: Changeable;
  }
}

const TEST_IMAGES = path.join(REPO, 'scripts/test-images.sh');

let prefix = '';
let resultsFile = '';
let imagesFile = '';
let ran = false;
let before: EngineSnapshot | undefined;
let changeable: Changeable = { mode: 'skip', reason: 'no engine' };

/** One SKIPPED line; with CI=true a failure instead. */
function skip(what: string): void {
  const line = `e2e: SKIPPED: ${what}`;
  if (process.env.CI === 'true') throw new Error(`${line}; CI=true: the engine suite must run in CI`);
  console.log(line);
}

/** `docker-compose`, else `docker compose`, or undefined when neither runs. */
function findCompose(): string[] | undefined {
  if (run('docker-compose', ['version'], { timeoutMs: 30_000 }).code === 0) return ['docker-compose'];
  if (run('docker', ['compose', 'version'], { timeoutMs: 30_000 }).code === 0) return ['docker', 'compose'];
  return undefined;
}

export function setup(project: TestProject) {
  let engine = engineReachable();
  prefix = `cpe2e${randomId(6)}`;
  resultsFile = path.join(os.tmpdir(), `${prefix}-results.txt`);
  imagesFile = path.join(os.tmpdir(), `${prefix}-images.txt`);
  fs.writeFileSync(resultsFile, '');
  if (!engine) {
    skip('no Docker engine reachable (run scripts/engine-setup.sh)');
  } else if (!fs.existsSync(CLI)) {
    throw new Error(`e2e: CLI not found at ${CLI}: run \`npm run build\` first`);
  }
  const compose = engine ? findCompose() : undefined;
  if (engine && !compose) {
    skip('docker-compose not found (neither `docker-compose version` nor `docker compose version` runs)');
    engine = false;
  }
  if (engine) {
    console.log(`e2e: engine reachable; run prefix ${prefix}; compose: ${compose!.join(' ')}`);
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
    changeable = decideChangeable(path.join(os.tmpdir(), `${prefix}-dockerd`), process.env, noPrivateDockerd());
    before = takeSnapshot();
    ran = true;
    fs.writeFileSync(imagesFile, '');
    const r = run('bash', [TEST_IMAGES, '--record', imagesFile], { timeoutMs: 300_000 });
    if (r.stdout.trim()) console.log(r.stdout.trim().replace(/^/gm, 'e2e: '));
    if (r.code === 3) {
      skip(`no busybox to make the test images from: ${r.stderr.trim()}`);
      engine = false;
    } else if (r.code !== 0) {
      throw new Error(`e2e: ${TEST_IMAGES} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
    }
  }
  // workers inherit the environment of the main process
  process.env.CP_E2E_RESULTS = resultsFile;
  process.env.CP_E2E_PREFIX = prefix;
  if (compose) process.env.CP_E2E_COMPOSE = JSON.stringify(compose);
  project.provide('engine', engine);
  project.provide('runPrefix', prefix);
  project.provide('changeable', changeable);
}

export async function teardown() {
  const lines = fs.existsSync(resultsFile) ? fs.readFileSync(resultsFile, 'utf8').trim() : '';
  fs.rmSync(resultsFile, { force: true });
  if (lines) console.log(`\n===== e2e results (${prefix}) =====\n${lines}\n`);
  if (!ran) return;
  const problems: string[] = [];
  const left = leftovers(prefix);
  if (left.containers.length + left.volumes.length + left.networks.length > 0) {
    removeLeftovers(prefix);
    problems.push(`objects of run ${prefix} were left behind: ${JSON.stringify(left)}`);
  } else {
    console.log(`e2e cleanup: no container, volume or network with prefix ${prefix} remains: PASS`);
  }
  if (changeable.mode === 'private' && fs.existsSync(changeable.dir)) {
    const r = run('bash', [PRIVATE_DOCKERD, 'stop', changeable.dir], { timeoutMs: 120_000 });
    if (r.code !== 0 || fs.existsSync(changeable.dir)) problems.push(`stopping the private dockerd failed (exit ${r.code}): ${r.stderr.trim()}`);
    else console.log(`e2e cleanup: the suite's private dockerd stopped and ${changeable.dir} removed`);
  }
  // the images the suite made, newest first (a tag before the image it names)
  const made = fs.existsSync(imagesFile) ? fs.readFileSync(imagesFile, 'utf8').split('\n').filter(Boolean).reverse() : [];
  fs.rmSync(imagesFile, { force: true });
  for (const ref of made) {
    const r = docker(['image', 'rm', ref]);
    if (r.code !== 0) problems.push(`docker image rm ${ref}: ${r.stderr.trim()}`);
  }
  if (made.length) console.log(`e2e cleanup: removed the images the suite made: ${made.join(', ')}`);
  // `docker run --rm` returns before the engine has removed the container (AutoRemove):
  // a difference gets 10 s to settle before it counts
  const ignore = otherRuns(prefix, process.env.CP_E2E_SNAPSHOT_IGNORE);
  let diff = diffSnapshots(before!, takeSnapshot(), ignore);
  for (let i = 0; i < 5 && diff.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 2000));
    diff = diffSnapshots(before!, takeSnapshot(), ignore);
  }
  // moby cannot unregister a legacy plugin: on a disposable engine the plugin test leaves one
  const kept = `+ plugins: volume driver ${TEST_PLUGIN}`;
  if (changeable.mode === 'disposable' && diff.includes(kept)) {
    console.log(`e2e: NOTE: the disposable engine keeps the legacy volume plugin ${TEST_PLUGIN} registered until dockerd restarts`);
    diff.splice(diff.indexOf(kept), 1);
  }
  if (diff.length) problems.push(`the engine is not as the suite found it:\n  ${diff.join('\n  ')}`);
  else console.log('e2e cleanup: the engine is as the suite found it (containers, volumes, networks, images, swarm, plugins): PASS');
  if (problems.length) {
    // vitest 4 prints an error thrown here ("error during close") but still exits 0: the
    // exit code is set too, so a run that left the engine changed fails (CI, npm test).
    process.exitCode = 1;
    throw new Error(`e2e: ${problems.join('\n')}`);
  }
}
