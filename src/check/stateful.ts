/**
 * Stage 7d, the seed's warning made a check: a service whose image the
 * catalog knows as stateful, and whose data an upgrade would wipe, is
 * reported (an error under `require:`); a mount on a path the image's
 * version refuses is an error naming both paths.
 */
import { covers } from '../compose/paths.js';
import type { Diagnostic, YamlPath } from '../diagnostics.js';
import { levelRank, type Level, type Plan, type ResolvedSpec, type Target as BuildTarget, type UnlistedStateful } from '../model.js';
import { ownMounts, type OwnMount } from '../resolve/own-mounts.js';
import { matchImage, type CatalogMatch } from '../resolve/catalog.js';
import { splitShortSpec, type ComposeView, type ServiceView } from '../compose/view.js';
import type { Variables } from '../compose/interpolate.js';
import { trimEndOf } from '../strings.js';
import { NONE_PATTERN } from '../patterns/index.js';
import { scalarKey } from '../yaml/scalar.js';
import { BLOCK_NAME_RULE, isBlockName } from '../validate/validate.js';


/**
 * What a service's own mounts give its data paths: each path is kept by the deepest mount
 * that covers it (or by nothing); the service is as weak as its weakest path.
 */
function ownLevel(service: ServiceView, top: Record<string, unknown>, paths: readonly string[], target: BuildTarget): { level: Level; anonymous: boolean; holding: OwnMount[] } {
  const mounts = ownMounts(service, top, target);
  let level: Level = 'host';
  let anonymous = false;
  const holding: OwnMount[] = [];
  for (const p of paths) {
    const deepest = mounts.filter((m) => covers(m.target, p)).sort((x, y) => y.target.length - x.target.length)[0];
    if (deepest && !holding.includes(deepest)) holding.push(deepest);
    const l = deepest?.level ?? 'none';
    if (deepest?.kind === 'anonymous') anonymous = true;
    if (levelRank(l) < levelRank(level)) level = l;
  }
  return { level: paths.length ? level : 'none', anonymous, holding };
}

/** A mount target and where it is written: the block's mount, or the service's own volumes: entry. */
interface Target {
  target: string;
  path: YamlPath;
}

function ownTargets(name: string, service: ServiceView): Target[] {
  const list = Array.isArray(service.volumes) ? service.volumes : [];
  return list.flatMap((v, i): Target[] => {
    const parts = typeof v === 'string' ? splitShortSpec(v) : [];
    const target = typeof v === 'string' ? parts[parts.length === 1 ? 0 : 1] : v && typeof v === 'object' ? (v as { target?: unknown }).target : undefined;
    return typeof target === 'string' && target ? [{ target: trimEndOf(target, '/') || '/', path: ['services', name, 'volumes', i] }] : [];
  });
}

