/**
 * Stage 6, merge: put the rendered fragments into the compose document in
 * place, so everything else keeps its comments, anchors, quoting and
 * `${VAR}` text. Where a service inherits a list through `<<`, the full
 * effective list is written on the service itself (YAML merging is shallow:
 * a list written on the service replaces the inherited one), and the anchored
 * node is never edited.
 */
import { isAlias, isMap, isNode, isScalar, isSeq, visit, YAMLMap, YAMLSeq, type Document, type Node, type Pair } from 'yaml';
import type { Fragment } from '../model.js';
import type { ComposeView } from '../compose/view.js';
import { findPair } from '../yaml/positions.js';
import { createNode, createPair } from '../yaml/nodes.js';
import { asMapping } from '../yaml/plain.js';
import { appendItem, keepCommentsAbove } from './comments.js';

/** Remove the block; an alias elsewhere to an anchor inside it gets a copy of its value first. */
export function removeBlock(doc: Document, key: string): void {
  const pair = findPair(doc.contents, key);
  if (pair && pair.value && typeof pair.value === 'object') {
    const anchored: Node[] = [];
    visit(pair.value as Node, { Node: (_, n) => void (n.anchor && anchored.push(n)) });
    if (isNode(pair.value) && pair.value.anchor) anchored.push(pair.value);
    for (const n of anchored) detach(doc, n);
  }
  if (pair && isMap(doc.contents)) keepCommentsAbove(doc, doc.contents, pair);
  doc.delete(key);
}

export function mergeFragments(doc: Document, view: ComposeView, fragments: readonly Fragment[]): void {
  const services = ensureMap(doc, doc.contents as YAMLMap, 'services');
  // One index instead of a scan per service: files with 10,000 services stay linear.
  const index = new Map<string, Pair>();
  for (const item of services.items) if (isScalar(item.key)) index.set(String(item.key.value), item as Pair);
  for (const f of fragments) {
    const svc = serviceMap(doc, index.get(f.service)!, view.services[f.service]);
    const effective = view.services[f.service] ?? {};
    if (f.volumes.length) appendList(doc, svc, 'volumes', effective.volumes, f.volumes);
    if (f.volumesFrom.length) appendList(doc, svc, 'volumes_from', effective.volumes_from, f.volumesFrom);
    if (Object.keys(f.dependsOn).length) addDependsOn(doc, svc, effective.depends_on, f.dependsOn);
    for (const [k, v] of Object.entries(f.set)) deepSet(doc, svc, k, v, (effective as Record<string, unknown>)[k]);
    // Names were checked for collisions by the plan stage; add() would rescan the map for each.
    for (const [name, body] of Object.entries(f.services)) appendItem(services, createPair(doc, name, body));
  }
  const top = fragments.flatMap((f) => Object.entries(f.topVolumes));
  if (top.length) {
    const volumes = ensureMap(doc, doc.contents as YAMLMap, 'volumes');
    for (const [name, body] of top) appendItem(volumes, createPair(doc, name, body));
  }
}

function ensureMap(doc: Document, parent: YAMLMap, key: string): YAMLMap {
  const pair = findPair(parent, key);
  if (pair && isAlias(pair.value)) {
    // `services: *s`: this file's own copy, so the anchor's other users keep theirs.
    pair.value = createNode(doc, pair.value.toJS(doc));
  }
  if (pair && isMap(pair.value)) {
    detach(doc, pair.value);
    return pair.value;
  }
  const fresh = new YAMLMap(doc.schema);
  if (pair) pair.value = fresh; // `volumes:` with an empty value
  else appendItem(parent, createPair(doc, key, fresh));
  return fresh;
}

/** The service's own mapping; an aliased or scalar service is replaced by its expansion. */
function serviceMap(doc: Document, pair: Pair, effective: unknown): YAMLMap {
  if (isMap(pair.value)) {
    detach(doc, pair.value);
    // A one-line `{ image: x }` service would grow into one very long line: print it as a block.
    pair.value.flow = false;
    return pair.value;
  }
  const expanded = createNode(doc, effective ?? {}) as YAMLMap;
  pair.value = expanded;
  return expanded;
}

/** Append to the service's own list, or write effective + new when inherited. */
function appendList(doc: Document, svc: YAMLMap, key: string, effective: unknown, items: readonly unknown[]): void {
  const pair = findPair(svc, key);
  if (pair && isSeq(pair.value)) {
    detach(doc, pair.value);
    for (const item of items) appendItem(pair.value, createNode(doc, item));
    return;
  }
  const base = Array.isArray(effective) ? effective : [];
  const seq = createNode(doc, [...base, ...items]) as YAMLSeq;
  if (pair) pair.value = seq; // an alias or an empty value: written out in full
  else appendItem(svc, createPair(doc, key, seq));
}

/** depends_on in the long form: a short list keeps its meaning as `condition: service_started`. */
export function dependsOnMapping(current: unknown): Record<string, unknown> {
  return Array.isArray(current) ? Object.fromEntries(current.map((s) => [String(s), { condition: 'service_started' }])) : { ...asMapping(current) };
}

