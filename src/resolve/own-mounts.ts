/**
 * A service's own mounts (its volumes: and tmpfs:, as written in the file),
 * classified by what keeps their data: explain audits a plain compose file
 * with them, and the catalog check asks whether a data path is really kept.
 */
import type { Level, Target } from '../model.js';
import { splitShortSpec, type ServiceView } from '../compose/view.js';
import { targetFacts } from '../compose/target-facts.js';
import { trimEndOf } from '../strings.js';

export type OwnMountKind = 'volume' | 'bind' | 'anonymous' | 'tmpfs' | 'nfs' | 'cifs' | 'hostpath' | 'plugin' | 'external' | 'image' | 'other';

export interface OwnMount {
  target: string;
  kind: OwnMountKind;
  /** The volume name or host path, as written. */
  source?: string;
  level: Level;
  /** What keeps (or loses) the data, for explain. */
  note: string;
  /** Index in the service's volumes: (absent for a tmpfs: entry). */
  index?: number;
}

interface KindDef {
  level: Level;
  /** Swarm: a local thing exists on one node, so a task rescheduled elsewhere starts empty unless pinned. */
  perNode: boolean;
  note: (source: string | undefined, extra: string) => string;
}

/** What each kind keeps, as data (REFERENCE.md: the local driver, anonymous volumes, Swarm). */
const KINDS: Record<OwnMountKind, KindDef> = {
  volume: { level: 'container', perNode: true, note: (s) => `named volume ${s}` },
  bind: { level: 'container', perNode: true, note: (s) => `bind ${s}` },
  anonymous: { level: 'none', perNode: true, note: () => 'anonymous volume: kept across a recreate, lost on down/up' },
  tmpfs: { level: 'none', perNode: false, note: () => 'tmpfs: in memory, lost when the container stops' },
  nfs: { level: 'host', perNode: false, note: (s, x) => `named volume ${s} on NFS${x}` },
  cifs: { level: 'host', perNode: false, note: (s, x) => `named volume ${s} on CIFS${x}` },
  hostpath: { level: 'container', perNode: true, note: (s, x) => `named volume ${s}, a host directory${x} (host only if that directory is itself a shared mount)` },
  plugin: { level: 'host', perNode: false, note: (s, x) => `named volume ${s} of the driver ${x} (assumed to keep data off the host)` },
  external: { level: 'container', perNode: true, note: (s) => `external volume ${s} (created outside Compose; its driver is not known here)` },
  image: { level: 'none', perNode: false, note: (s) => `image ${s} (read-only content)` },
  other: { level: 'container', perNode: true, note: (s) => `${s ?? 'mount'}` },
};

const asObj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** Compose reads a short-form source starting with ".", "/" or "~" as a host path; `${X:-./d}` by its default. */
function isHostPath(source: string): boolean {
  const withDefault = /^\$\{[^}:-]+:?-([^}]*)\}/.exec(source);
  const s = withDefault ? withDefault[1]! : source;
  return /^[./~]/.test(s) || (s.startsWith('$') && !withDefault);
}

/** A named volume by its top-level declaration: external, a driver, or the local driver's NFS, CIFS or bind. */
function namedKind(source: string, topVolumes: Record<string, unknown>): { kind: OwnMountKind; extra: string } {
  const decl = asObj(topVolumes[source]);
  if (decl.external !== undefined && decl.external !== false) return { kind: 'external', extra: '' };
  const driver = decl.driver === undefined ? 'local' : String(decl.driver);
  const opts = asObj(decl.driver_opts);
  if (driver !== 'local') return { kind: 'plugin', extra: driver };
  const type = String(opts.type ?? '').toLowerCase();
  const o = String(opts.o ?? '');
  const addr = /(?:^|,)addr=([^,]+)/.exec(o)?.[1];
  const at = addr ? ` (${addr}${opts.device ? ` ${String(opts.device)}` : ''})` : '';
  if (type === 'nfs' || type === 'nfs4') return { kind: 'nfs', extra: at };
  if (type === 'cifs' || type === 'smb3' || type === 'smbfs') return { kind: 'cifs', extra: at };
  if (type === 'none' && o.split(',').includes('bind')) return { kind: 'hostpath', extra: opts.device ? ` ${String(opts.device)}` : '' };
  return { kind: 'volume', extra: '' };
}

