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

type Obj = Record<string, unknown>;

/** Where the data at one target comes from. */
interface Source {
  kind: 'volume' | 'bind';
  name: string;
}

function mounts(compose: Obj, service: string, depth = 0): Map<string, Source> {
  const out = new Map<string, Source>();
  const svc = asMapping(asMapping(compose.services)[service]);
  const named = new Set(Object.keys(asMapping(compose.volumes)));
  // volumes_from: the sidecar's mounts are the service's own.
  if (depth < 3 && Array.isArray(svc.volumes_from)) {
    for (const ref of svc.volumes_from) {
      const name = String(ref).replace(/^service:/, '').split(':')[0]!;
      if (!String(ref).startsWith('container:')) for (const [t, s] of mounts(compose, name, depth + 1)) out.set(t, s);
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
    out.set(target.replace(/\/+$/, '') || '/', { kind: isVolume ? 'volume' : 'bind', name: source });
  }
  return out;
}

const describe = (s: Source): string => (s.kind === 'volume' ? `volume ${s.name}` : `bind ${s.name}`);

/** The engine names a project's volume `<project>_<name>`: the pasted command takes the project from the variable Compose reads. */
const PROJECT = { raw: '"${COMPOSE_PROJECT_NAME:?}"_' };
const PROJECT_NOTE = ' (with COMPOSE_PROJECT_NAME set to the Compose project name)';

/** A mount source as one sh word: a volume of the project, or a bind path made absolute (docker run takes no relative path). */
function hostWord(s: Source, suffix: string): ShellPart {
  if (s.kind === 'volume') return [PROJECT, s.name + suffix];
  if (s.name.startsWith('/')) return s.name + suffix;
  if (s.name.startsWith('~/')) return [{ raw: '~/' }, s.name.slice(2) + suffix];
  return [{ raw: '"$PWD"/' }, s.name.replace(/^\.\//, '') + suffix];
}

const NOT_QUOTABLE = 'a name holds a control character, so no command is printed to paste; move the data by hand';

function migrationHint(from: Source, to: Source | undefined): string {
  const volumes = from.kind === 'volume' || to?.kind === 'volume' ? PROJECT_NOTE : '';
  if (!to) {
    const cmd = shellCommand(['docker', 'run', '--rm', '-v', hostWord(from, ':/from'), 'busybox', 'ls', '/from']);
    return cmd ? `to keep it, mount it again; to read it${volumes}: ${cmd}` : `to keep it, mount it again; ${NOT_QUOTABLE}`;
  }
  const cmd = shellCommand(['docker', 'run', '--rm', '-v', hostWord(from, ':/from'), '-v', hostWord(to, ':/to'), 'busybox', 'cp', '-a', '/from/.', '/to/']);
  return cmd ? `to move the data before starting${volumes}: ${cmd}` : NOT_QUOTABLE;
}

export function dataSafety(oldCompose: unknown, newCompose: unknown, file: string): Diagnostic[] {
  const before = asMapping(oldCompose);
  const after = asMapping(newCompose);
  const out: Diagnostic[] = [];
  for (const service of Object.keys(asMapping(before.services))) {
    const was = mounts(before, service);
    if (!was.size) continue;
    const stillService = service in asMapping(after.services);
    const now = stillService ? mounts(after, service) : new Map<string, Source>();
    for (const [target, from] of was) {
      const to = now.get(target);
      if (to && to.kind === from.kind && to.name === from.name) continue;
      const usedElsewhere = [...Object.keys(asMapping(after.services))].some((s) => [...mounts(after, s).values()].some((m) => m.kind === from.kind && m.name === from.name));
      if (!stillService && !usedElsewhere) {
        out.push({ code: 'DATA_ORPHANED', severity: 'warning', file, path: ['services', service], message: `service "${service}" is gone; its ${describe(from)} (${target}) is no longer used: the data stays on the host` });
        continue;
      }
      out.push({
        code: 'DATA_ORPHANED', severity: 'warning', file, path: ['services', service, 'volumes'],
        message: `${describe(from)} no longer used${usedElsewhere ? ` by ${service}` : ''}: its data stays on the host but the service will start empty at ${target}${to ? ` (now ${describe(to)})` : ''}`,
        hint: migrationHint(from, to),
      });
    }
  }
  // A volume kept by name but with other driver options: the engine keeps the old ones.
  const oldVolumes = asMapping(before.volumes);
  for (const [name, def] of Object.entries(asMapping(after.volumes))) {
    if (!(name in oldVolumes)) continue;
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

function volumeRmHint(name: string): string {
  const cmd = shellCommand(['docker', 'volume', 'rm', [PROJECT, name]]);
  return `copy the data out, remove the volume (${cmd ? `${cmd}${PROJECT_NOTE}` : 'docker volume rm, by hand: the name holds a control character'}), then up again and copy it back`;
}

/** Two generated files as text: read like any input (alias bombs refused; unreadable means no data). */
export function compareOutputs(oldText: string, newText: string, file: string): Diagnostic[] {
  const load = (text: string): unknown => parseSource({ file, text }).value?.data ?? {};
  return dataSafety(load(oldText), load(newText), file);
}
