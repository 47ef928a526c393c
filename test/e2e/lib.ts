// Helpers for the real-engine e2e suite: run the CLI, drive docker-compose 1.29 and the
// engine, and the checks every pattern test shares (upgrade, host loss, cleanup).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** CP_E2E_SAMPLES points elsewhere (development against other inputs). */
export const SAMPLES = process.env.CP_E2E_SAMPLES ?? path.join(REPO, 'samples');
/** The CLI under test; CP_E2E_CLI points elsewhere (e.g. a dev build). */
export const CLI = process.env.CP_E2E_CLI ?? path.join(REPO, 'dist/cli.js');

export const IMAGE_V1 = 'cp-test:v1';
export const IMAGE_V2 = 'cp-test:v2';
/** PID 1 `sh` ignores SIGTERM unless it traps it: without the trap every stop waits 10 s. */
export const STAY_UP = ['sh', '-c', "trap 'exit 0' TERM; while :; do sleep 1; done"];
export const MARKER_FILE = '.cp-e2e-marker';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOpts {
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** Run a command, never through a shell; returns the exit code instead of throwing. */
export function run(cmd: string, args: string[], opts: RunOpts = {}): RunResult {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 120_000,
    maxBuffer: 32 * 1024 * 1024,
  });
  if (r.error) {
    return { code: 127, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}\n${String(r.error)}` };
  }
  return { code: r.status ?? 128, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Like run, but throws with the command's output when it fails. */
export function must(cmd: string, args: string[], opts: RunOpts = {}): string {
  const r = run(cmd, args, opts);
  if (r.code !== 0) {
    throw new Error(
      `${cmd} ${args.join(' ')} exited ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`,
    );
  }
  return r.stdout;
}

export const docker = (args: string[], opts: RunOpts = {}) => run('docker', args, opts);

/**
 * The Compose command: `docker-compose` or `docker compose`, as the global setup found it
 * (CP_E2E_COMPOSE, a JSON array; workers inherit it).
 */
export const COMPOSE: string[] = JSON.parse(process.env.CP_E2E_COMPOSE ?? '["docker-compose"]');
export const compose = (args: string[], opts: RunOpts = {}) => run(COMPOSE[0]!, [...COMPOSE.slice(1), ...args], opts);
export const mustDocker = (args: string[], opts: RunOpts = {}) => must('docker', args, opts).trim();

export function engineReachable(): boolean {
  return run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 20_000 }).code === 0;
}

/** Lower-case letters and digits only: docker-compose 1.29 strips everything else. */
export function randomId(n = 6): string {
  let s = '';
  while (s.length < n) s += Math.random().toString(36).slice(2);
  return s.slice(0, n);
}

// ---------------------------------------------------------------------------------------
// results: one line per check, echoed and collected for the summary at the end

export function report(line: string): void {
  const text = `e2e ${line}`;
  console.log(text);
  const file = process.env.CP_E2E_RESULTS;
  if (file) fs.appendFileSync(file, text + '\n');
}

// ---------------------------------------------------------------------------------------
// the CLI

export type Doc = Record<string, any>;

export interface Built {
  workDir: string;
  /** the persist input, as copied into workDir */
  inputPath: string;
  /** generated compose file, in workDir */
  outPath: string;
  input: Doc;
  output: Doc;
}

export function sample(name: string): string {
  const file = path.join(SAMPLES, `${name}.persist.yaml`);
  if (!fs.existsSync(file)) throw new Error(`sample missing: ${file}`);
  return file;
}

export function makeWorkDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `cp-e2e-${tag}-`));
}

/**
 * Copy a persist input into workDir and build it there with the real CLI, so every
 * relative path of the input and output resolves against workDir as Compose would.
 */
export function buildPersist(src: string, workDir: string, outName = 'compose.out.yml'): Built {
  if (!fs.existsSync(CLI)) {
    throw new Error(`CLI not found at ${CLI}: run \`npm run build\` first`);
  }
  const inputPath = path.join(workDir, path.basename(src));
  fs.copyFileSync(src, inputPath);
  const outPath = path.join(workDir, outName);
  const r = run(process.execPath, [CLI, 'build', '-f', path.basename(src), '-o', outName], {
    cwd: workDir,
  });
  if (r.code !== 0) {
    throw new Error(
      `compose-persist build -f ${path.basename(src)} exited ${r.code}\n${r.stdout}\n${r.stderr}`,
    );
  }
  return {
    workDir,
    inputPath,
    outPath,
    input: YAML.parse(fs.readFileSync(inputPath, 'utf8'), { merge: true }) ?? {},
    output: YAML.parse(fs.readFileSync(outPath, 'utf8'), { merge: true }) ?? {},
  };
}

