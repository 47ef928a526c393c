/**
 * The table of patterns. Each built-in pattern is one folder here: its row and
 * hooks (index.ts) and its template (template.yaml.hbs, precompiled by
 * scripts/build.mjs under the folder's name). Adding a pattern is adding a
 * folder and its line below; no stage names a pattern.
 */
import { none } from './none/index.js';
import { volume } from './volume/index.js';
import { dataContainer } from './data-container/index.js';
import { bind } from './bind/index.js';
import { shared } from './shared/index.js';
import { plugin } from './plugin/index.js';
import type { AnyBuiltinPattern, AnyPattern, PatternTable } from './types.js';

export type { AnyBuiltinPattern, AnyPattern, BackendKind, BuiltinPattern, KindedPattern, KindlessPattern, ServicePart, WithBackend, MountResolution, MountResolveBase, MountResolveContext, PatternDef, PatternPlan, PatternTable, PlanContext, ResolvedServiceOf, SwarmSupport } from './types.js';

/** In the order `compose-persist patterns` lists them. */
export const BUILTIN_PATTERNS: readonly AnyBuiltinPattern[] = [none, volume, dataContainer, bind, shared, plugin];

export function patternTable(extra: readonly AnyPattern[] = []): PatternTable {
  return new Map([...BUILTIN_PATTERNS, ...extra].map((p) => [p.name, p]));
}

export const BUILTIN_TABLE: PatternTable = patternTable();

/** The pattern that persists nothing by choice (require: does not apply to it; explain says why). */
export const NONE_PATTERN: string = none.name;

/** The sidecar service a default pattern would generate for a service (init checks the name is free). */
export const sidecarOf = (pattern: string, service: string): string | undefined => BUILTIN_TABLE.get(pattern)?.sidecarName?.(service);
