/**
 * verify's throwaway project: the generated file rewritten so that running it
 * can never touch the user's own containers, volumes or host directories.
 *
 * - The project is `cpverify-<short hash>` (given to Compose with -p), so every
 *   generated volume gets that prefix; a volume's fixed `name:` is dropped so that
 *   it gets the prefix too, and an external (kept) volume is replaced by one the
 *   run creates itself under the project's prefix.
 * - Every bind source (relative, absolute, ~) points into the run's temporary
 *   directory. A socket or device keeps its path (nothing is written through it).
 * - Shared-storage and plugin volumes (a driver other than local, or driver_opts)
 *   reach real storage: their mounts are dropped unless includeShared.
 * - container_name, ports, profiles, deploy and scale go (they would collide with
 *   the real project or select nothing). Without `run`, the containers are only
 *   created: environment, secrets, networks, health checks and dependencies go
 *   too (network_mode: none), and services that are not needed are left out.
 *
 * Pure: the host file system is read only through `probe`.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { Level, Plan, ServicePlan } from '../model.js';
import { splitShortSpec } from '../compose/view.js';
import { asMapping } from '../yaml/plain.js';
import { NONE_PATTERN } from '../patterns/index.js';
import { hostPath } from './mounts.js';

type Obj = Record<string, unknown>;

export const CANARY_PREFIX = '.compose-persist-verify-';
export const VERIFY_LABEL = 'dev.compose-persist.verify';

/** What a host path is (for the services' own binds: a config file is copied, a socket kept). */
export type HostKind = 'file' | 'dir' | 'socket' | 'device' | 'missing';

export interface RewriteInput {
  plan: Plan;
  /** The generated file's data. */
  output: unknown;
  project: string;
  /** The run's temporary directory (bind sources go under it). */
  tempDir: string;
  /** Directory relative bind sources of the real file resolve against. */
  baseDir: string;
  home?: string;
  includeShared?: boolean;
  /** Only these services of the block (default: every one). */
  services?: readonly string[];
  /** Keep what the real processes need (environment, networks, dependencies): --run. */
  run?: boolean;
  /** Kind of a real host path. */
  probe: (path: string) => HostKind;
}

/** A bind source of the throwaway file and how to prepare it before `up`. */
export interface PreparedBind {
  /** The real source, absolute. */
  real: string;
  /** Its replacement under tempDir. */
  path: string;
  /** dir: an empty directory; copy: a copy of the real file or directory (read by the service). */
  make: 'dir' | 'copy';
}

/** A persisted mount as verify checks it. */
export interface CheckedMount {
  /** Short id, unique in the run: names the canary. */
  id: string;
  service: string;
  pattern: string;
  level: Level;
  target: string;
  /** How the throwaway file holds it. */
  kind: 'volume' | 'bind' | 'layer';
  /** Volume: the throwaway's engine name; bind: the path under tempDir. */
  source?: string;
  /** On shared storage or a plugin (reaches real storage). */
  shared: boolean;
  /** Why it is not exercised (absent: it is). */
  notExercised?: string;
  /** What the report says about it (e.g. not mounted in the file). */
  note?: string;
  /** A kept (external) volume: the run creates it (driver and options). */
  create?: { name: string; driver: string; options: Record<string, string> };
}

export interface Rewritten {
  /** The throwaway compose data (written as JSON, which Compose reads as YAML). */
  compose: Obj;
  mounts: CheckedMount[];
  binds: PreparedBind[];
  /** External volumes the run creates before `up` (and removes). */
  volumesToCreate: { name: string; driver: string; options: Record<string, string> }[];
  /** Compose services of the throwaway file. */
  services: string[];
  /** The block's services that are checked. */
  checked: string[];
  errors: string[];
}

/** `cpverify-` and 8 hex digits of the file, the time and a random part: two runs never share a name. */
export function throwawayName(seed: string, random: () => number = Math.random): string {
  return `cpverify-${createHash('sha256').update(`${seed}\0${Date.now()}\0${random()}`).digest('hex').slice(0, 8)}`;
}

const KEEP_ALWAYS = ['image', 'build', 'volumes', 'volumes_from', 'tmpfs', 'user', 'working_dir', 'command', 'entrypoint', 'labels', 'platform', 'stop_signal', 'pull_policy'];
const DROP_ALWAYS = ['container_name', 'ports', 'profiles', 'deploy', 'scale', 'restart', 'hostname', 'domainname', 'mac_address'];

