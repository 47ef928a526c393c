/**
 * Stage 6, merge: what the output is, as one list of edits of the source,
 * keyed by YAML path. Every printer applies this list and nothing else: the
 * splicer to the source text (src/emit/splice.ts), yaml's Document where the
 * text cannot take it (src/merge/document.ts), and applyEditsToData here to
 * the source's plain data, which gives the merged data: what the output
 * means, which every printed output must read back as.
 *
 * Why the edits are planned and the data derived from them (not the other
 * way round): where a generated entry goes depends on what is written in the
 * source, not only on what it means. A list the service inherits through `<<`
 * must be written in full on the service (YAML merging is shallow: a list
 * written on the service replaces the inherited one), a list the service has
 * is appended to; the same data calls for different edits. That rule is
 * decided here, once, on the source index (what is written where) and the
 * data (what it means); the appliers only carry the edits out. What each
 * kind of generated entry adds (a list appended, a mapping merged, keys
 * deep-merged, new top-level entries) is its module's (src/entries/); the
 * edits that take are decided here.
 */
import type { YamlPath } from '../diagnostics.js';
import { newItems, serviceChanges, topLevelEntries, type Fragment, type ServiceChange } from '../entries/index.js';
import type { SourceIndex, WrittenNode } from '../yaml/source-index.js';
import { asMapping, copyMapping } from '../yaml/plain.js';

type Obj = Record<string, unknown>;

export type Edit =
  /** A key that is not written in the mapping at `path` gets this value (`first`: as its first entry). */
  | { op: 'add'; path: YamlPath; key: string; value: unknown; first?: boolean }
  /** The list written at `path` gets these items at its end. */
  | { op: 'append'; path: YamlPath; items: readonly unknown[] }
  /** The value written at `path` (a mapping entry's) is replaced. */
  | { op: 'replace'; path: YamlPath; value: unknown }
  /** The mapping entry at `path` is removed. */
  | { op: 'delete'; path: YamlPath }
  /**
   * Layout only, no meaning: the flow mapping at `path` is printed in block style. A
   * one-line `{ ... }` service that a fragment is for is written as a block, whether or
   * not it gains entries (so outputs of earlier versions stay what build writes).
   */
  | { op: 'block'; path: YamlPath };

