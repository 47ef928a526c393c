/**
 * Stage 7d, the seed's warning made a check: a service whose image the
 * catalog knows as stateful, and whose data an upgrade would wipe, is
 * reported (an error under `require:`); a mount on a path the image's
 * version refuses is an error naming both paths.
 */
import { covers } from '../resolve/paths.js';
import type { Diagnostic, YamlPath } from '../diagnostics.js';
import { levelRank, type Level, type Plan, type ResolvedSpec, type UnlistedStateful } from '../model.js';
import { matchImage, type CatalogMatch } from '../resolve/catalog.js';
import { mountTargets, splitShortSpec, type ComposeView, type ServiceView } from '../resolve/compose-view.js';


/** What a service's own volumes give a data path: a named volume or bind, an anonymous volume, or nothing. */
function ownLevel(service: ServiceView, paths: readonly string[]): { level: Level; anonymous: boolean } {
  const list = Array.isArray(service.volumes) ? service.volumes : [];
  let persisted = false;
  let anonymous = false;
  for (const v of list) {
    const [source, target] =
      typeof v === 'string'
        ? ((parts) => (parts.length === 1 ? [undefined, parts[0]] : [parts[0], parts[1]]))(splitShortSpec(v))
        : v && typeof v === 'object' ? [(v as { source?: string }).source, (v as { target?: string }).target] : [undefined, undefined];
    if (!target || !paths.some((p) => covers(target.replace(/\/+$/, ''), p))) continue;
    if (source) persisted = true;
    else anonymous = true;
  }
  return { level: persisted ? 'container' : 'none', anonymous };
}

export function checkStateful(view: ComposeView, spec: ResolvedSpec | undefined, plan: Plan | undefined, file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const required = spec?.require;
  const planned = new Map(plan?.services.map((s) => [s.service, s]) ?? []);
  for (const [name, svc] of Object.entries(view.services)) {
    const match = matchImage(svc.image);
    if (!match) continue;
    const at: YamlPath = ['services', name, 'image'];
    const image = String(svc.image);
    const p = planned.get(name);
    const targets = [...mountTargets(svc), ...(p ? [...p.volumes.map((v) => v.target), ...p.binds.map((b) => b.target)] : [])];
    out.push(...versionProblems(match, image, targets, p ? [...p.path, 'mounts'] : ['services', name, 'volumes'], file));
    if (p) {
      if (p.level === 'none' && p.pattern === 'none') {
        out.push({
          code: 'STATEFUL_NONE', severity: required && required !== 'none' ? 'error' : 'warning', file, path: [...p.path, 'pattern'],
          message: `service "${name}" runs ${image}, which keeps data in ${match.paths.join(', ')}, and pattern none lets an upgrade wipe it`,
          hint: p.reason ? `reason given: ${p.reason}` : 'choose volume, bind, shared or plugin, or say why in reason:',
        });
      }
      continue;
    }
    const own = ownLevel(svc, match.paths);
    if (own.level !== 'none') {
      if (required && levelRank(own.level) < levelRank(required)) {
        out.push({ code: 'LEVEL_BELOW_REQUIRED', severity: 'error', file, path: at, message: `service "${name}" keeps ${image}'s data on this host only (level ${own.level}), below the required level ${required}`, hint: 'list it in x-persistence with pattern shared or plugin' });
      }
      continue;
    }
    out.push({
      code: 'UNPERSISTED_STATE', severity: required && required !== 'none' ? 'error' : 'warning', file, path: at,
      message: own.anonymous
        ? `service "${name}" runs ${image}; its data in ${match.paths.join(', ')} is in an anonymous volume: it survives a recreate but is lost on down/up`
        : `service "${name}" runs ${image}, which keeps its data in ${match.paths.join(', ')}, and nothing is mounted there: an upgrade wipes it`,
      hint: `add it to x-persistence, e.g. ${name}: { pattern: volume }; the catalog supplies the mounts`,
    });
  }
  return out;
}

function versionProblems(match: CatalogMatch, image: string, targets: readonly string[], path: YamlPath, file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const t of targets) {
    if (match.refuses.includes(t)) {
      out.push({
        code: 'CATALOG_PATH_MOVED', severity: 'error', file, path,
        message: `${image} refuses to start with data mounted at ${t} (the path of older versions); mount ${match.paths.join(', ')} instead`,
        hint: match.note,
      });
    }
  }
  if (match.uncertain) {
    const versioned = match.entry.versions!.flatMap((v) => [...v.paths, ...(v.refuses ?? [])]);
    if (targets.some((t) => versioned.includes(t) || match.entry.paths.includes(t))) {
      out.push({
        code: 'CATALOG_VERSION_UNKNOWN', severity: 'warning', file, path,
        message: `the tag of ${image} cannot be ordered, and where ${match.entry.image} keeps its data depends on its version: ${match.entry.versions!.map((v) => v.note).join(' ')}`,
        hint: 'pin a version tag (e.g. :17 or :18)',
      });
    }
  }
  return out;
}

/** For explain: stateful services the block does not list, and what they keep. */
export function unlistedStateful(view: ComposeView, plan: Plan): UnlistedStateful[] {
  const listed = new Set(plan.services.map((s) => s.service));
  return Object.entries(view.services).flatMap(([name, svc]): UnlistedStateful[] => {
    const match = listed.has(name) ? undefined : matchImage(svc.image);
    if (!match) return [];
    const own = ownLevel(svc, match.paths);
    const declared = match.declaresVolume.filter((v) => match.paths.some((p) => covers(v, p) || covers(p, v)));
    const note =
      own.level !== 'none'
        ? `its own volumes keep ${match.paths.join(', ')}`
        : declared.length || own.anonymous
          ? `not listed: ${match.paths.join(', ')} is in an anonymous volume (the image declares VOLUME): kept across a recreate, lost on down/up`
          : `not listed: ${match.paths.join(', ')} is in the container: an upgrade wipes it`;
    return [{ service: name, image: String(svc.image), level: own.level, anonymous: own.level === 'none' && (declared.length > 0 || own.anonymous), note }];
  });
}