/** The service's own deploy.placement.constraints, as strings ([] without any). */
export function placementConstraints(service: ServiceView | undefined): string[] {
  const constraints = asObj(asObj(asObj(service?.deploy).placement)).constraints;
  return Array.isArray(constraints) ? constraints.map(String) : [];
}

/** Whether deploy.placement pins the service to one node (node.hostname or node.id ==). */
export function pinnedToNode(service: ServiceView): boolean {
  return placementConstraints(service).some((c) => /^\s*node\.(hostname|id)\s*==/.test(c));
}

function classify(kind: OwnMountKind, target: string, source: string | undefined, extra: string, swarmUnpinned: boolean, index?: number): OwnMount {
  const def = KINDS[kind];
  const level: Level = swarmUnpinned && def.perNode && def.level !== 'none' ? 'none' : def.level;
  const note = def.note(source, extra) + (level !== def.level ? '; on Swarm it exists on one node only and the service is not pinned to one' : '');
  return { target: target.length > 1 ? trimEndOf(target, '/') : target, kind, ...(source !== undefined ? { source } : {}), level, note, ...(index !== undefined ? { index } : {}) };
}

/** The service's own mounts, in file order (volumes:, then tmpfs:). */
export function ownMounts(service: ServiceView | undefined, topVolumes: Record<string, unknown>, target: Target = 'compose'): OwnMount[] {
  if (!service) return [];
  const unpinned = targetFacts(target).schedulesAcrossNodes && !pinnedToNode(service);
  const out: OwnMount[] = [];
  (Array.isArray(service.volumes) ? service.volumes : []).forEach((v, i) => {
    if (typeof v === 'string') {
      const parts = splitShortSpec(v);
      const [source, t] = parts.length === 1 ? [undefined, parts[0]!] : [parts[0]!, parts[1]!];
      if (!t) return;
      if (source === undefined || source === '') out.push(classify('anonymous', t, undefined, '', unpinned, i));
      else if (isHostPath(source)) out.push(classify('bind', t, source, '', unpinned, i));
      else {
        const k = namedKind(source, topVolumes);
        out.push(classify(k.kind, t, source, k.extra, unpinned, i));
      }
      return;
    }
    const m = asObj(v);
    if (typeof m.target !== 'string') return;
    const source = typeof m.source === 'string' && m.source !== '' ? m.source : undefined;
    switch (m.type) {
      case 'bind':
      case 'npipe':
        out.push(classify('bind', m.target, source, '', unpinned, i));
        return;
      case 'tmpfs':
        out.push(classify('tmpfs', m.target, undefined, '', unpinned, i));
        return;
      case 'image':
        out.push(classify('image', m.target, source, '', unpinned, i));
        return;
      case 'volume': {
        if (!source) out.push(classify('anonymous', m.target, undefined, '', unpinned, i));
        else {
          const k = namedKind(source, topVolumes);
          out.push(classify(k.kind, m.target, source, k.extra, unpinned, i));
        }
        return;
      }
      default:
        out.push(classify('other', m.target, `${String(m.type)} mount${source ? ` ${source}` : ''}`, '', unpinned, i));
    }
  });
  const tmpfs = service.tmpfs;
  for (const t of typeof tmpfs === 'string' ? [tmpfs] : Array.isArray(tmpfs) ? tmpfs : []) {
    const path = String(t).split(':')[0]!;
    if (path) out.push(classify('tmpfs', path, undefined, '', unpinned));
  }
  return out;
}