export function writeYaml(file: string, doc: Doc): string {
  fs.writeFileSync(file, YAML.stringify(doc));
  return file;
}

// ---------------------------------------------------------------------------------------
// what the INPUT promises (never read from the output: a dropped mount must show up as
// lost data, not as nothing to check)

export interface PlannedService {
  service: string;
  pattern: string;
  targets: string[];
  owner?: string;
  backend?: string;
}

export function persistBlock(input: Doc): Doc {
  return input['x-persistence'] ?? input.persistence ?? {};
}

export function plan(input: Doc): PlannedService[] {
  const block = persistBlock(input);
  const dflt: string = block.default ?? 'volume';
  return Object.entries<Doc>(block.services ?? {}).map(([service, s]) => ({
    service,
    pattern: s?.pattern ?? dflt,
    targets: ((s?.mounts ?? []) as Array<string | Doc>).map((m) =>
      typeof m === 'string' ? m : String(m.target),
    ),
    owner: s?.owner,
    backend: s?.backend,
  }));
}

/** Services the user wrote (as opposed to generated sidecars and init services). */
export function userServices(input: Doc): string[] {
  return Object.keys(input.services ?? {});
}

/** Parse a service volume entry (short or long form) into source/target. */
export function mountOf(v: string | Doc): { type: string; source?: string; target: string } {
  if (typeof v !== 'string') return { type: v.type, source: v.source, target: v.target };
  const parts = v.split(':');
  if (parts.length === 1) return { type: 'volume', target: parts[0]! };
  const [source, target] = parts as [string, string];
  const bind = /^[./~]/.test(source);
  return { type: bind ? 'bind' : 'volume', source, target };
}

// ---------------------------------------------------------------------------------------
// a compose project: output + override, unique project name

export interface OverrideOpts {
  /** image of the user's services */
  image: string;
  /** image of the generated helper services (sidecars, init); default: as generated */
  helperImage?: string;
}

/**
 * Variables a compose file refers to without a default (`${X}`, `${X:?msg}`), given a
 * test value so Compose neither warns nor refuses (`:?` makes a missing one an error).
 */
export function envFor(outPath: string): Record<string, string> {
  const text = fs.readFileSync(outPath, 'utf8');
  const env: Record<string, string> = {};
  for (const m of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:[:?-][^}]*)?\}/g)) {
    const name = m[1]!;
    if (process.env[name] === undefined && !/\$\{[A-Za-z_0-9]+:?-/.test(m[0])) {
      env[name] = `e2e-${name.toLowerCase()}`;
    }
  }
  return env;
}

export class Project {
  readonly overridePath: string;
  readonly env: Record<string, string>;

  constructor(
    readonly name: string,
    readonly built: Built,
    env: Record<string, string> = {},
  ) {
    this.overridePath = path.join(built.workDir, `${name}.override.yml`);
    this.env = { ...envFor(built.outPath), ...env };
  }

  /** The override (second -f): test images and a command that stays up and stops on TERM. */
  setImages(o: OverrideOpts): void {
    const mine = new Set(userServices(this.built.input));
    const services: Doc = {};
    for (const svc of Object.keys(this.built.output.services ?? {})) {
      if (mine.has(svc)) {
        services[svc] = { image: o.image, command: STAY_UP };
        const hc = this.built.output.services[svc]?.healthcheck;
        if (hc && !hc.disable) services[svc].healthcheck = { disable: true };
      } else if (o.helperImage) {
        services[svc] = { image: o.helperImage };
      }
    }
    writeYaml(this.overridePath, { services });
  }

  compose(args: string[], timeoutMs = 180_000): RunResult {
    return compose(['-p', this.name, '-f', this.built.outPath, '-f', this.overridePath, ...args], {
      cwd: this.built.workDir,
      env: this.env,
      timeoutMs,
    });
  }

  mustCompose(args: string[], timeoutMs = 180_000): string {
    const r = this.compose(args, timeoutMs);
    if (r.code !== 0) {
      throw new Error(
        `${COMPOSE.join(' ')} -p ${this.name} ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`,
      );
    }
    return r.stdout + r.stderr;
  }

