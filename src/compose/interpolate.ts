/**
 * Compose's variable interpolation (docs "Interpolation", compose-go
 * `template/`), for reading image tags as Compose will: `$$` is a literal `$`;
 * `$VAR` and `${VAR}`; `${VAR:-default}` (unset or empty) and `${VAR-default}`
 * (unset only); `${VAR:+alt}` / `${VAR+alt}`; defaults may hold further
 * interpolation. `${VAR:?msg}` / `${VAR?msg}` make Compose stop: here they are
 * reported, never thrown. A leaf module: no imports, no I/O.
 */

export type Variables = Readonly<Record<string, string | undefined>>;

export interface Interpolated {
  /** The text with every reference replaced (an unset variable without default gives "", as in Compose). */
  value: string;
  /** Variables that were unset (or empty, under `:?`) with nothing to fall back on. */
  unset: string[];
  /** Templates Compose refuses: `${VAR?msg}` on an unset variable, `$` before something that is not a name. */
  problems: string[];
}

const NAME = /^[_A-Za-z][_A-Za-z0-9]*/;

export function interpolate(text: string, vars: Variables): Interpolated {
  const unset: string[] = [];
  const problems: string[] = [];
  const value = substitute(text, vars, unset, problems);
  return { value, unset: [...new Set(unset)], problems };
}

function substitute(text: string, vars: Variables, unset: string[], problems: string[]): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, dollar);
    const next = text[dollar + 1];
    if (next === '$') {
      out += '$';
      i = dollar + 2;
      continue;
    }
    if (next === '{') {
      const close = closingBrace(text, dollar + 2);
      if (close < 0) {
        problems.push(`"${text.slice(dollar)}" has no closing brace`);
        i = text.length;
        continue;
      }
      out += braced(text.slice(dollar + 2, close), vars, unset, problems);
      i = close + 1;
      continue;
    }
    const name = NAME.exec(text.slice(dollar + 1));
    if (!name) {
      problems.push(`"$" at "${text.slice(dollar, dollar + 8)}" is not followed by a variable name (write $$ for a literal $)`);
      i = dollar + 1;
      continue;
    }
    out += lookup(name[0], vars, unset);
    i = dollar + 1 + name[0].length;
  }
  return out;
}

/** Index of the `}` that closes a `${` opened before `from`, counting nested `${`. */
function closingBrace(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '$' && text[i + 1] === '{') {
      depth++;
      i++;
    } else if (text[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function lookup(name: string, vars: Variables, unset: string[]): string {
  const v = vars[name];
  if (v === undefined) {
    unset.push(name);
    return '';
  }
  return v;
}

/** The inside of `${...}`: a name, then nothing or one of :- - :+ + :? ?. */
function braced(inner: string, vars: Variables, unset: string[], problems: string[]): string {
  const name = NAME.exec(inner)?.[0];
  if (!name) {
    problems.push(`"\${${inner}}" does not start with a variable name`);
    return '';
  }
  const rest = inner.slice(name.length);
  if (rest === '') return lookup(name, vars, unset);
  const op = /^(:?[-+?])/.exec(rest)?.[1];
  if (!op) {
    problems.push(`"\${${inner}}": expected :-, -, :+, +, :? or ? after ${name}`);
    return '';
  }
  const arg = rest.slice(op.length);
  const v = vars[name];
  const present = op.startsWith(':') ? v !== undefined && v !== '' : v !== undefined;
  switch (op.replace(':', '')) {
    case '-':
      return present ? v! : substitute(arg, vars, unset, problems);
    case '+':
      return present ? substitute(arg, vars, unset, problems) : '';
    default: {
      // ? : Compose stops with the message; here it is a problem to report.
      if (present) return v!;
      unset.push(name);
      const message = substitute(arg, vars, [], []);
      problems.push(`required variable ${name} is ${v === undefined ? 'not set' : 'empty'}${message ? `: ${message}` : ''}`);
      return '';
    }
  }
}
