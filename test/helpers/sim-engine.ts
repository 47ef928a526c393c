/**
 * A simulated engine for verify's unit tests: a small model of what Compose and
 * the engine do with containers, named volumes, binds and container layers
 * (create, recreate, down, down -v, helper containers joining with
 * --volumes-from, docker cp), driven through the Engine interface. Faults are
 * switches: `recreateKeepsLayer` (an engine that wrongly keeps the layer), ...
 */
import type { ComposeTarget, Engine, ExecOptions, ExecResult } from '../../src/engine/engine.js';
import type { VerifyHost } from '../../src/ops/verify.js';

type Files = Map<string, string>;
interface Mount { Destination: string; Type: 'volume' | 'bind'; Name?: string; Source?: string; RW: boolean }
interface Container { id: string; service: string; project: string; mounts: Mount[]; layer: Files; labels: Record<string, string> }

export interface SimOptions {
  /** Compose keeps the old container on --force-recreate (a broken recreate). */
  noRecreate?: boolean;
  /** down -v leaves the volumes (a broken Compose). */
  downVKeepsVolumes?: boolean;
  /** Fails this compose command (args joined by spaces). */
  failCompose?: string;
  /** What docker diff answers, per service (--run). */
  diff?: Record<string, string>;
  /** Called before each call (e.g. to abort in the middle). */
  onCall?: (kind: string, args: readonly string[]) => void;
}

export interface Sim {
  engine: Engine;
  host: VerifyHost & { files: Files; dirs: Set<string> };
  volumes: Map<string, { files: Files; labels: Record<string, string>; driver: string }>;
  containers: Container[];
  calls: string[];
  composeCalls: () => number;
}

let seq = 0;

