/**
 * Trims in one pass. `s.replace(/\/+$/, '')` looks like one: V8's regex engine
 * tries the run at every start position, so a run of n slashes that is not at
 * the end costs n²/2 steps (128 KiB of `/` in a volume target took 32 s).
 * These scan from the end (or the start) and stop at the first other character.
 */

/** `s` without the characters of `chars` at its end. */
export function trimEndOf(s: string, chars: string): string {
  let end = s.length;
  while (end > 0 && chars.includes(s[end - 1]!)) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** `s` without the characters of `chars` at its start. */
export function trimStartOf(s: string, chars: string): string {
  let start = 0;
  while (start < s.length && chars.includes(s[start]!)) start++;
  return start === 0 ? s : s.slice(start);
}

/** `s` without the characters of `chars` at either end. */
export const trimOf = (s: string, chars: string): string => trimStartOf(trimEndOf(s, chars), chars);

/** JavaScript's \s, for trims of white space (space, tab, line ends, NBSP, BOM, Unicode spaces). */
export const WHITE_SPACE = ' \t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff';

/** `a, b, c` for a short list; the first `max` and "and N more" for a long one (a message is not a dump of the file). */
export function listSome(items: readonly string[], max = 10): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}
