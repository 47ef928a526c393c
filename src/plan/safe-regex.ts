/**
 * User patterns' parameter regexes (a JSON Schema `pattern:`) run against
 * values from the file, and JavaScript's regex engine backtracks: `^(a+)+$`
 * on 30 a's and a "b" takes seconds, on 40 it never ends. Regexes are checked
 * when the pattern is read, and refused unless their backtracking is bounded:
 *
 * - at most MAX_REGEX_LENGTH characters, and valid with the `u` flag (as ajv compiles them);
 * - no repetition (`*`, `+`, `{n,}`, `{m,n}` with n > 1) of a group that holds a quantifier
 *   or an alternation (`(a+)+`, `(a|ab)*`, `(x?)*`: exponential);
 * - at most MAX_REPEATS repetitions in all (`a*a*a*b` on n characters is n^k);
 * - no back-references or look-arounds.
 *
 * With the values checked by a pattern at most MAX_PATTERN_INPUT characters
 * (checkParams refuses longer ones), the worst case is a few million steps.
 */

export const MAX_REGEX_LENGTH = 256;
export const MAX_REPEATS = 2;
export const MAX_PATTERN_INPUT = 256;

/** Why a regex is refused (a sentence to follow "the regex ... "), or undefined when it is safe to run. */
export function regexProblem(source: string): string | undefined {
  if (source.length > MAX_REGEX_LENGTH) return `is ${source.length} characters long; at most ${MAX_REGEX_LENGTH}`;
  try {
    new RegExp(source, 'u');
  } catch (e) {
    return `is not a valid regular expression: ${e instanceof Error ? e.message.replace(/^Invalid regular expression: /, '') : String(e)}`;
  }
  // Groups open: whether each holds a quantifier or an alternation so far.
  const stack: { risky: boolean }[] = [{ risky: false }];
  let repeats = 0;
  /** What the last atom was: a group (and whether it was risky), or a plain atom. */
  let last: { group: boolean; risky: boolean } | undefined;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const n = source[i + 1] ?? '';
      if (/[1-9]/.test(n) || n === 'k') return 'uses a back-reference, which can take exponential time; write the value out instead';
      // \u{...}, \p{...}, \xhh, \uhhhh: the escape is one atom.
      if ((n === 'u' || n === 'p' || n === 'P') && source[i + 2] === '{') i = source.indexOf('}', i);
      else i++;
      last = { group: false, risky: false };
      continue;
    }
    if (c === '[') {
      for (i++; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i++;
      last = { group: false, risky: false };
      continue;
    }
    if (c === '(') {
      if (source[i + 1] === '?') {
        const kind = source[i + 2];
        if (kind === '=' || kind === '!' || (kind === '<' && (source[i + 3] === '=' || source[i + 3] === '!'))) return 'uses a look-around, which is not allowed in a parameter pattern';
        // (?: and (?<name>: the prefix is not a quantifier.
        i = kind === '<' ? source.indexOf('>', i) : i + 2;
      }
      stack.push({ risky: false });
      last = undefined;
      continue;
    }
    if (c === ')') {
      const g = stack.pop()!;
      last = { group: true, risky: g.risky };
      if (g.risky) stack[stack.length - 1]!.risky = true;
      continue;
    }
    if (c === '|') {
      stack[stack.length - 1]!.risky = true;
      last = undefined;
      continue;
    }
    const q = quantifier(source, i);
    if (q) {
      i = q.end - 1;
      if (source[i + 1] === '?') i++;
      stack[stack.length - 1]!.risky = true;
      if (q.repeats) {
        if (last?.group && last.risky) return `repeats a group that holds a quantifier or an alternation (${source.slice(0, q.end)} ...), which can take exponential time; e.g. write ^[a-z0-9-]+$ instead of ^[a-z0-9]+(-[a-z0-9]+)*$`;
        if (++repeats > MAX_REPEATS) return `has more than ${MAX_REPEATS} repetitions (*, +, {n,}), which can take polynomial time; simplify it`;
      }
      last = undefined;
      continue;
    }
    last = { group: false, risky: false };
  }
  return undefined;
}

/** A quantifier at i: where it ends and whether it repeats (more than once). */
function quantifier(s: string, i: number): { end: number; repeats: boolean } | undefined {
  const c = s[i];
  if (c === '*' || c === '+') return { end: i + 1, repeats: true };
  if (c === '?') return { end: i + 1, repeats: false };
  if (c !== '{') return undefined;
  const m = /^\{(\d+)(,(\d*))?\}/.exec(s.slice(i, i + 24));
  if (!m) return undefined;
  const max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
  return { end: i + m[0].length, repeats: max > 1 };
}

/** Every regex of a JSON Schema (pattern:, patternProperties: keys), with the path to it. */
export function schemaRegexes(schema: unknown, path: (string | number)[] = []): { source: string; path: (string | number)[] }[] {
  const out: { source: string; path: (string | number)[] }[] = [];
  const walk = (node: unknown, at: (string | number)[]): void => {
    if (Array.isArray(node)) {
      node.forEach((n, i) => walk(n, [...at, i]));
      return;
    }
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      // Data, not schemas: values there are never compiled.
      if (k === 'enum' || k === 'const' || k === 'default' || k === 'examples') continue;
      if (k === 'pattern' && typeof v === 'string') out.push({ source: v, path: [...at, k] });
      else if (k === 'patternProperties' && v && typeof v === 'object' && !Array.isArray(v)) {
        for (const [p, sub] of Object.entries(v as Record<string, unknown>)) {
          out.push({ source: p, path: [...at, k, p] });
          walk(sub, [...at, k, p]);
        }
      } else if (k === 'properties' && v && typeof v === 'object' && !Array.isArray(v)) {
        // Property names are names: only their schemas are walked.
        for (const [p, sub] of Object.entries(v as Record<string, unknown>)) walk(sub, [...at, k, p]);
      } else walk(v, [...at, k]);
    }
  };
  walk(schema, path);
  return out;
}