  up(): void {
    this.mustCompose(['up', '-d']);
  }

  /** The container of a service (running or not), by Compose's labels. */
  cid(service: string): string {
    const ids = mustDocker([
      'ps', '-aq', '--no-trunc',
      '--filter', `label=com.docker.compose.project=${this.name}`,
      '--filter', `label=com.docker.compose.service=${service}`,
    ]).split('\n').filter(Boolean);
    if (ids.length !== 1) {
      throw new Error(`service ${service}: expected one container, found ${ids.length}`);
    }
    return ids[0]!;
  }

  imageOf(cid: string): string {
    return mustDocker(['inspect', '-f', '{{.Image}}', cid]);
  }

  exec(service: string, script: string, user?: string): RunResult {
    const args = ['exec'];
    if (user !== undefined) args.push('-u', user);
    args.push(this.cid(service), 'sh', '-c', script);
    return docker(args);
  }

  /** Containers, volumes and networks the engine holds for this project. */
  objects(): { containers: string[]; volumes: string[]; networks: string[] } {
    return leftovers(this.name);
  }

  /** `down -v` and then every container, volume and network left with the project's name. */
  destroy(): void {
    this.compose(['down', '-v', '--remove-orphans', '-t', '2']);
    removeLeftovers(this.name);
  }
}

/** Objects whose name or Compose label belongs to a project (or a run prefix). */
export function leftovers(prefix: string): { containers: string[]; volumes: string[]; networks: string[] } {
  const lines = (r: RunResult) => r.stdout.split('\n').map((s) => s.trim()).filter(Boolean);
  const containers = lines(
    docker(['ps', '-a', '--format', '{{.ID}} {{.Names}} {{.Label "com.docker.compose.project"}}']),
  )
    .map((l) => l.split(' '))
    .filter(([, name, project]) => name!.startsWith(prefix) || (project ?? '').startsWith(prefix))
    .map(([id, name]) => `${name} (${id})`);
  const volumes = lines(docker(['volume', 'ls', '-q'])).filter((n) => n.startsWith(prefix));
  const networks = lines(docker(['network', 'ls', '--format', '{{.Name}}'])).filter((n) =>
    n.startsWith(prefix),
  );
  return { containers, volumes, networks };
}

export function removeLeftovers(prefix: string): void {
  const l = leftovers(prefix);
  for (const c of l.containers) docker(['rm', '-f', '-v', c.replace(/.*\((.*)\)$/, '$1')]);
  for (const v of l.volumes) docker(['volume', 'rm', '-f', v]);
  for (const n of l.networks) docker(['network', 'rm', n]);
}

// ---------------------------------------------------------------------------------------
// the checks

