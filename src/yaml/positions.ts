/**
 * Node-by-path access and source positions, kept in one place: every stage
 * speaks in paths ('services', 'db', 'volumes', 0) and this file turns a path
 * into the YAML node that was written there and its line:col.
 */
import { isMap, isPair, isScalar, isSeq, isAlias, type Document, type Node, type Pair } from 'yaml';
import type { YamlPath } from '../diagnostics.js';
import { isMergeKey } from './plain.js';
import { LineIndex, type SourceIndex, type WrittenNode } from './source-index.js';

export type { LinePos } from './source-index.js';

export interface Located {
  node?: Node;
  /** The key node when the path ends at a mapping entry. */
  key?: Node;
}

function scalarKeyValue(key: unknown): unknown {
  return isScalar(key) ? key.value : key;
}

/** Large mappings get an index on first lookup: locating thousands of diagnostics stays linear. */
const INDEX_FROM = 64;
const indexes = new WeakMap<object, { size: number; byKey: Map<string, Pair> }>();

export function findPair(map: unknown, key: string): Pair | undefined {
  if (!isMap(map)) return undefined;
  if (map.items.length >= INDEX_FROM) {
    let index = indexes.get(map);
    if (!index || index.size !== map.items.length) {
      const byKey = new Map<string, Pair>();
      for (const item of map.items) if (isPair(item)) byKey.set(String(scalarKeyValue(item.key)), item);
      index = { size: map.items.length, byKey };
      indexes.set(map, index);
    }
    return index.byKey.get(key);
  }
  for (const item of map.items) {
    if (isPair(item) && String(scalarKeyValue(item.key)) === key) return item;
  }
  return undefined;
}

/** Walk from the document root; stops at the deepest node that exists. */
export function locate(doc: Document, path: YamlPath): Located & { depth: number } {
  let node: unknown = doc.contents;
  let key: Node | undefined;
  let depth = 0;
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = findPair(node, String(seg));
      if (!pair) break;
      key = pair.key as Node;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (item === undefined) break;
      key = undefined;
      node = item;
    } else break;
    depth++;
  }
  return { node: (node ?? undefined) as Node | undefined, key, depth };
}

/** The source index of a text yaml read: offsets from its nodes' ranges. */
export function documentIndex(doc: Document, lines: LineIndex): SourceIndex {
  return {
    linePos: (offset) => lines.linePos(offset),
    offsetOf(path, preferKey = false) {
      const found = locate(doc, path);
      const target = preferKey && found.depth === path.length && found.key ? found.key : found.node;
      return target?.range?.[0];
    },
    written(path) {
      let node: unknown = doc.contents;
      for (const seg of path) {
        if (isAlias(node)) node = node.resolve(doc);
        if (isMap(node)) node = findPair(node, String(seg))?.value;
        else if (isSeq(node) && typeof seg === 'number') node = node.items[seg];
        else return undefined;
        if (node === undefined) return undefined;
      }
      return writtenNode(doc, node);
    },
  };
}

function writtenNode(doc: Document, node: unknown): WrittenNode | undefined {
  if (isAlias(node)) {
    const target = writtenNode(doc, node.resolve(doc));
    return target && { ...target, kind: 'alias' };
  }
  if (isMap(node)) {
    const ownKeys = new Set<string>();
    for (const p of node.items) if (!isMergeKey(p.key)) ownKeys.add(String(scalarKeyValue(p.key)));
    return { kind: 'map', anchor: node.anchor, flow: Boolean(node.flow), ownKeys };
  }
  if (isSeq(node)) return { kind: 'seq', anchor: node.anchor, flow: Boolean(node.flow) };
  if (isScalar(node)) return { kind: 'scalar', anchor: node.anchor, flow: false };
  // An empty value (`key:` with nothing after it) is a null scalar.
  return node === null ? { kind: 'scalar', flow: false } : undefined;
}
