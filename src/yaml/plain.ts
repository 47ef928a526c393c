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
      const out: Record<string, unknown> = {};
      const own = new Set<string>();
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
        own.add(key);
        out[key] = convert(pair.value);
      }
      for (const m of merged) for (const [k, v] of Object.entries(m)) if (!(k in out)) out[k] = v;
      // A merged key keeps its place before the map's own keys, as yaml lays them out.
      value = merged.length ? reorder(out, merged, own) : out;
    } else value = null;
    const anchor = (n as Node).anchor;
    if (anchor) anchors.set(anchor, value);
    return value;
  };
  return convert(doc.contents);
}

function reorder(out: Record<string, unknown>, merged: Record<string, unknown>[], own: Set<string>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const m of merged) for (const k of Object.keys(m)) if (!own.has(k) && !(k in result)) result[k] = out[k];
  for (const k of Object.keys(out)) if (!(k in result)) result[k] = out[k];
  return result;
}
