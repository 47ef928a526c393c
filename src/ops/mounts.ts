/**
 * What the data commands work on: every persisted mount of the current
 * build, resolved to what the engine holds (a volume's engine name, a bind's
 * absolute host path), and the containers that use it.
 */
import { isAbsolute, resolve as resolvePath } from 'node:path';
import type { Engine } from '../engine/engine.js';
import type { Plan } from '../model.js';
import { serviceMounts, type DataSource } from '../check/data-safety.js';
import { matchImage } from '../resolve/catalog.js';
import { asMapping } from '../yaml/plain.js';
import type { HostFs } from '../engine/host-fs.js';
import { createVolume, keptLabels, oneLine } from './volumes.js';

export interface OpsContext {
  engine: Engine;
  plan: Plan;
  /** The generated file's data (what Compose runs). */
  output: unknown;
  project: string;
  /** Directory relative bind sources resolve against (the first file's, as Compose does). */
  baseDir: string;
}

export interface PersistedMount {
  service: string;
  pattern: string;
  target: string;
  /** The volume's key (or the bind source as written). */
  key: string;
  kind: 'volume' | 'bind';
  /** Volume: its engine name; bind: its absolute host path. */
  source: string;
  external: boolean;
  driver?: string;
  driverOpts?: Record<string, string>;
}

/** A host path as Compose resolves it: relative to the project directory, ~ to $HOME. */
export function hostPath(source: string, baseDir: string, home?: string): string {
  if (source.startsWith('~/') && home) return resolvePath(home, source.slice(2));
  return isAbsolute(source) ? source : resolvePath(baseDir, source);
}

export function toMount(service: string, pattern: string, target: string, s: DataSource, baseDir: string, home?: string): PersistedMount {
  return {
    service, pattern, target, key: s.name, kind: s.kind,
    source: s.kind === 'volume' ? s.engineName ?? s.name : hostPath(s.name, baseDir, home),
    external: s.external ?? false,
    ...(s.driver ? { driver: s.driver } : {}),
    ...(s.driverOpts ? { driverOpts: s.driverOpts } : {}),
  };
}

/** Every persisted mount of the plan (services filtered by `only`), with unknown names reported. */
export function persistedMounts(ctx: Pick<OpsContext, 'plan' | 'output' | 'project' | 'baseDir'>, only: readonly string[] = [], home?: string): { mounts: PersistedMount[]; errors: string[] } {
  const errors: string[] = [];
  const planned = new Map(ctx.plan.services.map((s) => [s.service, s]));
  for (const name of only) {
    if (!planned.has(name)) errors.push(`service "${name}" has no persistence entry in the file (persisted: ${[...planned.keys()].join(', ') || 'none'})`);
  }
  const mounts: PersistedMount[] = [];
  for (const s of ctx.plan.services) {
    if (only.length && !only.includes(s.service)) continue;
    const found = serviceMounts(ctx.output, s.service, ctx.project);
    for (const target of [...s.volumes.map((v) => v.target), ...s.binds.map((b) => b.target)]) {
      const src = found.get(target);
      if (src) mounts.push(toMount(s.service, s.pattern, target, src, ctx.baseDir, home));
    }
  }
  return { mounts, errors };
}

/** Whether the catalog knows the service's image as a database (backups stop it by default). */
export function isDatabase(output: unknown, service: string): boolean {
  const image = asMapping(asMapping(asMapping(output).services)[service]).image;
  return matchImage(image)?.entry.kind === 'database';
}

export interface Running {
  id: string;
  name: string;
}

/** Running containers that mount this volume or bind source (any project: all of them write to it). */
export async function runningUsers(engine: Engine, m: Pick<PersistedMount, 'source'>, signal?: AbortSignal): Promise<Running[] | { error: string }> {
  const r = await engine.docker(['ps', '--no-trunc', '--filter', `volume=${m.source}`, '--format', '{{.ID}} {{.Names}}'], signal ? { signal } : {});
  if (r.code !== 0) return { error: `cannot list the containers using ${m.source}: ${oneLine(r.stderr) || `exit ${r.code}`}` };
  return r.stdout.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
    const [id, name] = l.split(' ');
    return { id: id!, name: name ?? id! };
  });
}

/**
 * Stops containers, and gives the function that starts exactly those again: it is to be
 * called in a finally (also after a failure or an interruption), and never takes the signal,
 * so that an interrupted run still starts what it stopped.
 */
export async function stopContainers(engine: Engine, containers: readonly Running[]): Promise<{ restart: () => Promise<string | undefined>; error?: string }> {
  const restart = async (): Promise<string | undefined> => {
    if (!containers.length) return undefined;
    const r = await engine.docker(['start', ...containers.map((c) => c.id)]);
    return r.code === 0 ? undefined : `could not start ${containers.map((c) => c.name).join(', ')} again: ${oneLine(r.stderr)} (start them with docker start)`;
  };
  if (!containers.length) return { restart };
  const r = await engine.docker(['stop', '-t', '30', ...containers.map((c) => c.id)]);
  if (r.code !== 0) return { restart, error: `cannot stop ${containers.map((c) => c.name).join(', ')}: ${oneLine(r.stderr)}` };
  return { restart };
}

/** The `-v` argument of a helper container for a mount (read-only or not). */
export const mountArg = (source: string, at: string, readOnly: boolean): string => `${source}:${at}${readOnly ? ':ro' : ''}`;

/** The label on every helper container (what is left after a crash is found by it). */
export const HELPER_LABEL = 'com.compose-persist.helper';

