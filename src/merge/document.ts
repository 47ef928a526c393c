/**
 * The edit list (edits.ts) applied to yaml's Document: the printer for what
 * the source text cannot take (several -f files, files the full parser read,
 * layouts the splicer does not edit). It carries the edits out and decides
 * nothing about what they mean; what it must take care of is YAML's sharing:
 * an anchored node that is edited first gives every alias of it (and every
 * `<<: *it`) a copy of its current content, and an alias on the way to an
 * edit is replaced by a copy of what it refers to, so only the edited place
 * changes.
 */
import { isAlias, isMap, isNode, isScalar, isSeq, visit, type Document, type Node, type Pair } from 'yaml';
import type { YamlPath } from '../diagnostics.js';
import type { Edit } from './edits.js';
import { findPair } from '../yaml/positions.js';
import { createNode, createPair } from '../yaml/nodes.js';
import { generatedStyle } from '../yaml/scalar.js';
import { appendItem, keepCommentsAbove } from './comments.js';

/** Thrown when an edit's path is not in the document: the planner and the document disagree (an internal error). */
export class EditPathError extends Error {}

export function applyEditsToDocument(doc: Document, edits: readonly Edit[]): void {
  for (const e of edits) {
    if (e.op === 'add') {
      const map = container(doc, e.path);
      if (!isMap(map)) throw new EditPathError(`no mapping at ${e.path.join('.')}`);
      const existing = findPair(map, e.key);
      if (existing) existing.value = createNode(doc, e.value); // written by an alias copied on the way
      else if (e.first) map.items.unshift(createPair(doc, e.key, e.value));
      else appendItem(map, createPair(doc, e.key, e.value));
    } else if (e.op === 'append') {
      const seq = container(doc, e.path);
      if (!isSeq(seq)) throw new EditPathError(`no list at ${e.path.join('.')}`);
      for (const item of e.items) appendItem(seq, createNode(doc, item));
    } else if (e.op === 'replace') {
      const map = container(doc, e.path.slice(0, -1));
      const pair = isMap(map) ? findPair(map, String(e.path[e.path.length - 1])) : undefined;
      if (!pair) throw new EditPathError(`no entry at ${e.path.join('.')}`);
      if (isScalar(pair.value) && !isNode(e.value) && (e.value === null || typeof e.value !== 'object')) {
        // A scalar for a scalar: the node stays (its comments and quoting style), with the new value.
        pair.value.value = e.value;
        if (typeof e.value === 'string' && pair.value.type === 'PLAIN') pair.value.type = generatedStyle(e.value, 'value');
      } else pair.value = createNode(doc, e.value);
    } else if (e.op === 'block') {
      const map = container(doc, e.path);
      if (isMap(map)) map.flow = false;
    } else {
      const map = container(doc, e.path.slice(0, -1), false);
      const key = String(e.path[e.path.length - 1]);
      const pair = isMap(map) ? findPair(map, key) : undefined;
      if (!pair || !isMap(map)) continue; // nothing written there: nothing to remove
      keepAliasesOf(doc, pair);
      if (map === doc.contents) keepCommentsAbove(doc, map, pair);
      map.delete(key);
    }
  }
}

/**
 * The collection at a path, ready to be edited: aliases on the way replaced by
 * copies, anchored collections detached, a service mapping printed as a block
 * (a one-line `{ image: x }` service would grow into one very long line).
 */
function container(doc: Document, path: YamlPath, grows = true): unknown {
  let node: unknown = doc.contents;
  if (isNode(node)) detach(doc, node);
  for (const [i, seg] of path.entries()) {
    let next: unknown;
    if (isMap(node)) {
      const pair = findPair(node, String(seg)) as Pair<Node, Node> | undefined;
      if (!pair) throw new EditPathError(`no entry at ${path.slice(0, i + 1).join('.')}`);
      if (isAlias(pair.value)) pair.value = createNode(doc, pair.value.toJS(doc));
      next = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      if (isAlias(node.items[seg])) node.items[seg] = createNode(doc, (node.items[seg] as Node).toJS(doc));
      next = node.items[seg];
    } else throw new EditPathError(`no collection at ${path.slice(0, i).join('.')}`);
    if (isNode(next)) detach(doc, next);
    if (grows && i === 1 && path[0] === 'services' && isMap(next)) next.flow = false;
    node = next;
  }
  return node;
}

/** An entry about to be removed: aliases elsewhere to anchors inside it get copies of their values first. */
function keepAliasesOf(doc: Document, pair: Pair): void {
  if (!pair.value || typeof pair.value !== 'object') return;
  const anchored: Node[] = [];
  visit(pair.value as Node, { Node: (_, n) => void (n.anchor && anchored.push(n)) });
  if (isNode(pair.value) && pair.value.anchor) anchored.push(pair.value);
  for (const n of anchored) detach(doc, n);
}

/**
 * Before an anchored node is edited, every alias of it (and `<<: *it`) gets a
 * copy of its current content: only the place being edited changes.
 */
function detach(doc: Document, node: Node): void {
  const anchor = node.anchor;
  if (!anchor) return;
  const content = node.toJS(doc);
  visit(doc, {
    Alias(_, alias) {
      if (alias.source === anchor && alias.resolve(doc) === node) return createNode(doc, content);
      return undefined;
    },
  });
  node.anchor = undefined;
}
