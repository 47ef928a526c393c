/**
 * did-you-mean (src/validate/suggest.ts) is bounded whatever the file holds
 * (issue 13 point 6), and within its bounds answers as a comparison with
 * every candidate did (the closest within a third of the word, the first
 * listed on a tie).
 */
import { describe, expect, it } from 'vitest';
import { closest, editDistance, MAX_WORD, SUGGEST_BUDGET, suggester } from '../../src/validate/suggest.js';

/** What closest() was: every candidate compared in full. */
function reference(word: string, candidates: string[]): string | undefined {
  const full = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      let prev = row[0]!;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const tmp = row[j]!;
        row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = tmp;
      }
    }
    return row[b.length]!;
  };
  let best: string | undefined;
  let bestDistance = Infinity;
  const limit = Math.max(2, Math.floor(word.length / 3));
  for (const c of candidates) {
    if (c.length > MAX_WORD) continue;
    const d = full(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance && d <= limit) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

let seed = 11;
const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
const word = (max: number): string => Array.from({ length: rnd(max) }, () => 'abcAB-_'[rnd(7)]).join('');
const typo = (w: string): string => {
  const i = rnd(w.length + 1);
  return [w.slice(0, i) + 'x' + w.slice(i), w.slice(0, i) + w.slice(i + 1), w.slice(0, i) + 'b' + w.slice(i + 1)][rnd(3)]!;
};

describe('did-you-mean', () => {
  it('answers as a comparison with every candidate (random words, typos, ties, case)', () => {
    for (let round = 0; round < 1500; round++) {
      const candidates = Array.from({ length: rnd(12) }, () => word(10));
      const asked = rnd(2) && candidates.length ? typo(candidates[rnd(candidates.length)]!) : word(10);
      expect(closest(asked, candidates), `${asked} in ${JSON.stringify(candidates)}`).toBe(reference(asked, candidates));
    }
  });
  it('editDistance with a bound stops early and says "more than the bound"', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('kitten', 'sitting', 3)).toBe(3);
    expect(editDistance('kitten', 'sitting', 2)).toBe(3);
    expect(editDistance('a'.repeat(40), 'b'.repeat(40), 2)).toBe(3);
  });
  it('thousands of unknown names among thousands: bounded work, one-edit typos all answered', () => {
    const defined = Array.from({ length: 5000 }, (_, i) => `service-number-${i}`);
    const s = suggester(defined);
    // One edit away: the deletion index answers, whatever the budget.
    for (let i = 0; i < 5000; i++) expect(s.closest(`servce-number-${i}`)).toBe(`service-number-${i}`);
    // Further away: table comparisons, at most the budget (plus one) over all the words.
    for (let i = 0; i < 5000; i++) s.closest(`svc-nmbr-${i}x`);
    expect(s.spent).toBeLessThanOrEqual(SUGGEST_BUDGET + (MAX_WORD + 1) ** 2);
    // A compare-everything did-you-mean would have spent about 5000 x 5000 x 17 x 20 cells.
    expect(s.spent).toBeLessThan(5000 * 5000 * 17 * 20 / 1000);
  });
  it('words and candidates longer than MAX_WORD are not compared', () => {
    const long = 'a'.repeat(MAX_WORD + 1);
    expect(closest(long, [long.slice(1) + 'b'])).toBeUndefined();
    expect(closest('ab', [long, 'abc'])).toBe('abc');
    expect(suggester([long]).closest('a'.repeat(200_000))).toBeUndefined();
  });
});
