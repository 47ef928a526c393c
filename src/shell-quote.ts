/**
 * Quoting for POSIX sh, shared by every command line the tool prints for a
 * user to paste (hints, "run: ..."): a name taken from a compose file must
 * stay one argument and never run anything.
 */

/** Words made only of these need no quotes in any POSIX shell. */
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;
/** Control characters: quotable for sh, but a pasted line break runs the line early, and NUL cannot be an argument at all. */
const UNQUOTABLE = /[\u0000-\u001f\u007f]/;

/** One argument for sh: plain when safe, else in single quotes ('\'' for a quote); undefined when it cannot be pasted safely. */
export function shellQuote(word: string): string | undefined {
  if (UNQUOTABLE.test(word)) return undefined;
  if (PLAIN.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * A command line from parts: a string is one argument to quote; `{ raw }` is
 * shell text written by the tool itself (an expansion such as "$PWD"); an
 * array is one word made of its parts. Undefined when a part cannot be quoted.
 */
export type ShellPart = string | { raw: string } | ShellPart[];

export function shellCommand(parts: readonly ShellPart[]): string | undefined {
  const words: string[] = [];
  for (const p of parts) {
    const w = shellWord(p);
    if (w === undefined) return undefined;
    words.push(w);
  }
  return words.join(' ');
}

/** One word: an array's parts are concatenated without spaces (e.g. "$PWD"/'my dir'). */
function shellWord(p: ShellPart): string | undefined {
  if (typeof p === 'string') return shellQuote(p);
  if (!Array.isArray(p)) return p.raw;
  let out = '';
  for (const q of p) {
    const w = shellWord(q);
    if (w === undefined) return undefined;
    out += w;
  }
  return out;
}
