/**
 * Checks on the parsed document before its data is used: keys that are not
 * plain names or repeat (a Set per mapping, linear where yaml's own check is
 * quadratic), aliases measured by what they expand to (bombs), merge keys
 * of the wrong kind, and where an offending alias sits.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, visit, type Document, type Node } from 'yaml';
import type { DiagCode } from '../diagnostics.js';
import type { LinePos } from '../yaml/source-index.js';
import { isMergeKey } from '../yaml/plain.js';

export const duplicateMessage = (key: string): string => `the key ${JSON.stringify(key)} appears twice in one mapping; YAML keys must be unique`;

/** The first key that repeats within one mapping, or that is not a plain name (a collection, empty). */
export function firstKeyProblem(doc: Document): { code: DiagCode; message: string; offset: number } | undefined {
  let found: { code: DiagCode; message: string; offset: number } | undefined;
  visit(doc, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const k = pair.key as Node | null;
        const offset = k?.range?.[0] ?? (pair.value as Node | null)?.range?.[0] ?? map.range?.[0] ?? 0;
        if (k === null || (isScalar(k) && (k.value === null || k.value === ''))) {
          found = { code: 'YAML_SYNTAX', message: 'a mapping entry has an empty key; write a name before the ":"', offset };
          return visit.BREAK;
        }
        if (!isScalar(k)) {
          found = { code: 'YAML_SYNTAX', message: 'a key is a list or mapping; compose files use plain names as keys', offset };
          return visit.BREAK;
        }
        // `<<` may repeat (several merge sources).
        if (isMergeKey(k)) continue;
        const name = String(k.value);
        if (seen.has(name)) {
          found = { code: 'YAML_DUPLICATE_KEY', message: duplicateMessage(name), offset };
          return visit.BREAK;
        }
        seen.add(name);
      }
      return undefined;
    },
  });
  return found;
}

export interface Expansion {
  written: number;
  expanded: number;
  firstAlias?: number;
  missing?: { name: string; offset: number };
}

/** Nodes as written and as expanded (each alias counting its anchor's whole tree), in one pass. */
export function measureExpansion(doc: Document): Expansion {
  const anchors = new Map<string, Node>();
  const size = new Map<Node, number>();
  let written = 0;
  let firstAlias: number | undefined;
  let missing: Expansion['missing'];
  const cap = 1e12;
  const measure = (n: unknown): number => {
    if (!n || typeof n !== 'object') return 0;
    if (isAlias(n)) {
      written++;
      firstAlias ??= n.range?.[0];
      const target = anchors.get(n.source);
      if (!target) {
        missing ??= { name: n.source, offset: n.range?.[0] ?? 0 };
        return 1;
      }
      return size.get(target) ?? 1;
    }
    let total = 1;
    if (isPair(n)) total = measure(n.key) + measure(n.value);
    else {
      written++;
      if (isMap(n) || isSeq(n)) for (const item of n.items) total = Math.min(cap, total + measure(item));
    }
    const node = n as Node;
    if (!isPair(n) && node.anchor) anchors.set(node.anchor, node);
    if (!isPair(n)) size.set(node, total);
    return total;
  };
  const expanded = measure(doc.contents);
  return { written, expanded, ...(firstAlias !== undefined ? { firstAlias } : {}), ...(missing ? { missing } : {}) };
}


/** The first `<<` whose value is not a mapping or alias (or a list of them). */
export function badMergeOffset(doc: Document): number | undefined {
  let at: number | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (!isMergeKey(pair.key)) return undefined;
      const v = pair.value as Node | null;
      const ok = (n: unknown): boolean => isMap(n) || isAlias(n);
      if (ok(v) || (isSeq(v) && v.items.every(ok))) return undefined;
      at = (v?.range?.[0] ?? (pair.key as Node).range?.[0]) as number;
      return visit.BREAK;
    },
  });
  return at;
}

/** Where the offending alias is: the named one, or for a bomb the first alias. */
export function aliasPosition(doc: Document, linePos: (offset: number) => LinePos, name: string | undefined): [number?, number?] {
  let at: number | undefined;
  visit(doc, {
    Alias(_, node) {
      if (name === undefined || node.source === name) {
        at = node.range?.[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (at === undefined) return [];
  const pos = linePos(at);
  return [pos.line, pos.col];
}
