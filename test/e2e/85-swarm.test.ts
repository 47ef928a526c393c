// swarm: `build --target swarm` on a single-node Swarm. samples/swarm.persist.yaml holds
// one service per pattern Swarm allows (db: volume, pinned; web: bind with owner, pinned,
// plus its init task; media: shared, hostpath back-end; legacy: plugin). Its copy in a
// temp directory gets the test images and a command that stays up (text edits of the
// INPUT), and is built with the real CLI; the stack file deployed is always the CLI's.
//
// 1. deploy on cp-test:v1, write a marker into every path the input lists;
// 2. redeploy the stack built from the v2 input: every task is replaced on the v2 image,
//    and every marker is still there;
// 3. host loss: `docker stack rm`, every volume of the stack removed, the bind directory
//    replaced by an empty one (Swarm refuses a missing bind source), the plugin restarted
//    with no memory; deploy again: only shared and plugin data is there.
//
// The engine is put into swarm mode only if it was not in a swarm, and then leaves it
// (and the docker_gwbridge network Swarm made) at the end.
//
// The test plugin is started under the name 90-plugin uses: the engine keeps a legacy
// volume plugin registered after it stops (removing its volumes first does not help),
// and every volume lookup then retries it (~15 s) until that socket answers again,
// which 90-plugin's process does. Files that run between this one and 90-plugin are
// slowed by it (80-selfcheck: ~4 s -> ~35 s).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  CLI, docker, IMAGE_V1, IMAGE_V2, leftovers, makeWorkDir, MARKER_FILE, must, mustDocker, plan,
  removeLeftovers, report, run, SAMPLES, STAY_UP, TEST_PLUGIN, TestPlugin, userServices, type Doc, type PlannedService,
  useChangeableEngine,
} from './lib.js';

// The docker client first on PATH may be Debian's 20.10 (no `stack config`, deploy already
// detached) or a newer one (28.x: `stack config`, and deploy waits unless --detach).
const deployHelp = spawnSync('docker', ['stack', 'deploy', '--help'], { encoding: 'utf8' }).stdout ?? '';
const DETACH = /--detach\b/.test(deployHelp) ? ['--detach=true'] : [];
const HAS_STACK_CONFIG = /docker stack config/.test(spawnSync('docker', ['stack', 'config', '--help'], { encoding: 'utf8' }).stdout ?? '');
/** ${VAR} and ${VAR:-default}, as the stack loader substitutes them (enough for this file). */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g, (_, name: string, def?: string) => env[name] ?? process.env[name] ?? def ?? '');
}

const GWBRIDGE = 'docker_gwbridge';
const WAIT_MS = 120_000;

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lines = (s: string) => s.split('\n').map((l) => l.trim()).filter(Boolean);

interface Marker {
  service: string;
  pattern: string;
  target: string;
  value: string;
}

// on the suite's private dockerd, or a disposable engine, or skipped (see README)
const ON_ENGINE = inject('engine') && useChangeableEngine(inject('changeable'), 'swarm');