/**
 * The `docker run` arguments of a helper container: removed when it ends, no network, and
 * `--init`, because tar or sh as PID 1 ignores SIGTERM, so an interrupted command would
 * otherwise wait for the whole archive (the Docker CLI forwards the signal it gets from the
 * abort to the container, where docker-init passes it on). `-i` when it reads standard input.
 */
export function helperRun(image: string, mounts: readonly (readonly [source: string, at: string, readOnly: boolean])[], command: readonly string[], options: { stdin?: boolean } = {}): string[] {
  return ['run', '--rm', '--init', ...(options.stdin ? ['-i'] : []), '--network', 'none', '--label', `${HELPER_LABEL}=true`, ...mounts.flatMap(([source, at, ro]) => mountFlag(source, at, ro)), image, ...command];
}

/**
 * A host directory read-only is given with --mount, which refuses a path that does not exist;
 * `-v` would create it (an empty root-owned directory left behind by a check or a failed
 * command). Written-to directories keep `-v`: restore and migrate create a missing bind target.
 * A path with a comma or quote (which --mount's CSV would split) keeps `-v` too.
 */
function mountFlag(source: string, at: string, readOnly: boolean): string[] {
  if (readOnly && source.startsWith('/') && !/[,"]/.test(source)) return ['--mount', `type=bind,source=${source},target=${at},readonly`];
  return ['-v', mountArg(source, at, readOnly)];
}

/**
 * Whether mounting a new volume can fail: not for a plain local volume (a directory the engine
 * makes), but for one with options (NFS, CIFS, a bind of a host directory) or another driver.
 * Only those are mounted once before anything is stopped (a helper container costs 0.3-0.7 s here).
 */
export function mayFailToMount(driver: string | undefined, options: Record<string, string> | undefined): boolean {
  return (driver !== undefined && driver !== 'local') || Object.keys(options ?? {}).length > 0;
}

/** What the engine says when a --mount bind source is missing. */
export const MISSING_BIND = /bind source path does not exist/i;

/** Whether a volume or bind source holds anything (a helper lists it). */
export async function isEmpty(engine: Engine, source: string, helperImage: string, signal?: AbortSignal): Promise<boolean | { error: string; reason: string }> {
  const r = await engine.docker(helperRun(helperImage, [[source, '/to', true]], ['sh', '-c', 'ls -A /to | head -n 1']), signal ? { signal } : {});
  // A host directory that does not exist holds nothing (and is not created by looking).
  if (r.code !== 0 && MISSING_BIND.test(r.stderr)) return true;
  if (r.code !== 0) {
    const reason = oneLine(r.stderr) || `exit ${r.code}`;
    return { error: `cannot look into ${source}: ${reason}`, reason };
  }
  return r.stdout.trim() === '';
}

/** Compose's labels on the volumes it creates: a volume restored or migrated into before `up` is then Compose's own. */
export function composeLabels(project: string, key: string): Record<string, string> {
  return { 'com.docker.compose.project': project, 'com.docker.compose.volume': key };
}

/** A volume a restore or migration creates for a mount: kept ones carry ours, the others Compose's labels (so `up` takes it as its own). */
export interface NewVolume {
  name: string;
  key: string;
  driver?: string;
  driverOpts?: Record<string, string>;
  /** A kept volume (keep:): its labels are ours. */
  external?: boolean;
}

/**
 * Creates a mount's missing volume before anything is stopped (its name goes into `created`)
 * and, when it can fail to mount, mounts it once: `unmountable` is then the engine's reason.
 */
export async function createForMount(engine: Engine, v: NewVolume, project: string, helperImage: string, created: string[], signal?: AbortSignal): Promise<{ error: string } | { unmountable: string } | undefined> {
  const labels = v.external ? keptLabels(project, v.key) : composeLabels(project, v.key);
  const e = await createVolume(engine, { name: v.name, driver: v.driver ?? 'local', options: v.driverOpts ?? {}, labels }, signal);
  if (e) return { error: e };
  created.push(v.name);
  if (!mayFailToMount(v.driver, v.driverOpts)) return undefined;
  const mounted = await isEmpty(engine, v.name, helperImage, signal);
  return typeof mounted === 'object' ? { unmountable: mounted.reason } : undefined;
}

/**
 * What a failed restore or migration created, removed again: volumes, and host directories
 * that did not exist before (emptied through a helper first: their files have the archive's
 * owners). They hold nothing of the user's, at most a partial copy that a later `up` would
 * take for the data. Problems are logged, never thrown: the command's own error comes first.
 */
export async function removeCreated(
  engine: Engine, fs: Pick<HostFs, 'exists' | 'remove'> | undefined, helperImage: string,
  created: { volumes: readonly string[]; dirs: readonly string[] }, what: string, log: (line: string) => void,
): Promise<void> {
  for (const name of created.volumes) {
    const r = await engine.docker(['volume', 'rm', name]);
    if (r.code !== 0) log(`error: could not remove volume ${name}, which this ${what} created: ${oneLine(r.stderr)} (remove it with docker volume rm ${name})`);
  }
  for (const dir of created.dirs) {
    const r = await engine.docker(helperRun(helperImage, [[dir, '/to', false]], ['find', '/to', '-mindepth', '1', '-maxdepth', '1', '-exec', 'rm', '-rf', '{}', '+']));
    if (r.code === 0 && fs) await fs.remove(dir);
    if (r.code !== 0 || !fs || (await fs.exists(dir))) log(`error: could not remove ${dir}, which this ${what} created (remove it by hand)`);
  }
}
