/**
 * Data safety between two versions of a generated file: where a service's
 * data lived before and where it lives now. A mount target whose source
 * changed (a renamed volume, volume -> bind, a dropped mount) starts empty,
 * and the old data is stranded: say so, with how to move it.
 */
import type { Diagnostic } from '../diagnostics.js';
import { splitShortSpec } from '../compose/view.js';
import { parseSource } from '../parse/parse.js';
import { asMapping } from '../yaml/plain.js';
import { shellCommand, type ShellPart } from '../shell-quote.js';
import { trimEndOf } from '../strings.js';

type Obj = Record<string, unknown>;

/** Where the data at one target comes from. */
export interface DataSource {
  kind: 'volume' | 'bind';
  /** The volume's key under top-level volumes:, or the bind source as written. */
  name: string;
  /**
   * Volumes: the engine's name for it: the definition's `name:` (a kept, external volume's
   * fixed name), else `<project>_<key>` as Compose names it (`<project>` when not known).
   */
  engineName?: string;
  external?: boolean;
  /** The definition gives the engine name (name:), so no project prefix applies. */
  givenName?: boolean;
  driver?: string;
  driverOpts?: Record<string, string>;
}

/** One mount target whose data changes home between two files. */
export interface DataMove {
  service: string;
  target: string;
  from: DataSource;
  /** Absent: nothing is mounted there any more (the service or the mount was dropped). */
  to?: DataSource;
  /** The service itself is gone from the new file. */
  serviceGone: boolean;
  /** The old source is still mounted by some service of the new file. */
  usedElsewhere: boolean;
}

const PLACEHOLDER_PROJECT = '<project>';

function volumeSource(compose: Obj, key: string, project: string): DataSource {
  const def = asMapping(asMapping(compose.volumes)[key]);
  const external = def.external === true || (typeof def.external === 'object' && def.external !== null);
  const externalName = typeof def.external === 'object' && def.external !== null ? asMapping(def.external).name : undefined;
  const given = typeof def.name === 'string' ? def.name : typeof externalName === 'string' ? externalName : undefined;
  // Compose: an external volume without name: is looked up by its key, unprefixed.
  const engineName = given ?? (external ? key : `${project}_${key}`);
  const opts = asMapping(def.driver_opts);
  return {
    kind: 'volume', name: key, engineName,
    ...(external ? { external: true } : {}),
    ...(given !== undefined ? { givenName: true } : {}),
    ...(typeof def.driver === 'string' ? { driver: def.driver } : {}),
    ...(Object.keys(opts).length ? { driverOpts: Object.fromEntries(Object.entries(opts).map(([k, v]) => [k, String(v)])) } : {}),
  };
}

/**
 * Entries copied from one service's mounts to another's through volumes_from, at most, in one
 * file. Each service's mounts are read once (the walk per path was exponential: 40 services
 * that each take volumes_from of all the others took 21 s), but a web of volumes_from can still
 * ask for n x m copies; past this, the file is refused (TOO_COMPLEX) rather than read slowly.
 */
export const MAX_INHERITED_MOUNTS = 4_000_000;

export class TooComplexError extends Error {}

/** serviceMounts for every service of one file: each service's mounts read once, volumes_from followed (3 levels, as before). */
export function mountReader(compose: unknown, project = PLACEHOLDER_PROJECT): (service: string) => Map<string, DataSource> {
  const doc = asMapping(compose);
  const services = asMapping(doc.services);
  const named = new Set(Object.keys(asMapping(doc.volumes)));
  const memo = new Map<string, Map<string, DataSource>>();
  let copied = 0;
  const read = (service: string, depth: number): Map<string, DataSource> => {
    const key = `${depth}\u0000${service}`;
    const known = memo.get(key);
    if (known) return known;
    const out = new Map<string, DataSource>();
    const svc = asMapping(services[service]);
    // volumes_from: the sidecar's mounts are the service's own.
    if (depth < 3 && Array.isArray(svc.volumes_from)) {
      for (const ref of svc.volumes_from) {
        const name = String(ref).replace(/^service:/, '').split(':')[0]!;
        if (String(ref).startsWith('container:')) continue;
        const inherited = read(name, depth + 1);
        copied += inherited.size;
        if (copied > MAX_INHERITED_MOUNTS) throw new TooComplexError(`volumes_from makes services take over ${MAX_INHERITED_MOUNTS.toLocaleString('en-US')} mounts from one another; a compose file never needs this many`);
        for (const [t, s] of inherited) out.set(t, s);
      }
    }
    for (const v of Array.isArray(svc.volumes) ? svc.volumes : []) {
      let source: string | undefined;
      let target: string | undefined;
      if (typeof v === 'string') {
        const parts = splitShortSpec(v);
        if (parts.length >= 2) [source, target] = parts;
      } else {
        const m = asMapping(v);
        if (m.type === 'tmpfs') continue;
        source = typeof m.source === 'string' ? m.source : undefined;
        target = typeof m.target === 'string' ? m.target : undefined;
      }
      if (!source || !target) continue;
      const isVolume = named.has(source) || !/^[./~$]/.test(source);
      out.set(trimEndOf(target, '/') || '/', isVolume ? volumeSource(doc, source, project) : { kind: 'bind', name: source });
    }
    memo.set(key, out);
    return out;
  };
  return (service) => read(service, 0);
}