export interface MarkerWrite {
  service: string;
  target: string;
  value: string;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Write a marker into each planned path of each planned service (as root unless `user`). */
export function writeMarkers(p: Project, planned: PlannedService[], user: string | undefined = '0'): MarkerWrite[] {
  const out: MarkerWrite[] = [];
  for (const s of planned) {
    for (const target of s.targets) {
      const value = `${p.name}-${s.service}-${randomId(8)}`;
      const file = path.posix.join(target, MARKER_FILE);
      const r = p.exec(s.service, `mkdir -p ${q(target)} && echo ${q(value)} > ${q(file)}`, user);
      if (r.code !== 0) {
        throw new Error(`writing marker into ${s.service}:${target} failed: ${r.stderr}`);
      }
      out.push({ service: s.service, target, value });
    }
  }
  return out;
}

export interface MarkerRead extends MarkerWrite {
  kept: boolean;
  found: string;
}

export function readMarkers(p: Project, written: MarkerWrite[]): MarkerRead[] {
  return written.map((w) => {
    const r = p.exec(w.service, `cat ${q(path.posix.join(w.target, MARKER_FILE))} 2>/dev/null || true`, '0');
    const found = r.stdout.trim();
    return { ...w, found, kept: r.code === 0 && found === w.value };
  });
}

export interface RecreateResult {
  /** per service: container id before and after, and whether the new one runs the new image */
  containers: Record<string, { before: string; after: string; recreated: boolean; onNewImage: boolean }>;
  markers: MarkerRead[];
  /** every marker kept */
  kept: boolean;
  /** every marker lost */
  lost: boolean;
}

/** Generated services (sidecars, init services): in the output, not in the input. */
export function helperServices(p: Project): string[] {
  const mine = new Set(userServices(p.built.input));
  return Object.keys(p.built.output.services ?? {}).filter((s) => !mine.has(s));
}

/** up with the given images and write a marker into every planned path. */
export function startWithMarkers(
  p: Project,
  planned: PlannedService[],
  images: OverrideOpts,
  markerUser: string | undefined = '0',
): MarkerWrite[] {
  p.setImages(images);
  p.up();
  return writeMarkers(p, planned, markerUser);
}

/**
 * Switch images (the override), `up -d` again, and report for the watched services
 * whether their container was recreated on the new image, and which markers survived.
 * Never throws for lost data: the caller asserts.
 */
export function recreateCheck(
  p: Project,
  written: MarkerWrite[],
  images: OverrideOpts,
  watch: string[],
): RecreateResult {
  const before = Object.fromEntries(watch.map((s) => [s, p.cid(s)]));
  p.setImages(images);
  p.up();
  const containers: RecreateResult['containers'] = {};
  for (const s of watch) {
    const after = p.cid(s);
    const img = images.helperImage && !userServices(p.built.input).includes(s) ? images.helperImage : images.image;
    const want = mustDocker(['image', 'inspect', '-f', '{{.Id}}', img]);
    containers[s] = {
      before: before[s]!,
      after,
      recreated: after !== before[s],
      onNewImage: p.imageOf(after) === want,
    };
  }
  const markers = readMarkers(p, written);
  return {
    containers,
    markers,
    kept: markers.length > 0 && markers.every((m) => m.kept),
    lost: markers.length > 0 && markers.every((m) => !m.kept),
  };
}

/** The upgrade check: up on v1, markers, switch the user's services to v2, up again. */
export function upgradeCheck(
  p: Project,
  planned: PlannedService[],
  markerUser: string | undefined = '0',
): RecreateResult & { written: MarkerWrite[] } {
  const written = startWithMarkers(p, planned, { image: IMAGE_V1 }, markerUser);
  const r = recreateCheck(p, written, { image: IMAGE_V2 }, planned.map((s) => s.service));
  return { ...r, written };
}

/**
 * Host loss: `down -v`, then remove every container and local volume of the project
 * still there (what a replacement host would not have), run `beforeUp` (e.g. delete
 * a bind source), and `up` again with the current images (unless `upAgain` is false).
 */
export function hostLoss(p: Project, beforeUp?: () => void, upAgain = true): void {
  p.mustCompose(['down', '-v', '--remove-orphans', '-t', '2']);
  removeLeftovers(p.name);
  const l = p.objects();
  if (l.containers.length + l.volumes.length + l.networks.length > 0) {
    throw new Error(`host loss: objects left for ${p.name}: ${JSON.stringify(l)}`);
  }
  beforeUp?.();
  if (upAgain) p.up();
}

export function describeMarkers(ms: MarkerRead[]): string {
  return ms.map((m) => `${m.service}:${m.target}=${m.kept ? 'kept' : `lost${m.found ? ` (found "${m.found}")` : ''}`}`).join(', ');
}

/**
 * The volume plugin name both plugin tests use: the engine keeps a legacy plugin
 * registered after it stops and retries it on every volume lookup until a plugin of
 * that name answers again (see 85-swarm), so the two share it.
 */
export const TEST_PLUGIN = 'cp-e2e-plugin';

/** The suite's legacy volume plugin (plugin/volume-plugin.mjs) as a child process; its store outlives "hosts". */
export class TestPlugin {
  private child: ChildProcess | undefined;
  readonly socket: string;

