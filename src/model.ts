/**
 * The data at each stage boundary. Stages are functions from one of these to
 * the next; none of them holds YAML nodes except SourceDoc (parse) and the
 * document the merge stage edits.
 */
import type { YamlPath } from './diagnostics.js';

export type Level = 'none' | 'container' | 'host';
export const LEVELS: readonly Level[] = ['none', 'container', 'host'];
export const levelRank = (l: Level): number => LEVELS.indexOf(l);

export type Target = 'compose' | 'swarm';
export const TARGETS: readonly Target[] = ['compose', 'swarm'];

// ---- validate: the typed x-persistence block, once it passed its schema ----

export type OptionValue = string | number | boolean;

export interface MountInput {
  target: string;
  /** This mount's own pattern, over the service's (a pattern per mount). */
  pattern?: string;
  /** shared/plugin: this mount's own back-end, over the service's. */
  backend?: string;
  /** bind: this mount's owner, over the service's. */
  owner?: string;
  name?: string;
  source?: string;
  path?: string;
  read_only?: boolean;
  /** true: external with the volume's key as its name; a string: that engine volume name. */
  keep?: boolean | string;
  options?: Record<string, OptionValue>;
}

export interface ServiceInput {
  pattern?: string;
  mounts?: (string | MountInput)[];
  owner?: string;
  backend?: string;
  /** plugin: the volume driver written on the service, as Compose writes it on a volume (an inline back-end). */
  driver?: string;
  /** plugin: the inline back-end's driver options. */
  driver_opts?: Record<string, OptionValue>;
  image?: string;
  node?: string;
  reason?: string;
  /** Every volume of the service is external (kept): see MountInput.keep. */
  keep?: boolean;
  params?: Record<string, unknown>;
}

export interface NfsBackendInput { type: 'nfs'; address: string; export: string; version?: string | number; options?: string[] }
export interface CifsBackendInput {
  type: 'cifs'; address: string; share: string; username?: string; password?: string; domain?: string;
  version?: string; uid?: number | string; gid?: number | string; options?: string[];
}
export interface HostpathBackendInput { type: 'hostpath'; path: string }
export interface PluginBackendInput {
  type: 'plugin'; preset?: 'convoy' | 'rexray' | 'flocker'; driver?: string;
  options?: Record<string, OptionValue>; level?: Level;
}
/**
 * The back-end inputs of each kind: which pattern can take them (shared storage or a volume
 * plugin). resolve/backends.ts's BACKEND_KINDS states each type's kind at run time and is
 * typed by this, so the two cannot disagree.
 */
export interface BackendInputsByKind {
  shared: NfsBackendInput | CifsBackendInput | HostpathBackendInput;
  plugin: PluginBackendInput;
}
/** The kinds of back-end a pattern can take. */
export type BackendKind = keyof BackendInputsByKind;
/** The back-end inputs of one kind (of any kind by default). */
export type BackendInputOfKind<K extends BackendKind> = BackendInputsByKind[K];
export type BackendInput = BackendInputOfKind<BackendKind>;
/** The kind of a back-end type. */
export type KindOfBackendType<T extends BackendInput['type']> = { [K in BackendKind]: T extends BackendInputOfKind<K>['type'] ? K : never }[BackendKind];

export interface PersistenceInput {
  default?: string;
  require?: Level;
  'safe-paths'?: boolean;
  patterns?: string;
  backends?: Record<string, BackendInput>;
  services?: Record<string, ServiceInput>;
}

/** Where the block was found: its key and its path in the document. */
export interface BlockInfo {
  key: 'x-persistence' | 'persistence';
  file: string;
  block: PersistenceInput;
}

// ---- resolve: defaults applied, back-ends turned into driver options ----

/** A volume driver and its options, as the top-level volumes: entry gets them. */
export interface DriverSpec {
  driver: string;
  driverOpts: Record<string, string>;
}