/** The data source at each target of a service (volumes_from followed), keyed by target. */
export function serviceMounts(compose: unknown, service: string, project = PLACEHOLDER_PROJECT): Map<string, DataSource> {
  return new Map(mountReader(compose, project)(service));
}

/** The same data: the same engine volume (whatever its key), or the same bind source. */
const sameData = (a: DataSource, b: DataSource): boolean =>
  a.kind === b.kind && (a.kind === 'volume' ? a.engineName === b.engineName : a.name === b.name);

/** sameData as a key: equal keys, the same data. */
const dataKey = (s: DataSource): string => JSON.stringify(s.kind === 'volume' ? ['volume', s.engineName] : ['bind', s.name]);

const describe = (s: DataSource): string => (s.kind === 'bind' ? `bind ${s.name}` : s.external ? `external volume ${s.engineName}` : `volume ${s.name}`);

/** The engine names a project's volume `<project>_<name>`: the pasted command takes the project from the variable Compose reads. */
const PROJECT = { raw: '"${COMPOSE_PROJECT_NAME:?}"_' };
const PROJECT_NOTE = ' (with COMPOSE_PROJECT_NAME set to the Compose project name)';

/** A managed volume's engine name carries the project; an external one's is fixed. */
const managed = (s: DataSource): boolean => s.kind === 'volume' && !s.external && !s.givenName;

