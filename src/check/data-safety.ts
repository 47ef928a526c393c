/**
 * Data safety between two versions of a generated file: where a service's
 * data lived before and where it lives now. A mount target whose source
 * changed (a renamed volume, volume -> bind, a dropped mount) starts empty,
 * and the old data is stranded: say so, with how to move it.
 */
import type { Diagnostic } from '../diagnostics.js';
import { splitShortSpec } from '../resolve/compose-view.js';
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

/** The data source at each target of a service (volumes_from followed), keyed by target. */
export function serviceMounts(compose: unknown, service: string, project = PLACEHOLDER_PROJECT, depth = 0): Map<string, DataSource> {
  const doc = asMapping(compose);
  const out = new Map<string, DataSource>();
  const svc = asMapping(asMapping(doc.services)[service]);
  const named = new Set(Object.keys(asMapping(doc.volumes)));
  // volumes_from: the sidecar's mounts are the service's own.
  if (depth < 3 && Array.isArray(svc.volumes_from)) {
    for (const ref of svc.volumes_from) {
      const name = String(ref).replace(/^service:/, '').split(':')[0]!;
      if (!String(ref).startsWith('container:')) for (const [t, s] of serviceMounts(doc, name, project, depth + 1)) out.set(t, s);
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
  return out;
}

/** The same data: the same engine volume (whatever its key), or the same bind source. */
const sameData = (a: DataSource, b: DataSource): boolean =>
  a.kind === b.kind && (a.kind === 'volume' ? a.engineName === b.engineName : a.name === b.name);

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
  const afterServices = Object.keys(asMapping(after.services));
  const afterMounts = afterServices.map((s) => [...serviceMounts(after, s, project).values()]);
  for (const service of Object.keys(asMapping(before.services))) {
    const was = serviceMounts(before, service, project);
    if (!was.size) continue;
    const stillService = Object.hasOwn(asMapping(after.services), service);
    const now = stillService ? serviceMounts(after, service, project) : new Map<string, DataSource>();
    for (const [target, from] of was) {
      const to = now.get(target);
      if (to && sameData(from, to)) continue;
      const usedElsewhere = afterMounts.some((ms) => ms.some((m) => sameData(m, from)));
      out.push({ service, target, from, ...(to ? { to } : {}), serviceGone: !stillService, usedElsewhere });
    }
  }
  return out;
}

export function dataSafety(oldCompose: unknown, newCompose: unknown, file: string, project?: string): Diagnostic[] {
  const before = asMapping(oldCompose);
  const after = asMapping(newCompose);
  const out: Diagnostic[] = [];
  for (const { service, target, from, to, serviceGone, usedElsewhere } of dataMoves(before, after, project)) {
    if (serviceGone && !usedElsewhere) {
      out.push({ code: 'DATA_ORPHANED', severity: 'warning', file, path: ['services', service], message: `service "${service}" is gone; its ${describe(from)} (${target}) is no longer used: the data stays on the host` });
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
export function compareOutputs(oldText: string, newText: string, file: string, project?: string): Diagnostic[] {
  return dataSafety(loadOutput(oldText, file), loadOutput(newText, file), file, project);
}

/** A generated file's data, read like any input (alias bombs refused; unreadable means no data). */
export function loadOutput(text: string, file: string): unknown {
  return parseSource({ file, text }).value?.data ?? {};
}