/** A back-end as resolve gives it; typed by kind, its input is one of that kind's (any kind by default). */
export interface ResolvedBackend<K extends BackendKind = BackendKind> {
  name: string;
  type: BackendInputOfKind<K>['type'];
  level: Level;
  /** Legacy plugin presets are flagged in explain. */
  preset?: string;
  /** Written on the service (driver:, driver_opts:) rather than declared under backends:. */
  inline?: boolean;
  /** Makes the driver spec for one mount, given its sub-path under the root. */
  input: BackendInputOfKind<K>;
}

export interface ResolvedMount {
  target: string;
  /** The volume (or bind) name: the mount's own name or <service>-<last segment>. */
  name: string;
  /** Whether the name is the mount's own name: (not generated). */
  nameGiven?: boolean;
  source?: string;
  subPath?: string;
  readOnly: boolean;
  options: Record<string, OptionValue>;
  /** Kept: the fixed engine name of the external volume (never created or removed by Compose). */
  keep?: string;
  path: YamlPath;
}

export interface ResolvedService {
  service: string;
  pattern: string;
  mounts: ResolvedMount[];
  owner?: string;
  backend?: ResolvedBackend;
  image: string;
  node?: string;
  reason?: string;
  params?: Record<string, unknown>;
  path: YamlPath;
}

export interface ResolvedSpec {
  blockKey: BlockInfo['key'];
  file: string;
  require?: Level;
  safePaths: boolean;
  services: ResolvedService[];
}

// ---- plan: target-neutral description of what each service gets ----

export interface PlannedVolume {
  /** Key under the top-level volumes: of the output. */
  name: string;
  /** The user gave the name (mount name:); otherwise it was generated. */
  nameGiven?: boolean;
  target: string;
  readOnly: boolean;
  /** Absent: a plain local named volume. */
  driver?: DriverSpec;
  /**
   * Kept (keep: true): declared `external: true` with this fixed engine name, so that
   * `down -v` cannot remove it; `volumes create` makes it with `driver`.
   */
  external?: string;
}

export interface PlannedBind {
  source: string;
  target: string;
  readOnly: boolean;
  /** Where the init service sees the source, when an owner is set. */
  initTarget: string;
}

export interface ServicePlan {
  service: string;
  pattern: string;
  level: Level;
  volumes: PlannedVolume[];
  binds: PlannedBind[];
  /** data-container: the sidecar that owns the volumes. */
  sidecar?: { name: string; image: string; profiles?: string[] };
  /** bind with owner: the run-once service that sets ownership. */
  init?: { name: string; image: string; owner: string; profiles?: string[] };
  /** swarm: node the service must be pinned to. */
  node?: string;
  reason?: string;
  backend?: string;
  /** Parameters of a user-defined pattern, as given. */
  params?: Record<string, unknown>;
  /** Mounts given pattern none in a service with a pattern per mount: nothing kept there. */
  scratch?: string[];
  /** Human lines for explain: what was generated. */
  generated: string[];
  path: YamlPath;
}

/** One of a service's own mounts (written in its volumes: or tmpfs:), classified. */
export interface OwnMountInfo {
  target: string;
  /** volume, bind, anonymous, tmpfs, nfs, cifs, hostpath, plugin, external, image or other. */
  kind: string;
  source?: string;
  level: Level;
  note: string;
}

/**
 * A service the block does not list (every service of a file without a block) that mounts
 * something of its own or whose image the catalog knows as stateful.
 */
export interface UnlistedStateful {
  service: string;
  image: string;
  level: Level;
  /** Data in an anonymous volume: Compose carries it over a recreate, `down` drops it. */
  anonymous: boolean;
  note: string;
  /** Its own mounts, classified (explain shows a row per mount). */
  mounts?: OwnMountInfo[];
  /** Whether the catalog knows its image as stateful. */
  stateful?: boolean;
}

export interface Plan {
  file: string;
  target: Target;
  services: ServicePlan[];
  unlisted?: UnlistedStateful[];
}

// ---- render: pieces to merge into the document ----

/** What one pattern adds (its fields are the kinds of generated entry, src/entries/). */
export type { Fragment } from './entries/index.js';
