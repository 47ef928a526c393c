/**
 * An independent statement of what the output must mean, computed from the
 * parsed input (merge keys applied): the input minus the block, plus what
 * each pattern adds (DESIGN.md, "What each pattern emits"). The tool's own
 * modules are not used, so a bug in them cannot hide in the oracle.
 *
 * Compared after normalise(): `driver_opts.o` becomes its list of options and
 * a short volume spec its list of ":" fields, so a value that adds an option
 * or a field (an injection) shows up as a difference.
 */
import { parse } from 'yaml';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => Boolean(v) && typeof v === 'object' && !Array.isArray(v);
const own = (o: Obj, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** Deep copy without shared references (aliases parse to shared objects). */
export function clone<T>(v: T): T {
  if (v instanceof OptList) return v;
  if (Array.isArray(v)) return v.map(clone) as T;
  if (isObj(v)) {
    const out: Obj = {};
    for (const k of Object.keys(v)) Object.defineProperty(out, k, { value: clone(v[k]), enumerable: true, writable: true, configurable: true });
    return out as T;
  }
  return v;
}

export function parseYaml(text: string): unknown {
  return parse(text, { merge: true, uniqueKeys: true, maxAliasCount: -1 });
}

const normTarget = (t: string): string => (t.length > 1 ? t.replace(/\/+$/, '') : t);
export function lastSegmentName(target: string): string {
  const seg = target.split('/').filter(Boolean).pop() ?? 'root';
  const clean = seg.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '');
  return clean || 'root';
}
const normSource = (s: string): string => (/^([./~]|\$\{)/.test(s) ? s : `./${s}`);
const joinPath = (root: string, sub: string): string => (sub === '.' ? root : `${root.replace(/\/+$/, '')}/${sub.replace(/^\/+/, '')}`);

const PRESET_DRIVER: Record<string, string> = { convoy: 'convoy', rexray: 'rexray', flocker: 'flocker' };

/** An option list, kept as a list: the oracle never joins it. */
class OptList {
  constructor(readonly items: string[]) {}
}

function driverFor(b: Obj, sub: string, mountOptions: Obj): Obj {
  switch (b.type) {
    case 'nfs': {
      const version = String(b.version ?? '4');
      const opts = Array.isArray(b.options) && b.options.length ? (b.options as string[]) : version.startsWith('3') ? ['rw', 'nolock', 'hard'] : ['rw'];
      return { driver: 'local', driver_opts: { type: 'nfs', o: new OptList([`addr=${String(b.address)}`, ...opts, `nfsvers=${version}`]), device: `:${joinPath(String(b.export), sub)}` } };
    }
    case 'cifs': {
      const o = [`addr=${String(b.address)}`];
      if (b.username) o.push(`username=${String(b.username)}`);
      if (b.password) o.push(`password=${String(b.password)}`);
      if (b.domain) o.push(`domain=${String(b.domain)}`);
      o.push(`vers=${String(b.version ?? '3.0')}`);
      if (b.uid !== undefined) o.push(`uid=${String(b.uid)}`);
      if (b.gid !== undefined) o.push(`gid=${String(b.gid)}`);
      o.push(...((b.options as string[] | undefined) ?? []));
      return { driver: 'local', driver_opts: { type: 'cifs', o: new OptList(o), device: `//${String(b.address)}/${joinPath(String(b.share), sub)}` } };
    }
    case 'hostpath':
      return { driver: 'local', driver_opts: { type: 'none', o: new OptList(['bind']), device: joinPath(String(b.path), sub) } };
    default: {
      const merged: Obj = {};
      for (const src of [isObj(b.options) ? b.options : {}, mountOptions]) for (const k of Object.keys(src)) Object.defineProperty(merged, k, { value: String(src[k]), enumerable: true, writable: true, configurable: true });
      // Empty driver_opts are left out.
      return { driver: b.driver !== undefined ? String(b.driver) : PRESET_DRIVER[String(b.preset)], ...(Object.keys(merged).length ? { driver_opts: merged } : {}) };
    }
  }
}

function setKey(o: Obj, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** The expected output (before normalise) for an input the tool accepts. */
export function expectedOutput(input: Obj, target: 'compose' | 'swarm'): Obj {
  const key = own(input, 'x-persistence') ? 'x-persistence' : 'persistence';
  const block = (isObj(input[key]) ? input[key] : {}) as Obj;
  const out = clone(input);
  delete out[key];
  if (target === 'swarm') out.version = '3.8';
  const services = out.services as Obj;
  const topVolumes: [string, unknown][] = [];
  const backends = (isObj(block.backends) ? block.backends : {}) as Obj;
  for (const [name, raw] of Object.entries((isObj(block.services) ? block.services : {}) as Obj)) {
    const s = (isObj(raw) ? raw : {}) as Obj;
    const pattern = String(s.pattern ?? block.default);
    const svc = services[name] as Obj;
    const mounts = ((s.mounts as unknown[]) ?? []).map((m) => (typeof m === 'string' ? { target: m } : (m as Obj)));
    const image = s.image !== undefined ? String(s.image) : 'busybox:latest';
    // Generated services carry the service's profiles (issue 12.8).
    const profiles = Array.isArray(svc.profiles) && svc.profiles.length ? { profiles: (svc.profiles as unknown[]).map(String) } : {};
    const resolved = mounts.map((m) => {
      const t = normTarget(String(m.target));
      const n = m.name !== undefined ? String(m.name) : `${name}-${lastSegmentName(t)}`;
      return { target: t, name: n, ro: m.read_only === true, m };
    });
    const volumeEntry = (r: (typeof resolved)[number]): Obj => ({ type: 'volume', source: r.name, target: r.target, ...(r.ro ? { read_only: true } : {}) });
    const append = (k: string, items: unknown[]): void => {
      setKey(svc, k, [...(Array.isArray(svc[k]) ? (svc[k] as unknown[]) : []), ...items]);
    };
    const dependOn = (dep: string, condition: string): void => {
      const cur = svc.depends_on;
      const base: Obj = Array.isArray(cur) ? Object.fromEntries(cur.map((d) => [String(d), { condition: 'service_started' }])) : isObj(cur) ? cur : {};
      setKey(base, dep, { condition });
      setKey(svc, 'depends_on', base);
    };
    const pin = (): void => {
      if (target !== 'swarm' || s.node === undefined) return;
      const deploy = (isObj(svc.deploy) ? svc.deploy : {}) as Obj;
      const placement = (isObj(deploy.placement) ? deploy.placement : {}) as Obj;
      // A constraint the service states itself is not written twice.
      const own: unknown[] = Array.isArray(placement.constraints) ? placement.constraints : [];
      const constraint = `node.hostname == ${String(s.node)}`;
      placement.constraints = own.includes(constraint) ? own : [...own, constraint];
      deploy.placement = placement;
      svc.deploy = deploy;
    };
    switch (pattern) {
      case 'none':
        break;
      case 'volume':
        append('volumes', resolved.map(volumeEntry));
        for (const r of resolved) topVolumes.push([r.name, {}]);
        pin();
        break;
      case 'data-container': {
        const sc = `${name}-data`;
        append('volumes_from', [sc]);
        dependOn(sc, 'service_started');
        setKey(services, sc, { image, ...profiles, command: ['true'], labels: { 'dev.compose-persist.role': 'data-container', 'dev.compose-persist.service': name }, volumes: resolved.map(volumeEntry) });
        for (const r of resolved) topVolumes.push([r.name, {}]);
        break;
      }
      case 'bind': {
        const binds = resolved.map((r) => ({ ...r, source: normSource(r.m.source !== undefined ? String(r.m.source) : `./data/${r.name}`) }));
        append('volumes', binds.map((b) => new OptList([b.source, b.target, ...(b.ro ? ['ro'] : [])])));
        if (s.owner !== undefined) {
          const init = `${name}-init`;
          // Swarm ignores depends_on: the init task is pinned and restarted until it succeeds.
          if (target !== 'swarm') dependOn(init, 'service_completed_successfully');
          const swarmDeploy = target === 'swarm' ? { deploy: { restart_policy: { condition: 'on-failure', max_attempts: 3 }, ...(s.node !== undefined ? { placement: { constraints: [`node.hostname == ${String(s.node)}`] } } : {}) } } : {};
          setKey(services, init, {
            ...swarmDeploy,
            image,
            ...profiles,
            user: '0:0',
            command: ['chown', '-R', String(s.owner), ...binds.map((b) => `/mnt/${b.name}`)],
            volumes: binds.map((b) => new OptList([b.source, `/mnt/${b.name}`])),
            labels: { 'dev.compose-persist.role': 'init', 'dev.compose-persist.service': name },
          });
        }
        pin();
        break;
      }
      case 'shared':
      case 'plugin': {
        const b = backends[String(s.backend)] as Obj;
        append('volumes', resolved.map(volumeEntry));
        for (const r of resolved) topVolumes.push([r.name, driverFor(b, r.m.path !== undefined ? String(r.m.path) : r.name, isObj(r.m.options) ? r.m.options : {})]);
        break;
      }
      default:
        throw new Error(`oracle: unknown pattern ${pattern}`);
    }
  }
  if (topVolumes.length) {
    const vols = (isObj(out.volumes) ? out.volumes : {}) as Obj;
    for (const [n, v] of topVolumes) setKey(vols, n, v);
    out.volumes = vols;
  }
  return normalise(out, true);
}

/** Option strings and short volume specs as lists; applied to both sides. */
export function normalise(doc: Obj, expected = false): Obj {
  const d = clone(doc);
  const services = isObj(d.services) ? d.services : {};
  for (const k of Object.keys(services)) {
    const svc = services[k];
    if (!isObj(svc) || !Array.isArray(svc.volumes)) continue;
    svc.volumes = svc.volumes.map((v) => (v instanceof OptList ? v.items : typeof v === 'string' ? v.split(':') : v));
  }
  const vols = isObj(d.volumes) ? d.volumes : {};
  for (const k of Object.keys(vols)) {
    const v = vols[k];
    // The local driver's `o` is a comma-separated mount option list; a plugin's `o` is its own business.
    if (!isObj(v) || v.driver !== 'local' || !isObj(v.driver_opts) || !own(v.driver_opts, 'o')) continue;
    const o = v.driver_opts.o;
    v.driver_opts.o = o instanceof OptList ? o.items : typeof o === 'string' && !expected ? o.split(',') : o;
  }
  return d;
}
