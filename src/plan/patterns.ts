/**
 * The table of patterns: everything the pipeline needs to know about one,
 * as data. A pattern's output shape lives in templates/<name>.yaml.hbs.
 */
import type { Level } from '../model.js';

export type BackendKind = 'shared' | 'plugin';
/** How the pattern fares on Swarm (docker stack deploy). */
export type SwarmSupport = 'ok' | 'per-node' | 'needs-node' | 'refused';

export interface PatternDef {
  name: string;
  /** The seed's name for it. */
  seedName: string;
  /** Level the pattern gives; 'backend' defers to the back-end (plugins may declare). */
  level: Level | 'backend';
  summary: string;
  needsMounts: boolean;
  backend?: BackendKind;
  /** Service keys of the block that mean something for this pattern. */
  keys: readonly string[];
  /** Mount keys that mean something for this pattern (besides target). */
  mountKeys: readonly string[];
  swarm: SwarmSupport;
  /** Its volumes can be kept (keep: true: external, out of reach of down -v). */
  keepable?: boolean;
  /** Pattern definitions loaded from a user directory carry their template text. */
  template?: string;
  userDefined?: boolean;
}

export const BUILTIN_PATTERNS: readonly PatternDef[] = [
  {
    name: 'none', seedName: 'Default', level: 'none', needsMounts: false,
    summary: 'nothing added: data in the container is lost when it is recreated',
    keys: ['reason'], mountKeys: [], swarm: 'ok',
  },
  {
    name: 'volume', seedName: 'Data Volumes', level: 'container', needsMounts: true,
    summary: 'a named volume per mount, declared under top-level volumes:',
    keys: ['mounts', 'node'], mountKeys: ['name', 'read_only'], swarm: 'per-node', keepable: true,
  },
  {
    name: 'data-container', seedName: 'Data Only Container', level: 'container', needsMounts: true,
    summary: 'a sidecar service that owns named volumes; the service mounts them with volumes_from',
    keys: ['mounts', 'image'], mountKeys: ['name', 'read_only'], swarm: 'refused', keepable: true,
  },
  {
    name: 'bind', seedName: 'Host Mapped Volume', level: 'container', needsMounts: true,
    summary: 'a host directory per mount; owner: runs a one-shot init service that sets uid:gid',
    keys: ['mounts', 'owner', 'image', 'node'], mountKeys: ['source', 'name', 'read_only'], swarm: 'needs-node',
  },
  {
    name: 'shared', seedName: 'Host Mapped Volume backed by Shared Storage', level: 'host', needsMounts: true, backend: 'shared',
    summary: 'a volume on shared storage (NFS, CIFS, or a host path that is a shared mount)',
    keys: ['mounts', 'backend'], mountKeys: ['name', 'path', 'read_only'], swarm: 'ok', keepable: true,
  },
  {
    name: 'plugin', seedName: 'Convoy Volume Plugin', level: 'backend', needsMounts: true, backend: 'plugin',
    summary: 'a named volume of a volume driver (Convoy, REX-Ray, Flocker or any other) with its options',
    keys: ['mounts', 'backend', 'driver', 'driver_opts'], mountKeys: ['name', 'options', 'read_only'], swarm: 'ok', keepable: true,
  },
];

export type PatternTable = ReadonlyMap<string, PatternDef>;

export function patternTable(extra: readonly PatternDef[] = []): PatternTable {
  return new Map([...BUILTIN_PATTERNS, ...extra].map((p) => [p.name, p]));
}

export const BUILTIN_TABLE: PatternTable = patternTable();