describe.skipIf(!ON_ENGINE)('swarm', () => {
  const stack = `${inject('runPrefix')}sw`;
  let workDir = '';
  let swarmBefore = '';
  let weInit = false;
  let gwbridgeBefore = true;
  let nodeName = '';
  let deployed = false;
  let input: Doc = {};
  let output: Doc = {};
  let planned: PlannedService[] = [];
  let mine: string[] = [];
  let env: Record<string, string> = {};
  let siteDir = '';
  let sharedStore = '';
  let plugin: TestPlugin | undefined;
  let written: Marker[] = [];
  const stackFile = (v: 1 | 2) => path.join(workDir, `stack.v${v}.yml`);
  const full = (svc: string) => `${stack}_${svc}`;

  // ---- the input copy: test images, a command that stays up, the bind source ---------
  function writeInput(image: string, file: string): void {
    const src = fs.readFileSync(path.join(SAMPLES, 'swarm.persist.yaml'), 'utf8');
    const names = userServices(YAML.parse(src) ?? {});
    let n = 0;
    // the user's services are the only `image:` lines at service level in the source
    let text = src.replace(/^( {4})image: .*$/gm, (_m, ind: string) => {
      n++;
      return `${ind}image: ${image}\n${ind}command: ${JSON.stringify(STAY_UP)}`;
    });
    if (n !== names.length) throw new Error(`swarm sample: rewrote ${n} image lines for ${names.length} services`);
    // the bind source: a directory of this run (the sample's /srv/site)
    const before = text;
    text = text.replace(/^(\s+source: )\/srv\/site\s*$/m, `$1${siteDir}`);
    if (text === before) throw new Error('swarm sample: no `source: /srv/site` line to point at the test directory');
    fs.writeFileSync(file, text);
  }

  function build(v: 1 | 2): void {
    const inName = `swarm.v${v}.persist.yaml`;
    writeInput(v === 1 ? IMAGE_V1 : IMAGE_V2, path.join(workDir, inName));
    must(process.execPath, [CLI, 'build', '--target', 'swarm', '-f', inName, '-o', path.basename(stackFile(v))], {
      cwd: workDir,
    });
  }

  // ---- the stack -----------------------------------------------------------------------
  function deploy(v: 1 | 2): void {
    deployed = true;
    must('docker', ['stack', 'deploy', ...DETACH, '--resolve-image', 'never', '-c', stackFile(v), stack], {
      cwd: workDir,
      env,
    });
  }

  const imageId = (ref: string) => mustDocker(['image', 'inspect', '-f', '{{.Id}}', ref]);

  /** Running task containers of a service. */
  const running = (svc: string) =>
    lines(mustDocker(['ps', '-q', '--no-trunc', '--filter', `label=com.docker.swarm.service.name=${full(svc)}`,
      '--filter', 'status=running']));

  function tasks(svc: string): string {
    return docker(['service', 'ps', '--no-trunc', '--format', '{{.Name}} {{.Image}} {{.DesiredState}} {{.CurrentState}} {{.Error}}', full(svc)]).stdout;
  }

  /** Poll until every user service runs exactly one task container on `image`. */
  async function converged(image: string): Promise<Record<string, string>> {
    const want = imageId(image);
    const t0 = Date.now();
    let last = '';
    while (Date.now() - t0 < WAIT_MS) {
      const cids: Record<string, string> = {};
      last = '';
      for (const s of mine) {
        const ids = running(s);
        const img = ids.length === 1 ? mustDocker(['inspect', '-f', '{{.Image}}', ids[0]!]) : '';
        if (ids.length === 1 && img === want) cids[s] = ids[0]!;
        else last += `${s}: ${ids.length} running${img ? ` on ${img.slice(7, 19)}` : ''}\n${tasks(s)}`;
      }
      if (Object.keys(cids).length === mine.length) return cids;
      await sleep(1000);
    }
    throw new Error(`stack ${stack} did not converge on ${image} within ${WAIT_MS / 1000} s:\n${last}`);
  }

  /** Poll until a one-shot service (an init task) has a Complete task. */
  async function completed(svc: string): Promise<void> {
    const t0 = Date.now();
    while (Date.now() - t0 < WAIT_MS) {
      if (/\bComplete\b/.test(tasks(svc))) return;
      await sleep(1000);
    }
    throw new Error(`${full(svc)} did not complete within ${WAIT_MS / 1000} s:\n${tasks(svc)}`);
  }

  /** `docker stack rm` and wait until its services, containers and network are gone. */
  async function removeStack(): Promise<void> {
    docker(['stack', 'rm', stack]);
    const t0 = Date.now();
    while (Date.now() - t0 < WAIT_MS) {
      const services = lines(docker(['service', 'ls', '-q', '--filter', `label=com.docker.stack.namespace=${stack}`]).stdout);
      const containers = lines(docker(['ps', '-aq', '--filter', `label=com.docker.stack.namespace=${stack}`]).stdout);
      const nets = lines(docker(['network', 'ls', '-q', '--filter', `label=com.docker.stack.namespace=${stack}`]).stdout);
      if (services.length + containers.length + nets.length === 0) return;
      await sleep(500);
    }
    throw new Error(`stack ${stack}: services, containers or networks still there after ${WAIT_MS / 1000} s`);
  }

  function exec(cid: string, script: string, user?: string) {
    return docker(['exec', ...(user === undefined ? [] : ['-u', user]), cid, 'sh', '-c', script]);
  }

  const read = (cids: Record<string, string>, m: Marker) =>
    exec(cids[m.service]!, `cat ${q(path.posix.join(m.target, MARKER_FILE))} 2>/dev/null || true`, '0').stdout.trim();

  const describeAll = (cids: Record<string, string>, ms: Marker[]) =>
    ms.map((m) => {
      const found = read(cids, m);
      return `${m.service}:${m.target}=${found === m.value ? 'kept' : `lost${found ? ` (found "${found}")` : ''}`}`;
    }).join(', ');

  /** One report line per pattern; returns whether every marker of each pattern was kept. */
  function perPattern(cids: Record<string, string>): Record<string, { kept: boolean; lost: boolean; text: string }> {
    const out: Record<string, { kept: boolean; lost: boolean; text: string }> = {};
    for (const pattern of [...new Set(written.map((m) => m.pattern))]) {
      const ms = written.filter((m) => m.pattern === pattern);
      const found = ms.map((m) => read(cids, m) === m.value);
      out[pattern] = { kept: found.every(Boolean), lost: found.every((f) => !f), text: describeAll(cids, ms) };
    }
    return out;
  }

  // ---- set-up and clean-up ---------------------------------------------------------------
  beforeAll(async () => {
    swarmBefore = mustDocker(['info', '--format', '{{.Swarm.LocalNodeState}}/{{.Swarm.ControlAvailable}}']);
    gwbridgeBefore = docker(['network', 'inspect', GWBRIDGE]).code === 0;
    if (swarmBefore.startsWith('inactive/')) {
      mustDocker(['swarm', 'init', '--advertise-addr', '127.0.0.1']);
      weInit = true;
    } else if (swarmBefore !== 'active/true') {
      throw new Error(`engine swarm state ${swarmBefore}: the test needs no swarm or an active manager`);
    }
    nodeName = mustDocker(['node', 'inspect', 'self', '--format', '{{.Description.Hostname}}']);

    workDir = makeWorkDir('swarm');
    siteDir = path.join(workDir, 'site');
    sharedStore = path.join(workDir, 'shared-store');
    plugin = new TestPlugin(TEST_PLUGIN, path.join(workDir, 'plugin-store'), path.join(workDir, 'plugin-requests.jsonl'));
    fs.mkdirSync(siteDir);
    fs.mkdirSync(sharedStore);
    fs.writeFileSync(plugin.log, '');
    build(1);
    build(2);
    input = YAML.parse(fs.readFileSync(path.join(workDir, 'swarm.v1.persist.yaml'), 'utf8')) ?? {};
    output = YAML.parse(fs.readFileSync(stackFile(1), 'utf8')) ?? {};
    mine = userServices(input);
    planned = plan(input).filter((s) => s.targets.length > 0);
    env = {
      DB_PASSWORD: 'e2e-db-password',
      DB_NODE: nodeName,
      WEB_NODE: nodeName,
      SHARED_ROOT: sharedStore,
      VOLUME_DRIVER: TEST_PLUGIN,
    };
    // the shared directories, as `docker stack deploy` resolves them (they must exist)
    const resolved = HAS_STACK_CONFIG
      ? (YAML.parse(must('docker', ['stack', 'config', '-c', stackFile(1)], { cwd: workDir, env })) ?? {})
      : (YAML.parse(interpolate(fs.readFileSync(stackFile(1), 'utf8'), env)) ?? {});
    for (const v of Object.values<any>(resolved.volumes ?? {})) {
      if (v?.driver_opts?.type === 'none') {
        expect(String(v.driver_opts.device).startsWith(sharedStore + '/')).toBe(true);
        fs.mkdirSync(v.driver_opts.device, { recursive: true });
      }
    }
    await plugin.start();
  });

  afterAll(async () => {
    const problems: string[] = [];
    const attempt = async (what: string, f: () => unknown) => {
      try {
        await f();
      } catch (e) {
        problems.push(`${what}: ${String(e)}`);
      }
    };
    let left: unknown = null;
    let services: string[] = [];
    try {
      if (deployed) {
        // the engine needs the plugin to remove its volumes
        if (plugin && !plugin.running) await attempt('restart plugin', () => plugin!.start());
        await attempt('stack rm', removeStack);
        await attempt('leftovers', () => removeLeftovers(stack));
        services = lines(docker(['service', 'ls', '--format', '{{.Name}}']).stdout).filter((n) => n.startsWith(stack));
        // checked while the plugin still answers (a gone plugin slows every volume listing)
        left = leftovers(stack);
      }
    } finally {
      await plugin?.remove();
      if (weInit) {
        await attempt('swarm leave', () => mustDocker(['swarm', 'leave', '--force']));
        if (!gwbridgeBefore) await attempt(`network rm ${GWBRIDGE}`, () => {
          if (docker(['network', 'inspect', GWBRIDGE]).code === 0) mustDocker(['network', 'rm', GWBRIDGE]);
        });
      }
      if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
    }
    const swarmAfter = docker(['info', '--format', '{{.Swarm.LocalNodeState}}/{{.Swarm.ControlAvailable}}']).stdout.trim();
    const gwbridgeAfter = docker(['network', 'inspect', GWBRIDGE]).code === 0;
    const restored = swarmAfter === swarmBefore && (!weInit || gwbridgeAfter === gwbridgeBefore);
    report(`swarm: stack removed and the engine's swarm state restored (${swarmBefore} -> ${swarmAfter}${weInit ? `, ${GWBRIDGE} ${gwbridgeAfter ? 'present' : 'absent'}` : ''}): ${restored && services.length === 0 && problems.length === 0 ? 'PASS' : 'FAIL'}`);
    expect(problems).toEqual([]);
    expect(services).toEqual([]);
    if (deployed) expect(left).toEqual({ containers: [], volumes: [], networks: [] });
    expect(swarmAfter).toBe(swarmBefore);
    if (weInit) expect(gwbridgeAfter).toBe(gwbridgeBefore);
  });

  // ---- the checks ----------------------------------------------------------------------------
  it('data-container is refused for --target swarm', () => {
    const r = run(process.execPath, [CLI, 'build', '--target', 'swarm', '-f', path.join(SAMPLES, 'data-container.persist.yaml')]);
    const refused = r.code === 1 && /SWARM_UNSUPPORTED/.test(r.stderr) && r.stdout === '';
    report(`swarm data-container: refused by build --target swarm (exit ${r.code}, SWARM_UNSUPPORTED): ${refused ? 'PASS' : 'FAIL'}`);
    expect(refused).toBe(true);
  });

  it('an update to a new image keeps the data of every allowed pattern', async () => {
    const patterns = new Set(planned.map((s) => s.pattern));
    expect([...patterns].sort()).toEqual(['bind', 'plugin', 'shared', 'volume']);
    // the generated stack: no depends_on, the init task, placement on this node
    expect(output.version).toBe('3.8');
    for (const s of Object.values<any>(output.services ?? {})) expect(s.depends_on).toBeUndefined();
    for (const s of mine) expect(output.services[s].image).toBe(IMAGE_V1);

    deploy(1);
    const v1 = await converged(IMAGE_V1);
    const pinned = planned.filter((s) => persistNode(input, s.service));
    for (const s of pinned) {
      const c = mustDocker(['service', 'inspect', '-f', '{{json .Spec.TaskTemplate.Placement.Constraints}}', full(s.service)]);
      expect(JSON.parse(c)).toContain(`node.hostname == ${nodeName}`);
    }
    report(`swarm: stack deployed on ${IMAGE_V1}; ${pinned.map((s) => s.service).join(', ')} pinned with node.hostname == ${nodeName}: PASS`);

    // markers: as root, except a service with `owner:`, which writes as its own user once
    // its init task has chowned the directory (Swarm does not order the two)
    written = [];
    for (const s of planned) {
      for (const target of s.targets) {
        const value = `${stack}-${s.service}-${Math.random().toString(36).slice(2, 10)}`;
        const script = `mkdir -p ${q(target)} && echo ${q(value)} > ${q(path.posix.join(target, MARKER_FILE))}`;
        if (s.owner) {
          const t0 = Date.now();
          let r = exec(v1[s.service]!, script);
          while (r.code !== 0 && Date.now() - t0 < WAIT_MS) {
            await sleep(1000);
            r = exec(v1[s.service]!, script);
          }
          expect(r.code, `${s.service} writing as its own user: ${r.stderr}`).toBe(0);
        } else {
          const r = exec(v1[s.service]!, script, '0');
          expect(r.code, `${s.service}:${target}: ${r.stderr}`).toBe(0);
        }
        written.push({ service: s.service, pattern: s.pattern, target, value });
      }
    }
    for (const s of planned.filter((x) => x.owner)) {
      await completed(`${s.service}-init`);
      const id = exec(v1[s.service]!, 'echo $(id -u):$(id -g)').stdout.trim();
      for (const t of s.targets) {
        // the sample's only bind mount is the one writeInput points at siteDir
        const st = fs.statSync(path.join(siteDir, MARKER_FILE));
        const ok = id === s.owner && `${st.uid}:${st.gid}` === s.owner;
        report(`swarm bind: ${s.service} runs as ${id}, writes after ${s.service}-init's chown, its file on the host is ${st.uid}:${st.gid} (${s.service}:${t}): ${ok ? 'PASS' : 'FAIL'}`);
        expect(id).toBe(s.owner);
        expect(`${st.uid}:${st.gid}`).toBe(s.owner);
      }
    }

    // the update: the stack built from the v2 input, deployed over the running one
    deploy(2);
    const v2 = await converged(IMAGE_V2);
    for (const s of mine) expect(v2[s], `${s}: a new task container`).not.toBe(v1[s]);
    const r = perPattern(v2);
    for (const [pattern, x] of Object.entries(r)) {
      report(`swarm ${pattern}: update (${IMAGE_V1} -> ${IMAGE_V2}, new task) keeps data: ${x.kept ? 'PASS' : 'FAIL'} [${x.text}]`);
    }
    for (const [pattern, x] of Object.entries(r)) expect(x.kept, pattern).toBe(true);
  });

  it('a host loss keeps only shared and plugin data', async () => {
    expect(written.length).toBeGreaterThan(0);
    // the host is gone: its tasks, its local volumes, its directories, its plugin's memory
    await removeStack();
    for (const v of lines(mustDocker(['volume', 'ls', '-q'])).filter((n) => n.startsWith(`${stack}_`))) {
      mustDocker(['volume', 'rm', v]);
    }
    expect(leftovers(stack)).toEqual({ containers: [], volumes: [], networks: [] });
    await plugin!.stop();
    fs.rmSync(siteDir, { recursive: true, force: true });
    // a new node: Swarm refuses a missing bind source, so the directory is made (empty)
    // before the deploy, as the init task then has it to chown
    fs.mkdirSync(siteDir);
    await plugin!.start();

    deploy(2);
    const cids = await converged(IMAGE_V2);
    const r = perPattern(cids);
    const expected: Record<string, 'kept' | 'lost'> = { volume: 'lost', bind: 'lost', shared: 'kept', plugin: 'kept' };
    for (const [pattern, x] of Object.entries(r)) {
      const want = expected[pattern];
      const ok = want === 'kept' ? x.kept : x.lost;
      report(`swarm ${pattern}: host loss ${want === 'kept' ? 'keeps' : 'loses'} data (level ${want === 'kept' ? 'host' : 'container'}): ${ok ? 'PASS' : 'FAIL'} [${x.text}]`);
    }
    // where the kept data lives: the shared store and the plugin's store, not the engine
    const inShared = fs.readdirSync(sharedStore).filter((d) => fs.existsSync(path.join(sharedStore, d, MARKER_FILE)));
    const inPlugin = fs.readdirSync(path.join(plugin!.store, 'volumes'))
      .filter((d) => fs.existsSync(path.join(plugin!.store, 'volumes', d, MARKER_FILE)));
    expect(inShared.length).toBeGreaterThan(0);
    expect(inPlugin.length).toBeGreaterThan(0);
    for (const [pattern, x] of Object.entries(r)) {
      expect(expected[pattern] === 'kept' ? x.kept : x.lost, pattern).toBe(true);
    }
    // and on the new node the init task owns the new directory again
    for (const s of planned.filter((x) => x.owner)) {
      await completed(`${s.service}-init`);
      const st = fs.statSync(siteDir);
      expect(`${st.uid}:${st.gid}`).toBe(s.owner);
    }
  });
});

/** The `node:` a service is pinned to in the input's block, if any. */
function persistNode(input: Doc, service: string): string | undefined {
  return (input['x-persistence'] ?? input.persistence ?? {}).services?.[service]?.node;
}
