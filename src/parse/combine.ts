/**
 * Several -f files become one document by Compose's merge rules: mappings
 * merge key by key, a service's volumes match on target (secrets and
 * configs on source), command/entrypoint are replaced, other lists append.
 * The first file is the base: its comments and layout are kept.
 */
import { isMap, isScalar, isSeq, type Document, type Node, type YAMLMap } from 'yaml';
import { findPair } from '../yaml/positions.js';
import { shortTarget } from '../compose/view.js';
import { createNode, createPair } from '../yaml/nodes.js';

type Keyed = (item: unknown) => string | undefined;

const targetOf: Keyed = (v) => {
  if (typeof v === 'string') return shortTarget(v);
  return v && typeof v === 'object' ? String((v as { target?: unknown }).target) : undefined;
};
const sourceOf: Keyed = (v) => (typeof v === 'string' ? v : v && typeof v === 'object' ? String((v as { source?: unknown }).source) : undefined);

/** Lists merged by key, by path pattern ('*' matches one segment). */
const KEYED_LISTS: readonly [string, Keyed][] = [
  ['services.*.volumes', targetOf],
  ['services.*.secrets', sourceOf],
  ['services.*.configs', sourceOf],
];
const REPLACED = ['services.*.command', 'services.*.entrypoint', 'services.*.healthcheck.test'];

const matches = (pattern: string, path: readonly string[]): boolean => {
  const p = pattern.split('.');
  return p.length === path.length && p.every((seg, i) => seg === '*' || seg === path[i]);
};

export function combineDocuments(base: Document, overrides: readonly { data: unknown }[]): Document {
  const out = base.clone();
  for (const o of overrides) mergeInto(out, out.contents as YAMLMap, o.data as Record<string, unknown>, []);
  return out;
}

function mergeInto(doc: Document, map: YAMLMap, data: Record<string, unknown>, path: string[]): void {
  for (const [key, value] of Object.entries(data ?? {})) {
    const here = [...path, key];
    const pair = findPair(map, key);
    if (!pair) {
      map.add(createPair(doc, key, value));
      continue;
    }
    const current = pair.value as Node | null;
    if (isMap(current) && value && typeof value === 'object' && !Array.isArray(value)) {
      mergeInto(doc, current, value as Record<string, unknown>, here);
    } else if (isSeq(current) && Array.isArray(value) && !REPLACED.some((p) => matches(p, here))) {
      const keyed = KEYED_LISTS.find(([p]) => matches(p, here))?.[1];
      const existing = current.toJS(doc) as unknown[];
      const merged = keyed ? mergeKeyed(existing, value, keyed) : [...existing, ...value.filter((v) => !existing.some((e) => JSON.stringify(e) === JSON.stringify(v)))];
      pair.value = createNode(doc, merged);
    } else if (!(isScalar(current) && current.value === value)) {
      pair.value = createNode(doc, value);
    }
  }
}

function mergeKeyed(existing: unknown[], added: unknown[], key: Keyed): unknown[] {
  const out = [...existing];
  for (const item of added) {
    const k = key(item);
    const at = out.findIndex((e) => key(e) === k);
    if (at >= 0) out[at] = item;
    else out.push(item);
  }
  return out;
}
