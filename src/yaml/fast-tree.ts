/**
 * What the fast reader's tree means and where things are in it: plain data
 * (as toPlain gives it from a yaml Document), the check that a tree means
 * given data (the read-back of a spliced output), and lookups by key and path.
 */
import type { Anchorable, FastDoc, FMap, FNode, FPair } from './fast-parse.js';
import { applyMerge } from './plain.js';
import type { LineIndex, SourceIndex, WrittenNode } from './source-index.js';

type Obj = Record<string, unknown>;

/** Plain data, as toPlain gives it from a yaml Document: anchors converted once and shared, `<<` merged. */
export function fastToData(doc: FastDoc): Obj {
  const done = new Map<FNode, unknown>();
  const convert = (n: FNode): unknown => {
    if (n.kind === 'alias') return done.get(n.target);
    let value: unknown;
    if (n.kind === 'scalar') value = n.value;
    else if (n.kind === 'seq') value = n.items.map(convert);
    else if (!n.pairs.some((p) => p.merge)) {
      const out: Obj = {};
      for (const pair of n.pairs) out[pair.key] = convert(pair.value);
      value = out;
    } else value = convertMerged(n, convert);
    if (n.anchor !== undefined) done.set(n, value);
    return value;
  };
  return convert(doc.root) as Obj;
}

/** A mapping with `<<` keys; values are converted in document order (an anchor before its aliases). */
function convertMerged(n: FMap, convert: (n: FNode) => unknown): Obj {
  const own: [string, unknown][] = [];
  const sources: Obj[] = [];
  for (const pair of n.pairs) {
    const v = convert(pair.value);
    if (!pair.merge) own.push([pair.key, v]);
    else if (pair.value.kind === 'seq') sources.push(...(v as Obj[]));
    else sources.push(v as Obj);
  }
  return applyMerge(own, sources);
}

/** Own keys of a plain object, counted without making their list. */
function keyCount(v: Obj): number {
  let n = 0;
  for (const k in v) if (Object.hasOwn(v, k)) n++;
  return n;
}

/**
 * Whether the document means exactly this data (what fastToData would give,
 * compared without building it): the check that a spliced output reads back
 * as the merged data. Key order is not compared.
 */
export function fastMeans(doc: FastDoc, expected: unknown): boolean {
  const matched = new Map<FNode, unknown[]>();
  const entries = new Map<FMap, Map<string, FNode>>();
  const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
  const deref = (n: FNode): Anchorable => (n.kind === 'alias' ? n.target : n);
  /** Effective entries of a mapping with merge keys (own first, then sources in order). */
  const merged = (n: FMap): Map<string, FNode> => {
    let out = entries.get(n);
    if (out) return out;
    out = new Map();
    for (const p of n.pairs) if (!p.merge) out.set(p.key, p.value);
    for (const p of n.pairs) {
      if (!p.merge) continue;
      const srcs = p.value.kind === 'seq' ? p.value.items : [p.value];
      for (const src of srcs) {
        const m = deref(src) as FMap;
        const add: Iterable<[string, FNode]> = m.pairs.some((x) => x.merge) ? merged(m) : m.pairs.map((x) => [x.key, x.value] as [string, FNode]);
        for (const [k, v] of add) if (!out.has(k)) out.set(k, v);
      }
    }
    entries.set(n, out);
    return out;
  };
  const eq = (node: FNode, v: unknown): boolean => {
    const n = deref(node);
    if (n.kind === 'scalar') return Object.is(n.value, v);
    const before = n.anchor !== undefined ? matched.get(n) : undefined;
    if (before?.includes(v)) return true;
    let ok: boolean;
    if (n.kind === 'seq') ok = Array.isArray(v) && v.length === n.items.length && n.items.every((item, i) => eq(item, v[i]));
    else if (!isObj(v)) ok = false;
    else if (n.pairs.some((p) => p.merge)) {
      const m = merged(n);
      ok = m.size === keyCount(v);
      for (const [k, child] of m) {
        if (!ok) break;
        ok = Object.hasOwn(v, k) && eq(child, v[k]);
      }
    } else ok = n.pairs.length === keyCount(v) && n.pairs.every((p) => Object.hasOwn(v, p.key) && eq(p.value, v[p.key]));
    if (ok && n.anchor !== undefined) matched.set(n, [...(before ?? []), v]);
    return ok;
  };
  return eq(doc.root, expected);
}

const pairIndex = new WeakMap<FMap, Map<string, FPair>>();

/** The map's own entry for a key (merge keys excluded), indexed for large maps. */
export function fastPair(map: FMap, key: string): FPair | undefined {
  if (map.pairs.length < 32) return map.pairs.find((p) => !p.merge && p.key === key);
  let index = pairIndex.get(map);
  if (!index) {
    index = new Map();
    for (const p of map.pairs) if (!p.merge && !index.has(p.key)) index.set(p.key, p);
    pairIndex.set(map, index);
  }
  return index.get(key);
}

/** Offset of the node at a path (or of its key), walking as positions.ts walks a yaml Document. */
export function fastOffsetOf(doc: FastDoc, path: readonly (string | number)[], preferKey: boolean): number {
  let node: FNode = doc.root;
  let keyStart: number | undefined;
  let depth = 0;
  for (const seg of path) {
    if (node.kind === 'alias') node = node.target;
    if (node.kind === 'map') {
      const pair = fastPair(node, String(seg));
      if (!pair) break;
      keyStart = pair.keyStart;
      node = pair.value;
    } else if (node.kind === 'seq' && typeof seg === 'number') {
      const item: FNode | undefined = node.items[seg];
      if (item === undefined) break;
      keyStart = undefined;
      node = item;
    } else break;
    depth++;
  }
  return preferKey && depth === path.length && keyStart !== undefined ? keyStart : node.start;
}

/** The source index of a text the fast reader read: offsets from its tree. */
export function fastIndex(doc: FastDoc, lines: () => LineIndex): SourceIndex {
  return {
    linePos: (offset) => lines().linePos(offset),
    offsetOf: (path, preferKey = false) => fastOffsetOf(doc, path, preferKey),
    written(path) {
      let node: FNode | undefined = doc.root;
      for (const seg of path) {
        if (node.kind === 'alias') node = node.target;
        if (node.kind === 'map') node = fastPair(node, String(seg))?.value;
        else if (node.kind === 'seq' && typeof seg === 'number') node = node.items[seg];
        else return undefined;
        if (node === undefined) return undefined;
      }
      return fastWritten(node);
    },
  };
}

function fastWritten(node: FNode): WrittenNode {
  if (node.kind === 'alias') return { ...fastWritten(node.target), kind: 'alias' };
  if (node.kind === 'map') {
    const ownKeys = new Set<string>();
    for (const p of node.pairs) if (!p.merge) ownKeys.add(p.key);
    return { kind: 'map', anchor: node.anchor, flow: node.flow, ownKeys };
  }
  if (node.kind === 'seq') return { kind: 'seq', anchor: node.anchor, flow: node.flow };
  return { kind: 'scalar', anchor: node.anchor, flow: false };
}