/** sh words of the helper scripts: plain or single-quoted ('\'' for a quote). */
function words(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let i = 0;
  let inWord = false;
  while (i < line.length) {
    const c = line[i]!;
    if (c === "'") {
      const j = line.indexOf("'", i + 1);
      cur += line.slice(i + 1, j);
      i = j + 1;
      inWord = true;
    } else if (c === '\\' && line[i + 1] === "'") {
      cur += "'";
      i += 2;
      inWord = true;
    } else if (c === ' ') {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
      i++;
    } else {
      cur += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

export function simEngine(opts: SimOptions = {}): Sim {
  const files: Files = new Map();
  const dirs = new Set<string>();
  const volumes: Sim['volumes'] = new Map();
  const containers: Container[] = [];
  const calls: string[] = [];
  const ok = (stdout = ''): ExecResult => ({ code: 0, stdout, stderr: '' });
  const err = (stderr: string): ExecResult => ({ code: 1, stdout: '', stderr });

  const host: Sim['host'] = {
    files, dirs, tmpdir: '/tmp',
    mkdtemp: async (prefix) => {
      const d = `${prefix}X${seq++}`;
      dirs.add(d);
      return d;
    },
    writeFile: async (p, t) => void files.set(p, t),
    mkdir: async (p) => void dirs.add(p),
    copy: async (from, to) => void files.set(to, files.get(from) ?? ''),
    remove: async (p) => {
      for (const k of [...files.keys()]) if (k === p || k.startsWith(p + '/')) files.delete(k);
      for (const k of [...dirs]) if (k === p || k.startsWith(p + '/')) dirs.delete(k);
    },
    exists: async (p) => files.has(p) || dirs.has(p),
    kind: (p) => (files.has(p) ? 'file' : dirs.has(p) ? 'dir' : 'missing'),
  };

  const storage = (m: Mount): Files => {
    if (m.Type === 'volume') return volumes.get(m.Name!)!.files;
    // a bind: the host's files under Source, by full path
    return { get: (k: string) => files.get(`${m.Source}${k}`), set: (k: string, v: string) => files.set(`${m.Source}${k}`, v), has: (k: string) => files.has(`${m.Source}${k}`), delete: (k: string) => files.delete(`${m.Source}${k}`) } as unknown as Files;
  };
  /** Where a path of a container (or helper) lands: the covering mount's storage, else the layer. */
  const locate = (mounts: readonly Mount[], layer: Files, path: string): { files: Files; key: string; rw: boolean } => {
    const m = mounts.filter((x) => path === x.Destination || path.startsWith(x.Destination + '/')).sort((a, b) => b.Destination.length - a.Destination.length)[0];
    return m ? { files: storage(m), key: path.slice(m.Destination.length), rw: m.RW } : { files: layer, key: path, rw: true };
  };

  const composeFile = (t: ComposeTarget): Record<string, any> => JSON.parse(files.get(t.files[0]!)!);

  function create(t: ComposeTarget, recreate: boolean): ExecResult {
    const doc = composeFile(t);
    const services = Object.entries<Record<string, any>>(doc.services ?? {});
    const order: string[] = [];
    const visit = (s: string): void => {
      if (order.includes(s)) return;
      for (const ref of doc.services[s].volumes_from ?? []) visit(String(ref).split(':')[0]!);
      order.push(s);
    };
    services.forEach(([s]) => visit(s));
    for (const s of order) {
      const def = doc.services[s];
      const existing = containers.find((c) => c.project === t.project && c.service === s);
      if (existing && !(recreate && !opts.noRecreate)) continue;
      const mounts: Mount[] = [];
      for (const ref of def.volumes_from ?? []) {
        const from = containers.find((c) => c.project === t.project && c.service === String(ref).split(':')[0]);
        if (from) mounts.push(...from.mounts);
      }
      for (const v of def.volumes ?? []) {
        const [source, target, mode] = typeof v === 'string' ? v.split(':') : [v.source, v.target, v.read_only ? 'ro' : 'rw'];
        if (!target) continue;
        if (source in (doc.volumes ?? {})) {
          const vd = doc.volumes[source];
          const name = vd.external ? vd.name : vd.name ?? `${t.project}_${source}`;
          if (!volumes.has(name)) {
            if (vd.external) return err(`external volume "${name}" not found`);
            volumes.set(name, { files: new Map(), labels: { 'com.docker.compose.project': t.project }, driver: vd.driver ?? 'local' });
          }
          mounts.push({ Destination: target, Type: 'volume', Name: name, RW: mode !== 'ro' });
        } else {
          dirs.add(source);
          mounts.push({ Destination: target, Type: 'bind', Source: source, RW: mode !== 'ro' });
        }
      }
      if (existing) containers.splice(containers.indexOf(existing), 1);
      containers.push({ id: `c${seq++}`, service: s, project: t.project, mounts, layer: new Map(), labels: { 'com.docker.compose.project': t.project, 'com.docker.compose.service': s } });
    }
    return ok();
  }

  function helper(args: readonly string[]): ExecResult {
    const mounts: Mount[] = [];
    let i = 1;
    let script = '';
    const labels: Record<string, string> = {};
    for (; i < args.length; i++) {
      const a = args[i]!;
      if (a === '--volumes-from') {
        const [id, mode] = args[++i]!.split(':');
        const c = containers.find((x) => x.id === id);
        if (!c) return err(`No such container: ${id}`);
        for (const m of c.mounts) {
          if (mounts.some((x) => x.Destination === m.Destination)) return err(`Duplicate mount point: ${m.Destination}`);
          // like the engine: the :rw suffix does not lift a read-only mount of the long syntax
          mounts.push({ ...m, RW: m.RW && mode !== 'ro' });
        }
      } else if (a === '-v') {
        const [src, dest] = args[++i]!.split(':');
        mounts.push(volumes.has(src!) ? { Destination: dest!, Type: 'volume', Name: src!, RW: true } : { Destination: dest!, Type: 'bind', Source: src!, RW: true });
      } else if (a === '--label') {
        const [k, v] = args[++i]!.split('=');
        labels[k!] = v!;
      } else if (a === '--name' || a === '--network' || a === '--entrypoint') i++;
      else if (a === '-c') script = args[++i]!;
    }
    const layer: Files = new Map();
    let out = '';
    for (const line of script.split('\n')) {
      const w = words(line);
      if (w[0] === 'set' || w[0] === 'mkdir') continue;
      if (w[0] === 'printf' && w[1] === '%s') {
        const loc = locate(mounts, layer, w[4]!);
        if (!loc.rw) return err(`sh: can't create ${w[4]}: Read-only file system`);
        loc.files.set(loc.key, w[2]!);
      } else if (w[0] === 'if') {
        const path = w[3]!;
        const loc = locate(mounts, layer, path);
        const id = w[8]!;
        out += loc.files.has(loc.key) ? `${id} ${loc.files.get(loc.key)}\n` : `${id} -\n`;
      } else if (w[0] === 'rm') {
        const loc = locate(mounts, layer, w[2]!);
        loc.files.delete(loc.key);
      } else if (line.trim()) return err(`sim: unknown script line ${line}`);
    }
    return ok(out);
  }

  const tarName = (b: Uint8Array): { name: string; content: string } => {
    const buf = Buffer.from(b);
    const cstr = (s: number, n: number): string => buf.subarray(s, s + n).toString('utf8').replace(/\0.*$/s, '');
    const prefix = cstr(345, 155);
    const name = cstr(0, 100);
    const size = parseInt(cstr(124, 12), 8);
    return { name: '/' + (prefix ? `${prefix}/${name}` : name), content: buf.subarray(512, 512 + size).toString('utf8') };
  };

  function docker(args: readonly string[], options: ExecOptions = {}): ExecResult {
    const label = (a: readonly string[]): string | undefined => {
      const i = a.indexOf('--filter');
      return i >= 0 ? a[i + 1]!.replace(/^label=/, '') : undefined;
    };
    const byLabel = (l: string | undefined) => (c: { labels: Record<string, string>; name?: string }) => {
      if (!l) return true;
      if (l.startsWith('name=')) return (c.name ?? '').includes(l.slice(5));
      const [k, v] = l.split('=');
      return c.labels[k!] === v;
    };
    switch (args[0]) {
      case 'ps': {
        const list = containers.filter((c) => byLabel(label(args))({ ...c, name: `${c.project}_${c.service}_1` }));
        return ok(list.map((c) => (args.includes('-aq') ? c.id : `${c.id} ${c.service}`)).join('\n'));
      }
      case 'inspect':
        return ok(args.slice(3).map((id) => `${id} ${JSON.stringify(containers.find((c) => c.id === id)?.mounts ?? null)}`).join('\n'));
      case 'run':
        return helper(args);
      case 'cp': {
        if (args[1] === '-') {
          const [id] = args[2]!.split(':');
          const c = containers.find((x) => x.id === id)!;
          const t = tarName(options.input as Uint8Array);
          const loc = locate(c.mounts, c.layer, t.name);
          loc.files.set(loc.key, t.content);
          return ok();
        }
        const [id, path] = args[1]!.split(/:(.*)/s);
        const c = containers.find((x) => x.id === id);
        if (!c) return err('No such container');
        const loc = locate(c.mounts, c.layer, path!);
        return loc.files.has(loc.key) ? ok(`tar...${loc.files.get(loc.key)}...`) : err(`Could not find the file ${path} in container ${id}`);
      }
      case 'volume': {
        if (args[1] === 'ls') {
          const l = label(args);
          return ok([...volumes].filter(([n, v]) => byLabel(l && l.startsWith('dangling') ? undefined : l)({ ...v, name: n })).map(([n]) => n).join('\n'));
        }
        if (args[1] === 'rm') {
          const name = args[args.length - 1]!;
          if (!volumes.has(name)) return err(`No such volume: ${name}`);
          volumes.delete(name);
          return ok(name);
        }
        if (args[1] === 'create') {
          const name = args[args.length - 1]!;
          const labels: Record<string, string> = {};
          for (let i = 0; i < args.length; i++) if (args[i] === '--label') {
            const [k, v] = args[i + 1]!.split('=');
            labels[k!] = v!;
          }
          volumes.set(name, { files: new Map(), labels, driver: args[args.indexOf('--driver') + 1]! });
          return ok(name);
        }
        return err('sim: volume ' + args[1]);
      }
      case 'rm':
        for (const id of args.filter((a) => !a.startsWith('-')).slice(1)) {
          const i = containers.findIndex((c) => c.id === id);
          if (i >= 0) containers.splice(i, 1);
        }
        return ok();
      case 'network':
        return ok('');
      case 'diff': {
        const c = containers.find((x) => x.id === args[1]);
        return ok((c && opts.diff?.[c.service]) ?? '');
      }
      case 'kill':
        return ok();
      default:
        return err(`sim: docker ${args.join(' ')}`);
    }
  }

  let composeN = 0;
  const engine: Engine = {
    probe: async () => ({ compose: ['docker-compose'], composeVersion: '1.29.2', serverVersion: '20.10.24' }),
    compose: async (t, args, options) => {
      calls.push(`compose ${args.join(' ')}`);
      composeN++;
      opts.onCall?.('compose', args);
      if (options?.signal?.aborted) return { code: 143, stdout: '', stderr: 'aborted' };
      if (opts.failCompose === args.join(' ')) return err(`ERROR: ${args.join(' ')} failed on purpose`);
      if (args[0] === 'up') return create(t, args.includes('--force-recreate'));
      if (args[0] === 'down') {
        for (const c of containers.filter((x) => x.project === t.project)) containers.splice(containers.indexOf(c), 1);
        if (args.includes('-v') && !opts.downVKeepsVolumes) {
          for (const [n, v] of [...volumes]) if (v.labels['com.docker.compose.project'] === t.project) volumes.delete(n);
        }
        return ok();
      }
      return err('sim: compose ' + args.join(' '));
    },
    docker: async (args, options) => {
      calls.push(`docker ${args.join(' ')}`);
      opts.onCall?.('docker', args);
      if (options?.signal?.aborted) return { code: 143, stdout: '', stderr: 'aborted' };
      return docker(args, options);
    },
  };
  return { engine, host, volumes, containers, calls, composeCalls: () => composeN };
}