const isSharedDef = (def: Obj): boolean => (typeof def.driver === 'string' && def.driver !== 'local') || Object.keys(asMapping(def.driver_opts)).length > 0;

/** Service names a service needs: its volumes_from (and with run, its depends_on). */
function needs(svc: Obj, run: boolean): string[] {
  const out: string[] = [];
  if (Array.isArray(svc.volumes_from)) {
    for (const ref of svc.volumes_from) {
      const s = String(ref);
      if (!s.startsWith('container:')) out.push(s.replace(/^service:/, '').split(':')[0]!);
    }
  }
  if (run) {
    const d = svc.depends_on;
    if (Array.isArray(d)) out.push(...d.map(String));
    else out.push(...Object.keys(asMapping(d)));
    const nm = typeof svc.network_mode === 'string' ? /^service:(.+)$/.exec(svc.network_mode) : null;
    if (nm) out.push(nm[1]!);
  }
  return out;
}

const safeName = (s: string): string => s.replace(/^[./~]+/, '').replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 60) || 'root';

export function rewriteForVerify(input: RewriteInput): Rewritten {
  const out = asMapping(input.output);
  const services = asMapping(out.services);
  const topVolumes = asMapping(out.volumes);
  const run = input.run ?? false;
  const errors: string[] = [];
  const planned = new Map(input.plan.services.map((s) => [s.service, s]));
  for (const name of input.services ?? []) {
    if (!planned.has(name)) errors.push(`service "${name}" is not in the persistence block (checked services: ${[...planned.keys()].join(', ') || 'none'})`);
  }
  const checked = input.plan.services.map((s) => s.service).filter((s) => !input.services?.length || input.services.includes(s)).filter((s) => s in services);

  // Top-level volumes: shared ones without includeShared are dropped with their mounts.
  const sharedKeys = new Set<string>();
  const newVolumes: Obj = {};
  const keptCreate = new Map<string, { name: string; driver: string; options: Record<string, string> }>();
  const plannedVolume = (key: string) => input.plan.services.flatMap((s) => s.volumes).find((v) => v.name === key);
  for (const [key, raw] of Object.entries(topVolumes)) {
    const def = { ...asMapping(raw) };
    const pv = plannedVolume(key);
    const external = def.external === true || (typeof def.external === 'object' && def.external !== null);
    const driver = external ? pv?.driver?.driver : typeof def.driver === 'string' ? def.driver : undefined;
    const options = external ? pv?.driver?.driverOpts ?? {} : Object.fromEntries(Object.entries(asMapping(def.driver_opts)).map(([k, v]) => [k, String(v)]));
    const shared = (driver !== undefined && driver !== 'local') || Object.keys(options).length > 0;
    if (shared && !input.includeShared) {
      sharedKeys.add(key);
      continue;
    }
    if (external) {
      // The user's kept volume is never used: the run makes its own under the project's prefix.
      const name = `${input.project}_${safeName(key)}`;
      const spec = { name, driver: driver ?? 'local', options };
      keptCreate.set(key, spec);
      newVolumes[key] = { external: true, name };
      continue;
    }
    delete def.name;
    if (!run) delete def.labels;
    newVolumes[key] = def;
  }

  // The services to create: the checked ones and what they need.
  const keep = new Set<string>();
  const visit = (name: string): void => {
    if (keep.has(name) || !(name in services)) return;
    keep.add(name);
    for (const n of needs(asMapping(services[name]), run)) visit(n);
  };
  // A service whose every mount is on storage that is not exercised is not created at all.
  const allShared = (service: string): boolean => {
    const sp = planned.get(service)!;
    const targets = [...sp.volumes.map((v) => v.target), ...sp.binds.map((x) => x.target)];
    const here = mountsOf(out, service);
    return targets.length > 0 && targets.every((t) => {
      const m = here.get(t.replace(/\/+$/, '') || '/');
      return m !== undefined && m.kind === 'volume' && sharedKeys.has(m.key);
    });
  };
  checked.filter((s) => !allShared(s)).forEach(visit);
  if (run) {
    // init services (bind owner:) run before their service.
    for (const [name, def] of Object.entries(services)) {
      const labels = asMapping(asMapping(def).labels);
      if (labels['dev.compose-persist.role'] === 'init' && keep.has(String(labels['dev.compose-persist.service']))) visit(name);
    }
  }

  // Services: the mounts rewritten, the rest stripped.
  const binds: PreparedBind[] = [];
  const bindFor = new Map<string, PreparedBind>();
  const redirect = (source: string, readOnly: boolean, persisted: boolean): string => {
    const real = hostPath(source, input.baseDir, input.home);
    const kind = input.probe(real);
    if (!persisted && (kind === 'socket' || kind === 'device')) return real;
    const seen = bindFor.get(real);
    if (seen) return seen.path;
    const make: PreparedBind['make'] = !persisted && (kind === 'file' || (kind === 'dir' && readOnly && run)) ? 'copy' : 'dir';
    const b: PreparedBind = { real, path: `${input.tempDir}/binds/${binds.length}-${safeName(basename(real))}`, make };
    binds.push(b);
    bindFor.set(real, b);
    return b.path;
  };
  const persistedBindSources = new Set(input.plan.services.flatMap((s) => s.binds.map((b) => hostPath(b.source, input.baseDir, input.home))));
  const newServices: Obj = {};
  for (const name of Object.keys(services)) {
    if (!keep.has(name)) continue;
    const src = asMapping(services[name]);
    const svc: Obj = {};
    for (const [k, v] of Object.entries(src)) {
      if (DROP_ALWAYS.includes(k)) continue;
      if (!run && !KEEP_ALWAYS.includes(k) && !k.startsWith('x-')) continue;
      svc[k] = v;
    }
    if (!run) svc.network_mode = 'none';
    else if (Array.isArray(src.depends_on) || src.depends_on) {
      const deps = Array.isArray(src.depends_on) ? src.depends_on.map(String) : Object.keys(asMapping(src.depends_on));
      if (deps.some((d) => !keep.has(d))) svc.depends_on = Array.isArray(src.depends_on) ? deps.filter((d) => keep.has(d)) : Object.fromEntries(Object.entries(asMapping(src.depends_on)).filter(([d]) => keep.has(d)));
    }
    if (Array.isArray(src.volumes)) {
      const vols: unknown[] = [];
      for (const v of src.volumes) {
        if (typeof v === 'string') {
          const parts = splitShortSpec(v);
          if (parts.length < 2) {
            vols.push(v);
            continue;
          }
          const [source, target, ...mode] = parts as [string, string, ...string[]];
          const isVolume = source in topVolumes || !/^[./~$]/.test(source);
          if (isVolume) {
            if (!sharedKeys.has(source)) vols.push(v);
            continue;
          }
          const ro = mode.some((m) => m.split(',').includes('ro'));
          vols.push([redirect(source, ro, persistedBindSources.has(hostPath(source, input.baseDir, input.home))), target, ...mode].join(':'));
        } else {
          const m = { ...asMapping(v) };
          const source = typeof m.source === 'string' ? m.source : undefined;
          if (m.type === 'bind' && source) {
            m.source = redirect(source, m.read_only === true, persistedBindSources.has(hostPath(source, input.baseDir, input.home)));
          } else if (m.type === 'volume' && source && sharedKeys.has(source)) continue;
          vols.push(m);
        }
      }
      svc.volumes = vols;
    }
    newServices[name] = svc;
  }

  const compose: Obj = { services: newServices };
  if (typeof out.version === 'string') compose.version = out.version;
  const usedVolumes = new Set<string>();
  for (const s of Object.values(newServices)) {
    for (const v of Array.isArray(asMapping(s).volumes) ? (asMapping(s).volumes as unknown[]) : []) {
      const source = typeof v === 'string' ? splitShortSpec(v)[0] : asMapping(v).source;
      if (typeof source === 'string' && source in newVolumes) usedVolumes.add(source);
    }
  }
  const vols = Object.fromEntries(Object.entries(newVolumes).filter(([k]) => usedVolumes.has(k)));
  if (Object.keys(vols).length) compose.volumes = vols;
  if (run) {
    for (const key of ['networks', 'secrets', 'configs'] as const) {
      const top = asMapping(out[key]);
      if (!Object.keys(top).length) continue;
      compose[key] = key === 'networks'
        ? Object.fromEntries(Object.entries(top).map(([k, v]) => {
          const def = { ...asMapping(v) };
          if (!def.external) delete def.name;
          return [k, def];
        }))
        : top;
    }
  }

  const mounts = checkedMounts(input, checked, compose, sharedKeys, keptCreate);
  const toCreate = [...keptCreate].filter(([k]) => usedVolumes.has(k)).map(([, v]) => v);
  return { compose, mounts, binds, volumesToCreate: toCreate, services: Object.keys(newServices), checked, errors };
}