export function checkStateful(view: ComposeView, spec: ResolvedSpec | undefined, plan: Plan | undefined, file: string, vars: Variables = {}): Diagnostic[] {
  const out: Diagnostic[] = [];
  const required = spec?.require;
  // A service with a pattern per mount has several parts: all of them count.
  const planned = groupBy(plan?.services ?? [], (s) => s.service);
  const resolvedMounts = groupBy(spec?.services.flatMap((s) => s.mounts.map((m) => ({ service: s.service, m }))) ?? [], (x) => x.service);
  for (const [name, svc] of Object.entries(view.services)) {
    const match = matchImage(svc.image, vars);
    if (!match) continue;
    const at: YamlPath = ['services', name, 'image'];
    const image = String(svc.image);
    const parts = planned.get(name);
    const p = parts?.[0];
    const blockMounts = (resolvedMounts.get(name) ?? []).map(({ m }): Target => ({ target: m.target, path: m.path }));
    out.push(...variableProblems(match, image, at, file));
    out.push(...versionProblems(match, image, [...ownTargets(name, svc), ...blockMounts], at, file));
    if (p) {
      if (parts!.every((x) => x.level === 'none' && x.pattern === NONE_PATTERN)) {
        out.push({
          code: 'STATEFUL_NONE', severity: required && required !== 'none' ? 'error' : 'warning', file, path: [...p.path, 'pattern'],
          message: `service "${name}" runs ${image}, which keeps data in ${match.paths.join(', ')}, and pattern none lets an upgrade wipe it`,
          hint: p.reason ? `reason given: ${p.reason}` : 'choose volume, bind, shared or plugin, or say why in reason:',
        });
      }
      continue;
    }
    const own = ownLevel(svc, view.volumes, match.paths, plan?.target ?? 'compose');
    if (own.level !== 'none') {
      if (required && levelRank(own.level) < levelRank(required)) {
        out.push({ code: 'LEVEL_BELOW_REQUIRED', severity: 'error', file, path: at, message: `service "${name}" keeps ${image}'s data on this host only (level ${own.level}), below the required level ${required}`, hint: isBlockName(name) ? 'list it in x-persistence with pattern shared or plugin' : unlistable(name) });
      }
      continue;
    }
    out.push({
      code: 'UNPERSISTED_STATE', severity: required && required !== 'none' ? 'error' : 'warning', file, path: at,
      message: own.anonymous
        ? `service "${name}" runs ${image}; its data in ${match.paths.join(', ')} is in an anonymous volume: it survives a recreate but is lost on down/up`
        : `service "${name}" runs ${image}, which keeps its data in ${match.paths.join(', ')}, and nothing is mounted there: an upgrade wipes it`,
      // The entry to paste, its key printed by the one scalar rule (a service "1.0" is read as 1 unquoted).
      hint: isBlockName(name) ? `add it to x-persistence, e.g. ${scalarKey(name)}: { pattern: volume }; the catalog supplies the mounts` : unlistable(name),
    });
  }
  return out;
}

/** The hint for a service x-persistence cannot list: Compose takes the name, the block does not. */
function unlistable(name: string): string {
  return `x-persistence cannot list a service named ${JSON.stringify(name)} (${BLOCK_NAME_RULE}): rename the service to list it, or mount a named volume at its data path yourself`;
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/** Which version the paths are for, in words: "postgres 18" or "postgres 18 (assumed: ...)". */
export function versionWords(match: CatalogMatch): string {
  const name = match.entry.image;
  if (match.assumed) return `${name} ${match.assumed.assume} (what a tag without a version gives as of ${match.assumed.as_of})`;
  return match.major !== undefined ? `${name} ${match.major}` : name;
}

/**
 * What init says of a plain file's service: unset variables, a tag without a version, and
 * (as warnings: init adds the right path, the user removes the old mount) its own mounts on
 * a path the version refuses.
 */
export function initWarnings(match: CatalogMatch, name: string, service: ServiceView, file: string): Diagnostic[] {
  const at: YamlPath = ['services', name, 'image'];
  const image = String(service.image);
  return [
    ...variableProblems(match, image, at, file),
    ...versionProblems(match, image, ownTargets(name, service), at, file).map((d): Diagnostic =>
      d.code === 'CATALOG_PATH_MOVED' ? { ...d, severity: 'warning', hint: `remove this mount: the block init adds mounts ${match.paths.join(', ')}, and build refuses the old path` } : d,
    ),
  ];
}

function variableProblems(match: CatalogMatch, image: string, path: YamlPath, file: string): Diagnostic[] {
  const i = match.interpolated;
  if (!i || (!i.unset.length && !i.problems.length)) return [];
  const what = [
    ...(i.unset.length ? [`${i.unset.join(', ')} ${i.unset.length > 1 ? 'are' : 'is'} not set (neither in the environment nor in .env)`] : []),
    ...i.problems.filter((p) => !i.unset.some((u) => p.startsWith(`required variable ${u} `))),
  ].join('; ');
  return [{
    code: 'IMAGE_VARIABLE_UNSET', severity: 'warning', file, path,
    message: `image ${image}: ${what}; read as ${match.ref.repository}${match.ref.tag ? `:${match.ref.tag}` : ''}, so its data path is that of ${versionWords(match)}`,
    hint: 'set the variable (or give --env-file FILE), or write a default: ${VAR:-17}',
  }];
}

function versionProblems(match: CatalogMatch, image: string, targets: readonly Target[], at: YamlPath, file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const t of targets) {
    if (match.refuses.includes(t.target)) {
      out.push({
        code: 'CATALOG_PATH_MOVED', severity: 'error', file, path: t.path,
        message: `${image} is ${versionWords(match)}, which refuses to start with data mounted at ${t.target} (the path of older versions); mount ${match.paths.join(', ')} instead`,
        hint: match.note,
      });
    }
  }
  if (match.uncertain) {
    out.push({
      code: 'CATALOG_VERSION_UNKNOWN', severity: 'warning', file, path: at,
      message: match.assumed
        ? `the tag of ${image} does not say which version it runs: assumed ${versionWords(match)}, which keeps its data in ${match.paths.join(', ')}`
        : `the tag of ${image} does not say which version it runs, and where ${match.entry.image} keeps its data depends on it: ${match.entry.versions!.map((v) => v.note).join(' ')}`,
      hint: `pin a version tag${match.assumed ? ` (e.g. ${match.entry.image}:${match.assumed.assume})` : ''}: the data path moves between versions, and an unpinned tag moves with the releases`,
    });
  }
  return out;
}

