/**
 * "did you mean": the closest candidate within a small edit distance.
 *
 * Bounded whatever the file holds (issue 13 point 6): 2,500 unknown service
 * names each compared with 2,500 defined ones took 56 s. Words and candidates
 * longer than MAX_WORD get no suggestion (nobody mistypes a 65-character
 * name); a candidate one edit away is found through an index of the
 * candidates with one character deleted (no table at all); otherwise only
 * candidates of a length within the allowed distance are compared, each
 * comparison stops once the distance is out of reach, and one set of
 * candidates spends at most its budget of table cells over all the words
 * asked about; past it, only one-edit typos are suggested (the errors are
 * still all reported). Within the budget the answer is the one a comparison
 * with every candidate gives: the closest, the first listed on a tie.
 */

/** Longest word or candidate that is compared. */
export const MAX_WORD = 64;
/** Edit-distance table cells one set of candidates may spend over all its words (a few ms). */
export const SUGGEST_BUDGET = 2_000_000;
/** Keys of the one-deletion index (a candidate of length n has n + 1); above this, no index. */
const INDEX_KEYS = 400_000;

interface Candidate {
  name: string;
  lower: string;
  order: number;
}

export interface Suggester {
  /** The closest candidate to `word`, or undefined (none close enough, or the budget is spent). */
  closest(word: string): string | undefined;
  /** `did you mean "x"?`, or undefined. */
  hint(word: string): string | undefined;
  /** Table cells spent so far (at most the budget plus one comparison). */
  readonly spent: number;
}

/** A did-you-mean over one set of candidates, for any number of words (indexed once, by length). */
export function suggester(candidates: Iterable<string>, budget = SUGGEST_BUDGET): Suggester {
  let byLength: Map<number, Candidate[]> | undefined;
  let deletions: Map<string, Candidate[]> | undefined | null;
  const source = candidates;
  let spent = 0;
  const index = (): Map<number, Candidate[]> => {
    if (byLength) return byLength;
    byLength = new Map();
    let order = 0;
    let keys = 0;
    for (const name of source) {
      order++;
      if (name.length > MAX_WORD) continue;
      let list = byLength.get(name.length);
      if (!list) byLength.set(name.length, (list = []));
      list.push({ name, lower: name.toLowerCase(), order });
      keys += name.length + 1;
    }
    deletions = keys <= INDEX_KEYS ? new Map() : null;
    if (deletions) for (const list of byLength.values()) for (const c of list) for (const k of variants(c.lower)) push(deletions, k, c);
    return byLength;
  };
  const closest = (word: string): string | undefined => {
    if (word.length > MAX_WORD) return undefined;
    const w = word.toLowerCase();
    const limit = Math.max(2, Math.floor(word.length / 3));
    let best: Candidate | undefined;
    let bestDistance = Infinity;
    const buckets = index();
    // Every candidate within one edit shares a key with the word: the closest of those, if one is.
    if (deletions) {
      for (const k of variants(w)) {
        for (const c of deletions.get(k) ?? []) {
          const d = editDistance(w, c.lower, 1);
          if (d <= 1 && (d < bestDistance || (d === bestDistance && c.order < best!.order))) {
            best = c;
            bestDistance = d;
          }
        }
      }
      if (best) return best.name;
    }
    if (spent >= budget) return undefined;
    for (let len = Math.max(0, w.length - limit); len <= w.length + limit; len++) {
      for (const c of buckets.get(len) ?? []) {
        if (spent >= budget) return best?.name;
        spent += (w.length + 1) * (len + 1);
        // Only a distance below the best so far (or equal, for a candidate listed earlier) can win.
        const reach = Math.min(limit, bestDistance);
        const d = editDistance(w, c.lower, reach);
        if (d <= reach && (d < bestDistance || (d === bestDistance && c.order < best!.order))) {
          best = c;
          bestDistance = d;
        }
      }
    }
    return best?.name;
  };
  return {
    closest,
    hint: (word) => {
      const c = closest(word);
      return c === undefined ? undefined : `did you mean "${c}"?`;
    },
    get spent() {
      return spent;
    },
  };
}

/** The word and the word with each one character deleted. */
function variants(w: string): Set<string> {
  const out = new Set([w]);
  for (let i = 0; i < w.length; i++) out.add(w.slice(0, i) + w.slice(i + 1));
  return out;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

export function closest(word: string, candidates: Iterable<string>): string | undefined {
  return suggester(candidates).closest(word);
}

export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  return suggester(candidates).hint(word);
}

/**
 * Levenshtein distance with one row of memory. With `max`, stops as soon as
 * every entry of a row exceeds it and returns max + 1 (the distance is larger).
 * Words longer than MAX_WORD are not compared: a large number is returned.
 */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (a === b) return 0;
  if (a.length > MAX_WORD || b.length > MAX_WORD) return Math.abs(a.length - b.length) + MAX_WORD;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (row[j]! < rowMin) rowMin = row[j]!;
      prev = tmp;
    }
    if (rowMin > max) return max + 1;
  }
  return row[b.length]!;
}
