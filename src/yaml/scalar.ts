/**
 * The one rule for printing a string scalar, and the only module that decides it. Every printer
 * asks here: emit's block printer (printBlocks, the splice path), the yaml Document printer
 * (generated nodes through nodes.ts, and the source's own scalars and comments in emit.ts),
 * render's `q` helper, the Swarm version splice.ts writes, and init's text (keys and values,
 * and its comment lines).
 *
 * A string is printed plain only when every reader reads that plain text back as this same
 * string: YAML 1.2 (yaml, Compose v2) and YAML 1.1 (PyYAML in docker-compose 1.29), where
 * `2001-12-14` is a date, `on`/`y` are booleans, `0755` is octal, `1:20` is base 60, `1_000`
 * is a number and `=` a value key. Everything else is double-quoted, with every character that
 * is not plainly visible text in both versions escaped (C0/C1 controls, U+0085 and U+2028/9,
 * which YAML 1.1 reads as line breaks, U+00AD, U+FEFF, the bidirectional controls). A comment
 * line carries the same characters escaped, so no reader ends it early.
 */
import { resolvePlain } from './fast-parse.js';

/**
 * Plain scalars a YAML 1.1 reader resolves to something else than the string (a superset of
 * PyYAML's implicit resolvers, yaml's `yaml-1.1` schema and the YAML 1.1 type repository;
 * case-insensitive, so it quotes a little more than any one reader needs).
 */
const YAML11_NOT_STRING = new RegExp(
  `^(?:${[
    // bool (the 1.1 types include y/n) and null
    'y|n|yes|no|true|false|on|off|null|~|',
    // merge key and value key
    '<<|=',
    // int: binary, octal (0755, 0o755), decimal, hex, with _ anywhere after the first digit
    '[-+]?0b[01_]+',
    '[-+]?0o[0-7_]+',
    '[-+]?[0-9][0-9_]*',
    '[-+]?0x[0-9a-f_]+',
    // base 60 (1:20, 190:20:30.15), and any digits:digits (1000:1000) as before
    '[-+]?[0-9][0-9_]*(?::[0-9_]+)+(?:\\.[0-9_]*)?',
    // float (yaml's 1.1 reader also takes `.`, `1.` and `E3`), with an exponent, and the specials
    '[-+]?(?:[0-9][0-9_]*)?\\.[0-9_]*',
    '[-+]?(?:[0-9][0-9_]*)?(?:\\.[0-9_]*)?e[-+]?[0-9]+',
    '[-+]?\\.(?:inf|nan)',
    // timestamp: a date, or a date and time with optional fraction and zone
    '[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:t|[ \\t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\\.[0-9]*)?(?:[ \\t]*(?:z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?',
    // a leading colon (read as a key indicator by some readers)
    ':.*',
  ].join('|')})$`,
  'is',
);

/**
 * Characters that are never printed raw: C0 controls (JSON.stringify escapes them), DEL and the
 * C1 controls (U+0085 is a line break to YAML 1.1), U+00AD (invisible), the zero-width and
 * bidirectional controls (text that reads otherwise than it is), U+2028/U+2029 (line breaks
 * to YAML 1.1 and to JavaScript), U+FEFF, and lone surrogates.
 */
export const ESCAPED = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u2028\u2029\ufeff]|\p{Surrogate}/u;
const ESCAPED_ALL = new RegExp(ESCAPED.source, 'gu');

/** `\uXXXX` for one escaped character. */
const escapeChar = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Replaces every escaped character of a printed double-quoted text by its `\uXXXX` escape. */
export const escapeRaw = (text: string): string => text.replace(ESCAPED_ALL, escapeChar);

/**
 * Whether the string, printed plain, would be read as something else by a YAML 1.1 or 1.2
 * reader, or holds characters that must not be printed raw or plain (line breaks, tabs,
 * edge spaces, escaped characters). Syntax (indicators, `: `, ` #`) is the printer's own check.
 */
export function needsQuotes(s: string): boolean {
  return YAML11_NOT_STRING.test(s) || resolvePlain(s) !== s || /[\n\r\t]|^\s|\s$/.test(s) || ESCAPED.test(s);
}

/** YAML double-quoted scalar: JSON's escapes plus every character in ESCAPED. */
export function yamlQuote(value: unknown): string {
  return escapeRaw(JSON.stringify(typeof value === 'string' ? value : String(value)));
}

/** Plain-safe value text: no indicator first, no ": " or " #". */
const PLAIN_VALUE = /^(?:[A-Za-z0-9_./$]|-(?=[A-Za-z]))[A-Za-z0-9_./${}:@+=,()-]*(?: [A-Za-z0-9_./${}:@+=,()-]+)*$/;
/** Plain-safe key text (also for a flow mapping: no `,`, `{}`, `[]`, `:`). */
const PLAIN_KEY = /^[A-Za-z0-9_./$][A-Za-z0-9_./$@+=-]*$/;

/** A string printed as a block mapping value or list item: plain when that reads back as the string everywhere. */
export function plainValue(s: string): boolean {
  return PLAIN_VALUE.test(s) && !s.endsWith(':') && !s.includes(': ') && !needsQuotes(s);
}

/** A string printed as a mapping key (block or flow): plain when that reads back as the string everywhere. */
export function plainKey(s: string): boolean {
  return s.length <= 1000 && PLAIN_KEY.test(s) && !needsQuotes(s);
}

/** The value as printed: plain when safe, else double-quoted. */
export const scalarValue = (s: string): string => (plainValue(s) ? s : yamlQuote(s));
/** The key as printed: plain when safe, else double-quoted. */
export const scalarKey = (s: string): string => (plainKey(s) ? s : yamlQuote(s));

/** Whether the string holds a character that is never printed raw (so never plain, nor in the source's own quoting or block style). */
export const holdsEscaped = (s: string): boolean => ESCAPED.test(s);

/**
 * The style yaml's Document printer gives a generated scalar: PLAIN exactly when the text
 * printers print it plain (yaml prints a PLAIN string plain when it can, and this rule is
 * stricter than yaml's), else QUOTE_DOUBLE.
 */
export function generatedStyle(s: string, role: 'key' | 'value'): 'PLAIN' | 'QUOTE_DOUBLE' {
  return (role === 'key' ? plainKey(s) : plainValue(s)) ? 'PLAIN' : 'QUOTE_DOUBLE';
}

/** One comment line's text: a line break or control character becomes a space, every other escaped character its `\uXXXX`. */
export function commentText(line: string): string {
  return escapeRaw(line.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' '));
}
