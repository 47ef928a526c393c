/**
 * Creating nodes for generated content. Debian's docker-compose 1.29 reads
 * YAML 1.1, where plain `1000:1000` is a base-60 integer and `on`/`no` are
 * booleans; yaml (1.2) would print those strings plain. Generated strings
 * that a 1.1 reader would not read back as the same string are quoted.
 */
import { isScalar, visit, type Document, type Node } from 'yaml';

const YAML11_SPECIAL =
  /^(?:[yYnN~]|yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?|[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?|0[xob][0-9a-fA-F_]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|<<|=|[0-9]+(?::[0-9]+)+|:.*)$/;

export function needsQuotes(s: string): boolean {
  // Also: line breaks and edge spaces (yaml would choose a block scalar, which it prints
  // wrongly for a spaces-only first line), and characters YAML does not allow raw.
  return YAML11_SPECIAL.test(s) || /[\n\r\t]|^\s|\s$|[\u007f-\u009f\u2028\u2029\ufeff]/.test(s);
}

/** YAML double-quoted scalar: JSON's escapes plus every non-printable character. */
export function yamlQuote(value: unknown): string {
  const s = typeof value === 'string' ? value : String(value);
  return JSON.stringify(s).replace(/[\u007f-\u009f\u00ad\u2028\u2029\ufeff\ud800-\udfff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function createNode(doc: Document, value: unknown): Node {
  // Shared objects (from merge keys) must not turn into generated &anchors.
  const node = doc.createNode(value, { aliasDuplicateObjects: false }) as Node;
  quoteAmbiguous(node);
  return node;
}

export function quoteAmbiguous(node: Node): void {
  const fix = (n: unknown): void => {
    if (!isScalar(n)) return;
    // In a document read with merge keys on, a generated "<<" key becomes a merge key:
    // generated data never means one (merges were resolved when it was read).
    if (typeof n.value === 'symbol') n.value = '<<';
    if (typeof n.value === 'string' && needsQuotes(n.value)) n.type = 'QUOTE_DOUBLE';
    // yaml prints any "<<" of such a document as a merge key unless it is tagged a string.
    if (n.value === '<<') n.tag = 'tag:yaml.org,2002:str';
  };
  fix(node);
  visit(node, { Scalar: (_, n) => fix(n) });
}