  constructor(
    readonly name: string,
    readonly store: string,
    readonly log: string,
    /** where the engine under test discovers legacy plugins (see useChangeableEngine) */
    pluginDir = process.env.CP_E2E_PLUGIN_DIR ?? '/run/docker/plugins',
  ) {
    this.socket = path.join(pluginDir, `${name}.sock`);
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Start it and wait (10 s at most) for its socket. */
  async start(): Promise<void> {
    const child = spawn(process.execPath, [path.join(REPO, 'test/e2e/plugin/volume-plugin.mjs'), '--name', this.name, '--store', this.store, '--log', this.log, '--socket', this.socket], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    this.child = child;
    for (let i = 0; i < 100; i++) {
      if (fs.existsSync(this.socket)) return;
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`test volume plugin did not start (socket ${this.socket})`);
  }

  /** SIGTERM, then wait for the exit (5 s at most). */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(child.pid, 'SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  }

  /** Stop it for good and remove its socket. */
  async remove(): Promise<void> {
    await this.stop();
    fs.rmSync(this.socket, { force: true });
  }
}

// ---------------------------------------------------------------------------------------
// the engine the swarm and plugin tests may change for good (swarm membership; a legacy
// volume plugin, which an engine keeps registered until it restarts: moby has no way to
// unregister one, see README)

/** How the global setup decided those tests run. */
export type Changeable =
  | { mode: 'private'; dir: string; disposable: boolean }
  | { mode: 'disposable' }
  | { mode: 'skip'; reason: string };

export const PRIVATE_DOCKERD = path.join(REPO, 'test/e2e/private-dockerd.sh');
export const privateHost = (dir: string) => `unix://${path.join(dir, 'docker.sock')}`;

/** Why this machine cannot start a private dockerd, or undefined when it can. */
export function noPrivateDockerd(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.CP_E2E_PRIVATE_DOCKERD === '0') return 'CP_E2E_PRIVATE_DOCKERD=0';
  if (process.getuid?.() !== 0) return 'not root';
  for (const c of ['dockerd', 'unshare', 'ip']) {
    if (run('sh', ['-c', `command -v ${c}`]).code !== 0) return `no ${c} on PATH`;
  }
  return undefined;
}

/**
 * Where 85-swarm and 90-plugin run (README: "Tests that change the engine"): a private
 * dockerd in `dir` when one can be started (`noPrivate` undefined), else the current engine
 * when it is marked disposable, else nowhere (with CI=true that throws).
 */
export function decideChangeable(dir: string, env: NodeJS.ProcessEnv, noPrivate: string | undefined): Changeable {
  const disposable = env.CP_E2E_DISPOSABLE === '1';
  if (noPrivate === undefined) return { mode: 'private', dir, disposable };
  if (disposable) return { mode: 'disposable' };
  const reason =
    'it changes the engine for good (swarm mode; a legacy volume plugin stays registered until dockerd restarts), ' +
    `this engine is not marked disposable (CP_E2E_DISPOSABLE=1), and the suite cannot start a private dockerd (${noPrivate})`;
  if (env.CI === 'true') throw new Error(`e2e: swarm and plugin tests: ${reason}; CI=true: they must run`);
  return { mode: 'skip', reason };
}

/**
 * Point this worker's docker and compose commands at the engine the test file `what` may
 * change: the suite's private dockerd (started on first use; the global teardown stops it),
 * or the current engine when it is marked disposable (CP_E2E_DISPOSABLE=1). Returns false,
 * after one SKIPPED line, when there is none.
 */
export function useChangeableEngine(c: Changeable, what: string): boolean {
  if (c.mode === 'skip') {
    report(`${what}: SKIPPED: ${c.reason}`);
    return false;
  }
  if (c.mode === 'private') {
    const host = privateHost(c.dir);
    let up = run('docker', ['-H', host, 'info', '--format', '{{.ServerVersion}}'], { timeoutMs: 20_000 }).code === 0;
    let why = '';
    if (!up) {
      const r = run('bash', [PRIVATE_DOCKERD, 'start', c.dir], { timeoutMs: 180_000 });
      up = r.code === 0;
      why = `${r.stderr.trim().split('\n').slice(-3).join(' / ')} (exit ${r.code})`;
    }
    if (up) {
      process.env.DOCKER_HOST = host;
      process.env.CP_E2E_PLUGIN_DIR = path.join(c.dir, 'plugins');
      console.log(`e2e ${what}: on the suite's private dockerd (${host})`);
      return true;
    }
    if (!c.disposable) {
      report(`${what}: SKIPPED: the private dockerd did not start: ${why}; set CP_E2E_DISPOSABLE=1 to run on the current engine`);
      if (process.env.CI === 'true') throw new Error(`e2e ${what}: CI=true: the private dockerd did not start: ${why}`);
      return false;
    }
    console.log(`e2e ${what}: the private dockerd did not start (${why}); on the current engine (CP_E2E_DISPOSABLE=1)`);
    return true;
  }
  console.log(`e2e ${what}: on the current engine (CP_E2E_DISPOSABLE=1: it may be changed for good)`);
  return true;
}
