/**
 * What a pattern is: its row of the table (data the stages read) and its hooks
 * (what resolve and plan do for it). A built-in pattern is one folder under
 * src/patterns/ (index.ts and template.yaml.hbs); a user pattern is one file
 * read at run time (src/plan/user-patterns.ts) that fills the same interface.
 * This module and the patterns import only leaf modules: the stages import
 * the patterns, never the reverse, so a hook gets what it needs from the
 * stage (the contexts below) rather than importing it.
 */
import type { Diagnostic, YamlPath } from '../diagnostics.js';
import type { TargetFacts } from '../compose/target-facts.js';
import type { BackendKind, Level, MountInput, PlannedBind, PlannedVolume, ResolvedBackend, ResolvedService, ServiceInput, ServicePlan, Target } from '../model.js';

/** The kinds of back-end a pattern can take (model.ts's BackendInputsByKind says which back-end types are of which kind). */
export type { BackendKind };
/** How the pattern fares on Swarm (docker stack deploy). */
export type SwarmSupport = 'ok' | 'per-node' | 'needs-node' | 'refused';

type Failure = Omit<Diagnostic, 'file' | 'severity'>;

/** What a hook of a pattern of kind K is given of its back-end: one of its kind, always there (resolve checked the kind). */
export interface WithBackend<K extends BackendKind> {
  backend: ResolvedBackend<K>;
}

/** What resolve gives a pattern's hook for one mount, after the checks every mount gets (its back-end aside). */
export interface MountResolveBase {
  service: string;
  /** The mount as written (a short-form target turned into { target }). */
  input: MountInput;
  /** The service as written (its keys are the mounts' defaults). */
  serviceInput: ServiceInput;
  /** The mount's volume or bind name (its name:, or <service>-<last segment>). */
  name: string;
  /** Where the mount is written (the service entry for mounts taken from the catalog). */
  path: YamlPath;
  /** An error at a path: the service is not resolved. */
  fail(d: Failure): void;
  /** Why a path (a target, a sub-path) cannot be used, or undefined. */
  pathProblem(path: string): string | undefined;
  /**
   * A host directory the output mounts, as written at `at` (`unsafeAt` where the default
   * was taken): normalised, with resolve's checks (BAD_PATH; UNSAFE_PATH, an error under safe-paths).
   */
  hostDirectory(source: string, at: YamlPath, unsafeAt: YamlPath): string;
}

/** What resolve gives a resolveMount hook of a pattern of kind K: the base, and the mount's back-end of kind K (none without a kind). */
export type MountResolveContext<K extends BackendKind | undefined = undefined> = K extends BackendKind ? MountResolveBase & WithBackend<K> : MountResolveBase;

/** A resolved part of a service without its back-end. */
export type ServicePart = Omit<ResolvedService, 'backend'>;
/** The part of a service a plan hook of a pattern of kind K gets: its back-end is of kind K (none without a kind). */
export type ResolvedServiceOf<K extends BackendKind | undefined = undefined> = K extends BackendKind ? ServicePart & WithBackend<K> : ServicePart;

/** What a pattern adds to a resolved mount, and the owner its part is grouped by. */
export interface MountResolution {
  /** bind: the host directory. */
  source?: string;
  /** shared: the directory under the back-end's root. */
  subPath?: string;
  /** The uid:gid set on the mount's host directory (mounts of one owner are one part). */
  owner?: string;
}

/** What plan gives a pattern's hook for one resolved part of a service. */
export interface PlanContext {
  target: Target;
  /** What the target means for a pattern (whether it orders service start-up, ...). */
  facts: TargetFacts;
  /** The service's profiles, for the services a pattern generates (they start with their service). */
  profiles: { profiles?: string[] };
  /** A named volume per mount, with the back-end's driver, and explain's lines for them. */
  namedVolumes(): { volumes: PlannedVolume[]; generated: string[] };
}

/** A pattern's share of a ServicePlan; plan adds the level, the Swarm rules and the rest. */
export interface PatternPlan {
  volumes?: PlannedVolume[];
  binds?: PlannedBind[];
  sidecar?: ServicePlan['sidecar'];
  init?: ServicePlan['init'];
  /** Explain's lines for what the pattern generates. */
  generated: string[];
}

/** A pattern's row: the data the stages read. */
export interface PatternRow {
  name: string;
  /** The seed's name for it. */
  seedName: string;
  /** Level the pattern gives; 'backend' defers to the back-end (plugins may declare). */
  level: Level | 'backend';
  summary: string;
  needsMounts: boolean;
  /** Service keys of the block that mean something for this pattern. */
  keys: readonly string[];
  /** Mount keys that mean something for this pattern (besides target). */
  mountKeys: readonly string[];
  swarm: SwarmSupport;
  /** Its volumes can be kept (keep: true: external, out of reach of down -v). */
  keepable?: boolean;
  /** Why keep: is not needed here, when the pattern is not keepable for a reason of its own. */
  keepNotNeeded?: string;
  /** Pattern definitions loaded from a user directory carry their template text. */
  template?: string;
  userDefined?: boolean;
}

/**
 * A pattern's hooks, given a mount context Ctx and a service part S. Function properties (not
 * methods), so that a hook of one kind is not taken for a hook of another (a method's
 * parameters are bivariant, a function property's are checked).
 */
export interface PatternHooks<Ctx, S> {
  /** Resolve: what the pattern adds to one mount (its checks report through the context). */
  resolveMount?: (ctx: Ctx) => MountResolution;
  /** The sidecar service the pattern adds to a service, if it adds one. */
  sidecarName?: (service: string) => string;
  /**
   * Plan: what the pattern generates for one resolved part of a service. Without it (user
   * patterns), a named volume per mount, or nothing for a pattern without mounts.
   */
  plan?: (s: S, ctx: PlanContext) => PatternPlan;
}

/** A pattern that takes a back-end of kind K: its hooks get one of that kind. */
export interface KindedPattern<K extends BackendKind> extends PatternRow, PatternHooks<MountResolveBase & WithBackend<K>, ServicePart & WithBackend<K>> {
  backend: K;
  /** The back-ends it takes, as a message says (`<name> needs ...`). */
  backendNeeds?: string;
}

/** A pattern without a back-end: its hooks get none. */
export interface KindlessPattern extends PatternRow, PatternHooks<MountResolveBase, ServicePart> {
  backend?: undefined;
  backendNeeds?: undefined;
}

/** A pattern that takes a back-end of kind K (undefined: none): its row, its kind and its hooks typed by it. */
export type PatternDef<K extends BackendKind | undefined = undefined> = K extends BackendKind ? KindedPattern<K> : KindlessPattern;

/** A pattern of any kind, as the table holds it (one member per kind; resolve/pattern-hooks.ts narrows it by `backend`). */
export type AnyPattern = PatternDef<BackendKind | undefined>;

/** A built-in pattern: its template is templates/<name> in src/generated/templates.js (its folder's template.yaml.hbs). */
export type BuiltinPattern<K extends BackendKind | undefined = undefined> = PatternDef<K> & { userDefined?: never };

/** A built-in pattern of any kind. */
export type AnyBuiltinPattern = AnyPattern & { userDefined?: never };

export type PatternTable = ReadonlyMap<string, AnyPattern>;