/** A mount source as one sh word: a volume of the project, a fixed-name volume, or a bind path made absolute (docker run takes no relative path). */
function hostWord(s: DataSource, suffix: string): ShellPart {
  if (s.kind === 'volume') return managed(s) ? [PROJECT, s.name + suffix] : (s.engineName ?? s.name) + suffix;
  if (s.name.startsWith('/')) return s.name + suffix;
  if (s.name.startsWith('~/')) return [{ raw: '~/' }, s.name.slice(2) + suffix];
  return [{ raw: '"$PWD"/' }, s.name.replace(/^\.\//, '') + suffix];
}

const NOT_QUOTABLE = 'a name holds a control character, so no command is printed to paste; move the data by hand';

function migrationHint(from: DataSource, to: DataSource | undefined): string {
  const volumes = managed(from) || (to !== undefined && managed(to)) ? PROJECT_NOTE : '';
  if (!to) {
    const cmd = shellCommand(['docker', 'run', '--rm', '-v', hostWord(from, ':/from'), 'busybox', 'ls', '/from']);
    return cmd ? `to keep it, mount it again; to read it${volumes}: ${cmd}` : `to keep it, mount it again; ${NOT_QUOTABLE}`;
  }
  const cmd = shellCommand(['docker', 'run', '--rm', '-v', hostWord(from, ':/from'), '-v', hostWord(to, ':/to'), 'busybox', 'cp', '-a', '/from/.', '/to/']);
  return cmd ? `to move the data before starting${volumes} (or compose-persist migrate OLD NEW --apply): ${cmd}` : NOT_QUOTABLE;
}

function volumeRmHint(name: string): string {
  const cmd = shellCommand(['docker', 'volume', 'rm', [PROJECT, name]]);
  return `copy the data out, remove the volume (${cmd ? `${cmd}${PROJECT_NOTE}` : 'docker volume rm, by hand: the name holds a control character'}), then up again and copy it back`;
}

/**
 * Every mount target whose data changes home from the old file to the new one. `project` is
 * the Compose project both run under (it decides managed volumes' engine names, and so whether
 * a kept volume's fixed name is the volume a managed one was); default `<project>`.
 */
export function dataMoves(oldCompose: unknown, newCompose: unknown, project = PLACEHOLDER_PROJECT): DataMove[] {
  const before = asMapping(oldCompose);
  const after = asMapping(newCompose);
  const out: DataMove[] = [];
  const readBefore = mountReader(before, project);
  const readAfter = mountReader(after, project);
  // Every data source the new file mounts, once (a search of every mount per move was n x m).
  const mountedAfter = new Set<string>();
  for (const s of Object.keys(asMapping(after.services))) for (const m of readAfter(s).values()) mountedAfter.add(dataKey(m));
  for (const service of Object.keys(asMapping(before.services))) {
    const was = readBefore(service);
    if (!was.size) continue;
    const stillService = Object.hasOwn(asMapping(after.services), service);
    const now = stillService ? readAfter(service) : new Map<string, DataSource>();
    for (const [target, from] of was) {
      const to = now.get(target);
      if (to && sameData(from, to)) continue;
      const usedElsewhere = mountedAfter.has(dataKey(from));
      out.push({ service, target, from, ...(to ? { to } : {}), serviceGone: !stillService, usedElsewhere });
    }
  }
  return out;
}

/** Findings about NEW carry `file`; a service that is gone is pointed at in `oldFile`. */
export function dataSafety(oldCompose: unknown, newCompose: unknown, file: string, project?: string, oldFile = file): Diagnostic[] {
  const before = asMapping(oldCompose);
  const after = asMapping(newCompose);
  const out: Diagnostic[] = [];
  let moves: DataMove[];
  try {
    moves = dataMoves(before, after, project);
  } catch (e) {
    if (e instanceof TooComplexError) return [{ code: 'TOO_COMPLEX', severity: 'error', file, path: ['services'], message: e.message }];
    throw e;
  }
  for (const { service, target, from, to, serviceGone, usedElsewhere } of moves) {
    if (serviceGone && !usedElsewhere) {
      out.push({ code: 'DATA_ORPHANED', severity: 'warning', file: oldFile, path: ['services', service], message: `service "${service}" is gone; its ${describe(from)} (${target}) is no longer used: the data stays on the host` });
      continue;
    }
    out.push({
      code: 'DATA_ORPHANED', severity: 'warning', file, path: ['services', service, 'volumes'],
      message: `${describe(from)} no longer used${usedElsewhere ? ` by ${service}` : ''}: its data stays on the host but the service will start empty at ${target}${to ? ` (now ${describe(to)})` : ''}`,
      hint: migrationHint(from, to),
    });
  }
  // A volume kept by name but with other driver options: the engine keeps the old ones.
  // An external volume has no options in the file (volumes create checks them instead).
  const oldVolumes = asMapping(before.volumes);
  for (const [name, def] of Object.entries(asMapping(after.volumes))) {
    if (!(name in oldVolumes) || asMapping(def).external !== undefined || asMapping(oldVolumes[name]).external !== undefined) continue;
    const a = JSON.stringify({ driver: asMapping(oldVolumes[name]).driver ?? 'local', opts: asMapping(oldVolumes[name]).driver_opts ?? {} });
    const b = JSON.stringify({ driver: asMapping(def).driver ?? 'local', opts: asMapping(def).driver_opts ?? {} });
    if (a !== b) {
      out.push({
        code: 'DRIVER_CHANGED', severity: 'warning', file, path: ['volumes', name],
        message: `volume ${name} keeps its name but changes driver or driver_opts: an existing volume keeps the options it was created with, and Compose refuses or asks to recreate it (its data would be lost)`,
        hint: volumeRmHint(name),
      });
    }
  }
  return out;
}

/** Two generated files as text: read like any input (alias bombs refused; unreadable means no data). */
export function compareOutputs(oldText: string, newText: string, file: string, project?: string, oldFile = file): Diagnostic[] {
  return dataSafety(loadOutput(oldText, file), loadOutput(newText, file), file, project, oldFile);
}

/** A generated file's data, read like any input (alias bombs refused; unreadable means no data). */
export function loadOutput(text: string, file: string): unknown {
  return parseSource({ file, text }).value?.data ?? {};
}