/**
 * For explain: the services the block does not list (all of them in a file without a block)
 * that mount something of their own or whose image the catalog knows as stateful, with each
 * of their own mounts classified.
 */
export function unlistedServices(view: ComposeView, plan: Plan | undefined, target: BuildTarget, vars: Variables = {}): UnlistedStateful[] {
  const listed = new Set(plan?.services.map((s) => s.service) ?? []);
  return Object.entries(view.services).flatMap(([name, svc]): UnlistedStateful[] => {
    if (listed.has(name)) return [];
    const match = matchImage(svc.image, vars);
    const mounts = ownMounts(svc, view.volumes, target);
    if (!match) {
      if (!mounts.length) return [];
      // tmpfs and image mounts are scratch or content by design: the level is that of the others.
      const kept = mounts.filter((m) => m.kind !== 'tmpfs' && m.kind !== 'image');
      const level = kept.length ? kept.reduce<Level>((l, m) => (levelRank(m.level) < levelRank(l) ? m.level : l), 'host') : 'none';
      const note = `not listed; its own mounts (its image's data path is not known)`;
      return [{ service: name, image: String(svc.image ?? ''), level, anonymous: false, note, mounts, stateful: false }];
    }
    const own = ownLevel(svc, view.volumes, match.paths, target);
    const declared = match.declaresVolume.filter((v) => match.paths.some((p) => covers(v, p) || covers(p, v)));
    const lost = match.paths.filter((p) => !own.holding.some((m) => covers(m.target, p)));
    const note =
      own.level !== 'none'
        ? `its own mounts keep ${match.paths.join(', ')}`
        : lost.length === 0
          ? `not listed: its own mounts do not keep ${match.paths.join(', ')} here`
          : declared.length || own.anonymous
            ? `not listed: ${lost.join(', ')} is in an anonymous volume (the image declares VOLUME): kept across a recreate, lost on down/up`
            : `not listed: ${lost.join(', ')} is in the container: an upgrade wipes it`;
    return [{ service: name, image: String(svc.image), level: own.level, anonymous: own.level === 'none' && (declared.length > 0 || own.anonymous), note, mounts, stateful: true }];
  });
}

/** The stateful services the block does not list (explain's rows below the listed ones). */
export const unlistedStateful = (view: ComposeView, plan: Plan, vars: Variables = {}): UnlistedStateful[] => unlistedServices(view, plan, plan.target, vars);