/** The source as the planner reads it: what it means and what is written where. */
export interface EditSource {
  data: unknown;
  index: Pick<SourceIndex, 'written'>;
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Maps merge key by key, lists get the items they do not hold yet, anything else is replaced. */
export function deepMerge(current: unknown, value: unknown): unknown {
  if (Array.isArray(current) && Array.isArray(value)) return [...current, ...newItems(current, value)];
  if (isObj(current) && isObj(value)) {
    const out: Obj = { ...current };
    for (const [k, v] of Object.entries(value)) out[k] = deepMerge(out[k], v);
    return out;
  }
  return value;
}

/** A mapping the planner may add keys to: written as a mapping, or an alias of one (the printers copy it first). */
const isMapping = (w: WrittenNode | undefined): w is WrittenNode & { ownKeys: ReadonlySet<string> } => w !== undefined && w.ownKeys !== undefined;

/**
 * The edits that put the rendered fragments into the source, and cut out the
 * persistence block (`blockKey`).
 */
export function planEdits(source: EditSource, blockKey: string | undefined, fragments: readonly Fragment[]): Edit[] {
  const { index } = source;
  const data = asMapping(source.data);
  const edits: Edit[] = [];
  if (blockKey !== undefined) edits.push({ op: 'delete', path: [blockKey] });
  const services = asMapping(data.services);
  for (const f of fragments) {
    const path = ['services', f.service];
    const effective = asMapping(services[f.service]);
    const written = index.written(path);
    const changes = serviceChanges(f);
    if (!isMapping(written) || written.kind === 'alias') {
      // An aliased, empty or scalar service: replaced by its expansion with the entries added.
      edits.push({ op: 'replace', path, value: serviceWithChanges(effective, changes) });
    } else {
      if (written.flow) edits.push({ op: 'block', path });
      for (const c of changes) changeEdits(index, path, written, effective, c, edits);
    }
  }
  for (const top of topLevelEntries(fragments)) edits.push(...entriesAdded([top.key], index.written([top.key]), asMapping(data[top.key]), top.entries, top.always));
  return edits;
}

/** New entries of a top-level mapping: added to it, or the mapping written when it is absent or empty. */
function entriesAdded(path: readonly [string], written: WrittenNode | undefined, current: Obj, entries: Obj, always = false): Edit[] {
  if (!Object.keys(entries).length && !(always && written !== undefined && !isMapping(written))) return [];
  // Names were checked for collisions by the plan stage.
  if (isMapping(written)) return Object.entries(entries).map(([key, value]) => ({ op: 'add', path, key, value }));
  if (written !== undefined) return [{ op: 'replace', path, value: { ...current, ...entries } }];
  return [{ op: 'add', path: [], key: path[0], value: entries }];
}

/** The service's data with the changes: what the edits below mean, for a service written anew. */
function serviceWithChanges(effective: Obj, changes: readonly ServiceChange[]): Obj {
  const svc: Obj = { ...effective };
  for (const c of changes) {
    if (c.op === 'append') svc[c.key] = [...(Array.isArray(svc[c.key]) ? (svc[c.key] as unknown[]) : []), ...c.items];
    else if (c.op === 'mergeInto') svc[c.key] = { ...c.asMapping(svc[c.key]), ...c.entries };
    else for (const [k, v] of Object.entries(c.keys)) svc[k] = deepMerge(svc[k], v);
  }
  return svc;
}

/**
 * The `<<` rule, for one service written as a mapping: a key the service has
 * is extended in place; a key it inherits through `<<` (or does not have) is
 * written on the service in full, the inherited value with the new part.
 */
function changeEdits(index: Pick<SourceIndex, 'written'>, path: YamlPath, written: WrittenNode & { ownKeys: ReadonlySet<string> }, effective: Obj, c: ServiceChange, edits: Edit[]): void {
  if (c.op === 'append') {
    const { key, items } = c;
    const whole = [...(Array.isArray(effective[key]) ? (effective[key] as unknown[]) : []), ...items];
    if (!written.ownKeys.has(key)) edits.push({ op: 'add', path, key, value: whole });
    else if (index.written([...path, key])?.kind === 'seq') edits.push({ op: 'append', path: [...path, key], items });
    else edits.push({ op: 'replace', path: [...path, key], value: whole }); // an alias or an empty value: written out in full
  } else if (c.op === 'mergeInto') {
    const at = [...path, c.key];
    const own = written.ownKeys.has(c.key) ? index.written(at) : undefined;
    if (own?.kind === 'map' && own.ownKeys) {
      for (const [k, v] of Object.entries(c.entries)) edits.push(own.ownKeys.has(k) ? { op: 'replace', path: [...at, k], value: v } : { op: 'add', path: at, key: k, value: v });
    } else {
      // Another form (a short list), an alias, or inherited: the mapping in full, keeping the current value's meaning.
      const value = { ...c.asMapping(effective[c.key]), ...c.entries };
      edits.push(own ? { op: 'replace', path: at, value } : { op: 'add', path, key: c.key, value });
    }
  } else for (const [k, v] of Object.entries(c.keys)) setEdits(index, path, written, effective, k, v, edits);
}

/** Maps merge key by key, lists get the items they do not hold yet, scalars are set; an inherited key is written in full. */
function setEdits(index: Pick<SourceIndex, 'written'>, path: YamlPath, written: WrittenNode & { ownKeys: ReadonlySet<string> }, effective: Obj, key: string, value: unknown, edits: Edit[]): void {
  if (!written.ownKeys.has(key)) {
    edits.push({ op: 'add', path, key, value: effective[key] === undefined ? value : deepMerge(effective[key], value) });
    return;
  }
  const at = [...path, key];
  const own = index.written(at);
  if (own?.kind === 'map' && isMapping(own) && isObj(value)) {
    for (const [k, v] of Object.entries(value)) setEdits(index, at, own, asMapping(effective[key]), k, v, edits);
  } else if (own?.kind === 'seq' && Array.isArray(value)) {
    const items = newItems(Array.isArray(effective[key]) ? (effective[key] as unknown[]) : [], value);
    if (items.length) edits.push({ op: 'append', path: at, items });
  }
  else edits.push({ op: 'replace', path: at, value: deepMerge(effective[key], value) });
}

/**
 * The target's edits after the merge's (Swarm: the entries its conversion
 * leaves out, and `version:` first). An entry to leave out that a merge edit
 * writes is not written; one the service inherits through `<<` cannot be cut
 * from the anchored node, which others use: the service gets an empty list of
 * its own, which means the same to Swarm.
 */
export function planTargetEdits(source: EditSource, merged: readonly Edit[], drop: readonly YamlPath[], version: string | undefined): Edit[] {
  const under = (p: YamlPath, of: YamlPath): boolean => of.length <= p.length && of.every((s, i) => p[i] === s);
  const writes = (e: Edit): YamlPath => (e.op === 'add' ? [...e.path, e.key] : e.path);
  let kept: Edit[] = [...merged];
  const out: Edit[] = [];
  for (const path of drop) {
    kept = kept.filter((e) => !under(writes(e), path));
    // A value the merge writes in full (a service written anew): written without the entry.
    let covered = false;
    kept = kept.map((e) => {
      const at = writes(e);
      if ((e.op !== 'add' && e.op !== 'replace') || at.length >= path.length || !under(path, at)) return e;
      covered = true;
      return { ...e, value: withoutEntry(e.value, path.slice(at.length)) };
    });
    if (covered) continue;
    const parent = path.slice(0, -1);
    const key = String(path[path.length - 1]);
    const inherited = dataAt(source.data, parent);
    if (source.index.written(parent)?.ownKeys?.has(key)) out.push({ op: 'delete', path });
    else if (isObj(inherited) && Object.hasOwn(inherited, key)) out.push({ op: 'add', path: parent, key, value: [] });
  }
  if (version !== undefined) {
    out.push(source.index.written([])?.ownKeys?.has('version') ? { op: 'replace', path: ['version'], value: version } : { op: 'add', path: [], key: 'version', value: version, first: true });
  }
  return [...kept, ...out];
}

/** Plain data without the mapping entry at a path under it (copied where it changes). */
function withoutEntry(value: unknown, path: YamlPath): unknown {
  if (!isObj(value) || !path.length) return value;
  const [head, ...rest] = path;
  const key = String(head);
  if (!Object.hasOwn(value, key)) return value;
  if (!rest.length) {
    const { [key]: _gone, ...kept } = value;
    return kept;
  }
  return { ...value, [key]: withoutEntry(value[key], rest) };
}

/** The value at a path of plain data, or undefined. */
export function dataAt(data: unknown, path: YamlPath): unknown {
  let v = data;
  for (const seg of path) {
    if (Array.isArray(v) && typeof seg === 'number') v = v[seg];
    else if (isObj(v)) v = Object.hasOwn(v, String(seg)) ? v[String(seg)] : undefined;
    else return undefined;
  }
  return v;
}

/**
 * The edits applied to plain data: the merged data, what the output means.
 * Copies only what it changes (the source's data is shared, and large).
 */
export function applyEditsToData(data: unknown, edits: readonly Edit[]): Obj {
  const copies = new WeakSet<object>();
  // copyMapping, not a spread: the services: mapping is copied once and then written per service.
  const own = <T extends object>(v: T): T => {
    const copy = (Array.isArray(v) ? [...v] : copyMapping(v as Obj)) as T;
    copies.add(copy);
    return copy;
  };
  let root: Obj = own(asMapping(data));
  /** The container at a path, made this call's own copy (and its parents), created as a mapping where missing. */
  const at = (path: YamlPath): Obj | unknown[] => {
    let node: Obj | unknown[] = root;
    for (const seg of path) {
      const parent = node as Record<string | number, unknown>;
      const child = parent[seg];
      const next: Obj | unknown[] = child !== null && typeof child === 'object' ? (copies.has(child) ? (child as Obj) : own(child as Obj)) : own({});
      parent[seg] = next;
      node = next;
    }
    return node;
  };
  for (const e of edits) {
    if (e.op === 'add') {
      if (e.first && e.path.length === 0) {
        const { [e.key]: _old, ...rest } = root;
        root = own({ [e.key]: e.value, ...rest });
      } else (at(e.path) as Obj)[e.key] = e.value;
    } else if (e.op === 'append') {
      const parent = at(e.path.slice(0, -1)) as Record<string | number, unknown>;
      const last = e.path[e.path.length - 1]!;
      parent[last] = [...(Array.isArray(parent[last]) ? (parent[last] as unknown[]) : []), ...e.items];
    } else if (e.op === 'replace') {
      (at(e.path.slice(0, -1)) as Record<string | number, unknown>)[e.path[e.path.length - 1]!] = e.value;
    } else if (e.op === 'delete') {
      const parent = at(e.path.slice(0, -1));
      if (!Array.isArray(parent)) delete parent[String(e.path[e.path.length - 1])];
    }
  }
  return root;
}

/** What is written where, for plain data without its source text: every entry counts as written in place. */
export function plainIndex(data: unknown): Pick<SourceIndex, 'written'> {
  return {
    written(path) {
      const v = dataAt(data, path);
      // Read YAML has no undefined: nothing is written there.
      if (v === undefined) return undefined;
      if (isObj(v)) return { kind: 'map', flow: false, ownKeys: new Set(Object.keys(v)) };
      if (Array.isArray(v)) return { kind: 'seq', flow: false };
      return { kind: 'scalar', flow: false };
    },
  };
}
