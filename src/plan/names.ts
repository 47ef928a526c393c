/**
 * Generated names are a compatibility promise: a renamed volume is an empty
 * volume. Names depend only on (service, target) or the mount's own name:,
 * so a clash is an error to be settled by the user, never a silent rename.
 *
 * A name given by the user (name:) may be used by several services: an app
 * and its worker share one volume. It is then one volume, declared once, and
 * every service that mounts it must mean the same volume (one pattern, one
 * back-end, the same options); a volume the file declares itself may be
 * named too, as long as the block does not move it elsewhere (e.g. to NFS
 * while the services mounting it by hand keep the local one).
 */
import type { Diagnostic } from '../diagnostics.js';
import type { PlannedVolume, ServicePlan } from '../model.js';
import { ownMounts } from '../resolve/own-mounts.js';
import type { ComposeView } from '../compose/view.js';

interface Holder {
  service: string;
  target: string;
  pattern: string;
  given: boolean;
  /** What makes two mounts the same volume: driver, options, external name. */
  identity: string;
}

const identity = (pattern: string, v: PlannedVolume): string => JSON.stringify([pattern, v.driver ?? null, v.external ?? null]);

/** A top-level declaration that is a plain local volume (what pattern volume writes). */
function plainDeclaration(decl: unknown): boolean {
  if (decl === null || decl === undefined) return true;
  if (typeof decl !== 'object' || Array.isArray(decl)) return false;
  const d = decl as Record<string, unknown>;
  const opts = d.driver_opts;
  return (d.driver === undefined || d.driver === 'local') && (opts === undefined || opts === null || (typeof opts === 'object' && Object.keys(opts).length === 0)) && (d.external === undefined || d.external === false);
}

/**
 * Services that mount each named volume in their own volumes: (by hand), in the order of services:.
 * Read once for all names (one scan per name was quadratic: 2,000 declared names took 21 s).
 */
function handMountIndex(compose: ComposeView): (name: string) => string[] {
  let index: Map<string, string[]> | undefined;
  return (name) => {
    if (!index) {
      index = new Map();
      for (const [s, svc] of Object.entries(compose.services)) {
        for (const source of new Set(ownMounts(svc, compose.volumes).map((m) => m.source))) {
          if (source === undefined) continue;
          const list = index.get(source);
          if (list) list.push(s);
          else index.set(source, [s]);
        }
      }
    }
    return index.get(name) ?? [];
  };
}

export function checkNames(plans: readonly ServicePlan[], compose: ComposeView, file: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const handMounts = handMountIndex(compose);
  const volumes = new Map<string, Holder>();
  const services = new Map<string, string>();
  for (const name of Object.keys(compose.services)) services.set(name, 'the name of a service under services:');

  for (const p of plans) {
    p.volumes.forEach((v, i) => {
      const path = [...p.path, 'mounts', i];
      const id = identity(p.pattern, v);
      const other = volumes.get(v.name);
      if (Object.hasOwn(compose.volumes, v.name) && !other) {
        const byHand = handMounts(v.name);
        const users = byHand.length ? ` and mounted by hand by ${byHand.map((s) => `service ${s}`).join(', ')}` : '';
        if (!v.nameGiven) {
          diagnostics.push({
            code: 'NAME_COLLISION', severity: 'error', file, path,
            message: `the generated volume name "${v.name}" (service ${p.service}, ${v.target}) is taken: it is declared under the top-level volumes:${users}`,
            hint: 'give this mount its own name: (names are never changed silently, since a renamed volume starts empty)',
          });
        } else if (v.driver || v.external !== undefined || !plainDeclaration(compose.volumes[v.name])) {
          diagnostics.push({
            code: 'SHARED_VOLUME_MISMATCH', severity: 'error', file, path,
            message: `volume "${v.name}" is declared under the top-level volumes:${users}, and service ${p.service} would make it ${describe(p.pattern, v)}: one volume cannot be both`,
            hint: byHand.length ? `move ${byHand.join(', ')} into the block with the same pattern, or give ${p.service}'s mount another name:` : `remove the top-level declaration, or give ${p.service}'s mount another name:`,
          });
        }
        // Otherwise the file's own plain volume: the same volume, already declared.
        volumes.set(v.name, { service: byHand[0] ?? '(top-level volumes:)', target: '', pattern: 'volume', given: true, identity: identity('volume', {} as PlannedVolume) });
        return;
      }
      if (!other) {
        volumes.set(v.name, { service: p.service, target: v.target, pattern: p.pattern, given: Boolean(v.nameGiven), identity: id });
        return;
      }
      if (!v.nameGiven || !other.given) {
        diagnostics.push({
          code: 'NAME_COLLISION', severity: 'error', file, path,
          message: `${v.nameGiven ? 'the volume name' : 'the generated volume name'} "${v.name}" (service ${p.service}, ${v.target}) is taken: it is also the volume of service ${other.service}${other.target ? ` at ${other.target}` : ''}`,
          hint: v.nameGiven ? 'choose another name: for this mount' : 'give this mount its own name: (names are never changed silently, since a renamed volume starts empty)',
        });
      } else if (other.identity !== id) {
        diagnostics.push({
          code: 'SHARED_VOLUME_MISMATCH', severity: 'error', file, path,
          message: `volume "${v.name}" is shared by services ${other.service} and ${p.service}, which give it different patterns, back-ends or options (${other.service}: pattern ${other.pattern}; ${p.service}: ${describe(p.pattern, v)})`,
          hint: 'a shared volume is one volume: give both mounts the same pattern and back-end, or one of them another name:',
        });
      }
      // Same name, same volume: declared once (render keeps the first declaration).
    });
    for (const extra of [p.sidecar?.name, p.init?.name]) {
      if (!extra) continue;
      const other = services.get(extra);
      if (other) {
        diagnostics.push({
          code: 'NAME_COLLISION', severity: 'error', file, path: [...p.path, 'pattern'],
          message: `the generated service "${extra}" would collide with an existing one: "${extra}" is ${other}`,
          hint: 'rename the existing service; generated services are named <service>-data and <service>-init',
        });
      } else services.set(extra, `also generated for service ${p.service}`);
    }
  }
  return diagnostics;
}

function describe(pattern: string, v: PlannedVolume): string {
  if (v.external !== undefined) return `an external volume ${v.external} (pattern ${pattern})`;
  if (!v.driver) return `a local volume (pattern ${pattern})`;
  return `a volume of driver ${v.driver.driver}${v.driver.driverOpts.type ? ` (${v.driver.driverOpts.type}${v.driver.driverOpts.o ? `, ${v.driver.driverOpts.o.split(',')[0]}` : ''})` : ''} (pattern ${pattern})`;
}

/** Which services mount each volume name, the block's and by hand: explain lists them. */
export function volumeUsers(plans: readonly ServicePlan[], compose: ComposeView): Map<string, string[]> {
  const users = new Map<string, string[]>();
  const seen = new Set<string>();
  const add = (name: string, service: string): void => {
    // One Set of name/service pairs: a volume shared by thousands of services is not a list search each.
    const pair = JSON.stringify([name, service]);
    if (seen.has(pair)) return;
    seen.add(pair);
    const list = users.get(name);
    if (list) list.push(service);
    else users.set(name, [service]);
  };
  for (const p of plans) for (const v of p.volumes) add(v.name, p.service);
  for (const [s, svc] of Object.entries(compose.services)) for (const m of ownMounts(svc, compose.volumes)) if (m.source && users.has(m.source)) add(m.source, s);
  return users;
}