/** The source at each target of a service in the throwaway file (volumes_from followed). */
function mountsOf(compose: Obj, service: string, depth = 0): Map<string, { kind: 'volume' | 'bind'; key: string }> {
  const res = new Map<string, { kind: 'volume' | 'bind'; key: string }>();
  const svc = asMapping(asMapping(compose.services)[service]);
  const named = asMapping(compose.volumes);
  if (depth < 3 && Array.isArray(svc.volumes_from)) {
    for (const ref of svc.volumes_from) {
      const s = String(ref);
      if (!s.startsWith('container:')) for (const [t, m] of mountsOf(compose, s.replace(/^service:/, '').split(':')[0]!, depth + 1)) res.set(t, m);
    }
  }
  for (const v of Array.isArray(svc.volumes) ? svc.volumes : []) {
    let source: string | undefined;
    let target: string | undefined;
    if (typeof v === 'string') [source, target] = splitShortSpec(v);
    else if (asMapping(v).type !== 'tmpfs') {
      source = typeof asMapping(v).source === 'string' ? (asMapping(v).source as string) : undefined;
      target = typeof asMapping(v).target === 'string' ? (asMapping(v).target as string) : undefined;
    }
    if (!source || !target) continue;
    res.set(target.replace(/\/+$/, '') || '/', source in named || !/^[./~$]/.test(source) ? { kind: 'volume', key: source } : { kind: 'bind', key: source });
  }
  return res;
}

