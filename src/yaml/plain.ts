/**
 * The document as plain data, in one linear pass. yaml's own toJS looks up
 * each alias by scanning every anchor before it and re-merges `<<` sources
 * per use, which is quadratic in a file where 10,000 services each merge
 * `<<: *common`. Here each anchored node is converted once and aliases share
 * the result; merge keys follow YAML's rule (the map's own keys win, then
 * earlier sources over later ones). Alias bombs are refused before this runs
 * (parse.ts measures the expanded size).
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';

/** A mapping of plain data, or an empty one for anything else (lists, scalars, null). */
export function asMapping(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/**
 * A new mapping with the entries of m, each value through f (the same value without it).
 * Not a spread or Object.fromEntries: V8 gives their copy of a mapping with hundreds of keys
 * (a services: map) fast properties, and every later store of a new value into it generalizes a
 * field (measured at 1,000 keys: 4-5 ms to copy and 4 ms to store one new value per key,
 * against 0.3 and 0.2 ms for a copy made key by key). A `__proto__` key is defined as an own
 * entry, as a spread does, not assigned (which would set the prototype).
 */
export function copyMapping<T, U = T>(m: Readonly<Record<string, T>>, f?: (v: T, k: string) => U): Record<string, U> {
  const out: Record<string, U> = {};
  for (const k of Object.keys(m)) setEntry(out, k, f ? f(m[k]!, k) : (m[k] as unknown as U));
  return out;
}

/** Sets a mapping's entry; a `__proto__` key is defined as an own entry (YAML's key), where assigning it would set the prototype. */
export function setEntry<T>(out: Record<string, T>, k: string, v: T): void {
  if (k === '__proto__') Object.defineProperty(out, k, { value: v, writable: true, enumerable: true, configurable: true });
  else out[k] = v;
}

export class PlainError extends Error {
  constructor(
    message: string,
    readonly offset: number | undefined,
  ) {
    super(message);
  }
}

/** A plain `<<` key (yaml reads it as a symbol with merge keys on); a quoted "<<" is a string. */
export const isMergeKey = (k: unknown): boolean => isScalar(k) && (typeof k.value === 'symbol' || (k.value === '<<' && (k.type === 'PLAIN' || k.type === undefined)));

export function toPlain(doc: Document): unknown {
  const anchors = new Map<string, unknown>();
  const convert = (n: unknown): unknown => {
    if (n === null || n === undefined) return null;
    if (isAlias(n)) {
      if (!anchors.has(n.source)) throw new PlainError(`the alias *${n.source} refers to no anchor &${n.source} before it`, n.range?.[0]);
      return anchors.get(n.source);
    }
    let value: unknown;
    if (isScalar(n)) value = n.value;
    else if (isSeq(n)) value = n.items.map(convert);
    else if (isMap(n)) {
      const own: [string, unknown][] = [];
      const merged: Record<string, unknown>[] = [];
      for (const pair of n.items) {
        if (!isPair(pair)) continue;
        if (isMergeKey(pair.key)) {
          const src = convert(pair.value);
          const sources = isSeq(pair.value) ? (src as unknown[]) : [src];
          for (const s of sources) {
            if (!s || typeof s !== 'object' || Array.isArray(s)) throw new PlainError('a merge key (<<) takes a mapping, an alias of a mapping, or a list of them', (pair.value as Node | null)?.range?.[0]);
            merged.push(s as Record<string, unknown>);
          }
          continue;
        }
        const key = isScalar(pair.key) ? String(pair.key.value ?? '') : String(convert(pair.key));
        own.push([key, convert(pair.value)]);
      }
      value = applyMerge(own, merged);
    } else value = null;
    const anchor = (n as Node).anchor;
    if (anchor) anchors.set(anchor, value);
    return value;
  };
  return convert(doc.contents);
}

/**
 * A mapping's plain data from its own entries and its `<<` sources, by YAML's
 * rule: its own keys win, then earlier sources over later ones. Merged keys
 * come first, as yaml lays them out. (Shared by both readers: toPlain here and
 * fast-tree.ts.)
 */
export function applyMerge(own: readonly (readonly [string, unknown])[], sources: readonly Record<string, unknown>[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (sources.length) {
    const ownKeys = new Set(own.map(([k]) => k));
    // Object.hasOwn, not `in`: a merged key named like an Object member (toString) is a key too.
    for (const src of sources) for (const k of Object.keys(src)) if (!ownKeys.has(k) && !Object.hasOwn(out, k)) setEntry(out, k, src[k]);
  }
  for (const [k, v] of own) setEntry(out, k, v);
  return out;
}
