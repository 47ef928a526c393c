/**
 * The table of generated-entry kinds: the keys a pattern's template may
 * render (its fragment), each one module here stating its key, how its
 * rendered value is read, how two parts of one service combine, and what it
 * adds (types.ts). A Fragment is derived from this table, render reads and
 * combines fragments through it, and the merge planner (src/merge/edits.ts)
 * turns what each kind adds into edits with the `<<` rule it keeps once.
 * Adding a kind is adding its module and its line below; no stage names one.
 * Imports only leaf modules.
 */
import { volumes } from './volumes.js';
import { volumesFrom } from './volumes-from.js';
import { dependsOn } from './depends-on.js';
import { set } from './set.js';
import { services } from './services.js';
import { topVolumes } from './top-volumes.js';
import type { EntryKindBase, ServiceChange, ServiceEntryKind, TopEntryKind, UserPlan } from './types.js';

export type { EntryKindBase, ServiceChange, ServiceEntryKind, TopEntryKind, UserPlan } from './types.js';
export { dependsOnMapping } from './depends-on.js';
export { newItems } from './set.js';

type Obj = Record<string, unknown>;

/** In the order a fragment's entries are planned as edits (and so written): the service's, then the top level's. */
export const ENTRY_KINDS = [volumes, volumesFrom, dependsOn, set, services, topVolumes] as const;

type Kind = (typeof ENTRY_KINDS)[number];
type ValueOf<K> = K extends { read(rendered: unknown): infer V } ? V : never;

/** Each kind's value, under its field. */
export type EntryValues = { [K in Kind as K['field']]: ValueOf<K> };

/** What one pattern adds to one service and to the top level: merged into the document by the merge stage. */
export interface Fragment extends EntryValues {
  service: string;
}

// The table with each kind's value type forgotten: what the generic code below walks.
type AnyServiceKind = ServiceEntryKind<string, unknown>;
type AnyTopKind = TopEntryKind<string, Obj>;
type AnyKind = EntryKindBase<string, unknown>;
const KINDS: readonly (AnyServiceKind | AnyTopKind)[] = ENTRY_KINDS;
const SERVICE_KINDS: readonly AnyServiceKind[] = KINDS.filter((k): k is AnyServiceKind => !('top' in k));
const TOP_KINDS: readonly AnyTopKind[] = KINDS.filter((k): k is AnyTopKind => 'top' in k);
/** Every kind, as far as reading and combining go. */
const ALL_KINDS: readonly AnyKind[] = KINDS;

/** The keys a template may render, in the table's order. */
export const ENTRY_KEYS: readonly string[] = ALL_KINDS.map((k) => k.key);

const valueOf = (f: EntryValues, k: AnyKind): unknown => (f as unknown as Obj)[k.field];
const topValueOf = (f: EntryValues, k: AnyTopKind): Obj => (f as unknown as Record<string, Obj>)[k.field]!;

/** A template's rendered mapping (its keys checked against ENTRY_KEYS) as a fragment. */
export function readFragment(service: string, rendered: Readonly<Obj>): Fragment {
  const f: Obj = { service };
  for (const k of ALL_KINDS) f[k.field] = k.read(rendered[k.key]);
  return f as unknown as Fragment;
}

/** Two parts of one service (a pattern per mount) as one fragment, kind by kind. */
export function combineFragments(first: Fragment, second: Fragment): Fragment {
  const f: Obj = { service: second.service };
  for (const k of ALL_KINDS) f[k.field] = k.combine(valueOf(first, k), valueOf(second, k));
  return f as unknown as Fragment;
}

/** What the fragment puts on its service, kind by kind in the table's order. */
export function serviceChanges(f: Fragment): ServiceChange[] {
  const out: ServiceChange[] = [];
  for (const k of SERVICE_KINDS) {
    const c = k.change(valueOf(f, k));
    if (c) out.push(c);
  }
  return out;
}

/** The keys of the kinds the fragment has entries of (a value that adds nothing is not counted). */
export function keysWritten(f: Fragment): string[] {
  return KINDS.filter((k) => ('top' in k ? Object.keys(topValueOf(f, k)).length > 0 : k.change(valueOf(f, k)) !== undefined)).map((k) => k.key);
}

/**
 * What a user-defined pattern's fragment breaks, kind by kind: each kind's own rule
 * (userProblems), and a kind without one may not be written by a user pattern at all.
 */
export function userPatternProblems(f: Fragment, plan: UserPlan): string[] {
  const written = new Set(keysWritten(f));
  return ALL_KINDS.flatMap((k) => (k.userProblems ? k.userProblems(valueOf(f, k), plan) : written.has(k.key) ? [`writes ${k.key}:, which a user pattern may not (only the built-in patterns write it)`] : []));
}

/** New entries of a top-level mapping, over all fragments (see TopEntryKind). */
export interface TopEntries {
  key: string;
  entries: Obj;
  always: boolean;
}

/** For each kind that adds to the top level, in the table's order: its new entries, the fragments' in order. */
export function topLevelEntries(fragments: readonly Fragment[]): TopEntries[] {
  return TOP_KINDS.map((k) => {
    const entries: Obj = {};
    for (const f of fragments) Object.assign(entries, topValueOf(f, k));
    return { key: k.top.key, entries, always: k.top.always === true };
  });
}

/**
 * Each name of a kind declared once (TopEntryKind.top.once) is left out of every fragment but
 * the first that has it, and out of all when `declared` (the names the file itself declares
 * under that top-level key) has it. Fragments that keep all theirs are returned as they are.
 */
export function declareOnce(fragments: readonly Fragment[], declared: ReadonlySet<string>): Fragment[] {
  const once = TOP_KINDS.filter((k) => k.top.once === true);
  const seen = once.map(() => new Set(declared));
  return fragments.map((f) => {
    let out = f;
    once.forEach((k, i) => {
      const names = seen[i]!;
      const entries = topValueOf(out, k);
      const keys = Object.keys(entries);
      if (keys.some((n) => names.has(n))) out = { ...out, [k.field]: Object.fromEntries(Object.entries(entries).filter(([n]) => !names.has(n))) };
      for (const n of keys) names.add(n);
    });
    return out;
  });
}