function checkedMounts(input: RewriteInput, checked: readonly string[], compose: Obj, sharedKeys: ReadonlySet<string>, kept: ReadonlyMap<string, { name: string; driver: string; options: Record<string, string> }>): CheckedMount[] {
  const mounts: CheckedMount[] = [];
  const original = asMapping(input.output);
  const named = asMapping(compose.volumes);
  for (const service of checked) {
    const sp = input.plan.services.find((s) => s.service === service) as ServicePlan;
    const targets = [...sp.volumes.map((v) => v.target), ...sp.binds.map((b) => b.target)].map((t) => t.replace(/\/+$/, '') || '/');
    const here = mountsOf(compose, service);
    const before = mountsOf(original, service);
    // none: nothing is mounted; its canary goes into the container's own layer.
    if (!targets.length) targets.push('/');
    for (const target of targets) {
      const id = `m${mounts.length}`;
      const base = { id, service, pattern: sp.pattern, level: sp.level, target };
      const m = here.get(target);
      const was = before.get(target);
      if (!m) {
        if (was && was.kind === 'volume' && sharedKeys.has(was.key)) {
          mounts.push({ ...base, kind: 'volume', shared: true, notExercised: `on shared storage or a plugin (volume ${was.key}): reaches real storage, exercised only with --include-shared` });
        } else mounts.push({ ...base, kind: 'layer', shared: false, note: sp.pattern === NONE_PATTERN && target === '/' ? 'pattern none: the canary is in the container\'s own layer' : `nothing is mounted at ${target} in the file that runs: its data is in the container's own layer` });
        continue;
      }
      if (m.kind === 'bind') {
        mounts.push({ ...base, kind: 'bind', source: m.key, shared: false });
        continue;
      }
      const def = asMapping(named[m.key]);
      const k = kept.get(m.key);
      const engineName = k ? k.name : typeof def.name === 'string' ? def.name : `${input.project}_${m.key}`;
      mounts.push({ ...base, kind: 'volume', source: engineName, shared: k ? k.driver !== 'local' || Object.keys(k.options).length > 0 : isSharedDef(def), ...(k ? { create: k } : {}) });
    }
  }
  return mounts;
}
