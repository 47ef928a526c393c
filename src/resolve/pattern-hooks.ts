/**
 * A pattern's hooks with its back-end bound, typed by its kind: resolve and plan call a
 * pattern's resolveMount and plan only through patternHooks, which checks once that the
 * back-end is of the pattern's kind and hands each hook a back-end of that kind (a shared
 * pattern's hooks get a shared back-end, never undefined; a pattern without a kind gets none).
 */
import type { BackendKind, ResolvedBackend, ResolvedService } from '../model.js';
import type { AnyPattern, KindedPattern, MountResolution, MountResolveBase, PatternPlan, PlanContext } from '../patterns/index.js';
import { BACKEND_KINDS } from './backends.js';

/** What resolve and plan call: the pattern's hooks, its back-end given. */
export interface BoundHooks {
  /** What the pattern adds to one mount ({} without a resolveMount hook). */
  resolveMount(base: MountResolveBase): MountResolution;
  /**
   * What the pattern generates for one part of a service; undefined without a plan hook. Its
   * back-end is the one bound (plan binds the part's: a plugin's level may be lowered by its mounts).
   */
  plan(s: ResolvedService, ctx: PlanContext): PatternPlan | undefined;
}

/**
 * Whether the back-end is of kind `kind`. The one unchecked claim of the narrowing (a type
 * predicate, which TypeScript takes on trust): it cannot relate a generic K to
 * BACKEND_KINDS[backend.type].pattern, so the test in the body is what makes it true;
 * BACKEND_KINDS's type keeps each type's kind the one model.ts's BackendInputsByKind gives it.
 */
export function isOfKind<K extends BackendKind>(backend: ResolvedBackend | undefined, kind: K): backend is ResolvedBackend<K> {
  return backend !== undefined && BACKEND_KINDS[backend.type].pattern === kind;
}

/**
 * The pattern's hooks with `backend` bound, or undefined when the pattern takes a kind of
 * back-end and `backend` is not one of it (resolve reports BACKEND_KIND then).
 */
export function patternHooks(pattern: AnyPattern, backend: ResolvedBackend | undefined): BoundHooks | undefined {
  switch (pattern.backend) {
    case undefined:
      return { resolveMount: (base) => pattern.resolveMount?.(base) ?? {}, plan: (s, ctx) => pattern.plan?.(s, ctx) };
    // One case per kind (one for both would not narrow the pattern to one kind); a new kind
    // without its case does not compile (`never` below).
    case 'shared':
      return withBackend(pattern, backend);
    case 'plugin':
      return withBackend(pattern, backend);
    default:
      return noSuchKind(pattern);
  }
}

function withBackend<K extends BackendKind>(pattern: KindedPattern<K>, backend: ResolvedBackend | undefined): BoundHooks | undefined {
  if (!isOfKind(backend, pattern.backend)) return undefined;
  return {
    resolveMount: (base) => pattern.resolveMount?.({ ...base, backend }) ?? {},
    plan: (s, ctx) => pattern.plan?.({ ...s, backend }, ctx),
  };
}

function noSuchKind(_pattern: never): never {
  throw new Error('internal: a pattern of a back-end kind no hook knows');
}