/** depends_on: keep the short (list) form's meaning when switching to the long form. */
function addDependsOn(doc: Document, svc: YAMLMap, effective: unknown, add: Fragment['dependsOn']): void {
  const pair = findPair(svc, 'depends_on');
  if (pair && isMap(pair.value)) {
    detach(doc, pair.value);
    for (const [k, v] of Object.entries(add)) {
      if (findPair(pair.value, k)) pair.value.set(k, createNode(doc, v));
      else appendItem(pair.value, createPair(doc, k, v));
    }
    return;
  }
  const node = createNode(doc, { ...dependsOnMapping(effective), ...add });
  if (pair) pair.value = node;
  else appendItem(svc, createPair(doc, 'depends_on', node));
}

/**
 * Maps merge key by key, lists append, scalars are set. A key the service
 * inherits through `<<` is written in full (inherited value merged with the
 * new one): writing only the new part would hide the rest.
 */
function deepSet(doc: Document, map: YAMLMap, key: string, value: unknown, inherited?: unknown): void {
  const pair = findPair(map, key) as Pair<Node, Node> | undefined;
  if (!pair) {
    appendItem(map, createPair(doc, key, inherited === undefined ? value : deepMerge(inherited, value)));
    return;
  }
  if (isAlias(pair.value)) pair.value = createNode(doc, pair.value.toJS(doc));
  if (isMap(pair.value) && value && typeof value === 'object' && !Array.isArray(value)) {
    detach(doc, pair.value);
    for (const [k, v] of Object.entries(value)) deepSet(doc, pair.value, k, v);
  } else if (isSeq(pair.value) && Array.isArray(value)) {
    detach(doc, pair.value);
    for (const v of value) appendItem(pair.value, createNode(doc, v));
  } else {
    pair.value = createNode(doc, value);
  }
}

/**
 * Leave out the entries at these paths (mapping entries of a service, as the
 * Swarm conversion asks). An entry the service inherits through `<<` cannot be
 * cut from the anchored node, which others use: the service gets an empty list
 * of its own, which means the same to Swarm.
 */
export function dropEntries(doc: Document, paths: readonly (readonly (string | number)[])[]): void {
  for (const path of paths) {
    let node: unknown = doc.contents;
    for (const seg of path.slice(0, -1)) {
      const pair = findPair(node, String(seg));
      // An aliased mapping on the way (`web: *base`): this entry's own copy, so the anchor's other users keep theirs.
      if (pair && isAlias(pair.value)) pair.value = createNode(doc, pair.value.toJS(doc));
      node = pair?.value;
    }
    if (!isMap(node)) continue;
    const key = String(path[path.length - 1]);
    detach(doc, node);
    if (findPair(node, key)) node.delete(key);
    else node.add(createPair(doc, key, []));
  }
}

/**
 * Before an anchored node is edited, every alias of it (and `<<: *it`) gets a
 * copy of its current content: only the service being persisted changes.
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

type Obj = Record<string, unknown>;

/**
 * The same merge on plain data: what the output means, for the output check,
 * without converting the edited document back to data (a second pass over a
 * large file). Copies only what it changes.
 */
export function mergeFragmentsIntoData(data: unknown, blockKey: string | undefined, fragments: readonly Fragment[], version?: string): Obj {
  const rest = { ...asMapping(data) };
  if (blockKey !== undefined) delete rest[blockKey];
  const out: Obj = version ? { ...rest, version } : rest;
  const services: Obj = { ...asMapping(out.services) };
  for (const f of fragments) {
    const svc: Obj = { ...asMapping(services[f.service]) };
    if (f.volumes.length) svc.volumes = [...(Array.isArray(svc.volumes) ? svc.volumes : []), ...f.volumes];
    if (f.volumesFrom.length) svc.volumes_from = [...(Array.isArray(svc.volumes_from) ? svc.volumes_from : []), ...f.volumesFrom];
    if (Object.keys(f.dependsOn).length) {
      svc.depends_on = { ...dependsOnMapping(svc.depends_on), ...f.dependsOn };
    }
    for (const [k, v] of Object.entries(f.set)) svc[k] = deepMerge(svc[k], v);
    services[f.service] = svc;
    Object.assign(services, f.services);
  }
  out.services = services;
  const top = fragments.flatMap((f) => Object.entries(f.topVolumes));
  if (top.length) out.volumes = { ...asMapping(out.volumes), ...Object.fromEntries(top) };
  return out;
}

export function deepMerge(current: unknown, value: unknown): unknown {
  if (Array.isArray(current) && Array.isArray(value)) return [...current, ...value];
  if (current && value && typeof current === 'object' && typeof value === 'object' && !Array.isArray(current) && !Array.isArray(value)) {
    const out: Obj = { ...(current as Obj) };
    for (const [k, v] of Object.entries(value as Obj)) out[k] = deepMerge(out[k], v);
    return out;
  }
  return value;
}
