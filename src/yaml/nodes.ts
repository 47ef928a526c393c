/**
 * Creating nodes for generated content. Debian's docker-compose 1.29 reads
 * YAML 1.1, where plain `1000:1000` is a base-60 integer and `on`/`no` are
 * booleans; yaml (1.2) would print those strings plain. Generated strings
 * that a 1.1 reader would not read back as the same string are quoted, by
 * the one rule in scalar.ts.
 */
import { isNode, isScalar, visit, type Document, type Node, type Pair } from 'yaml';
import { generatedStyle } from './scalar.js';

export { needsQuotes, yamlQuote } from './scalar.js';

export function createNode(doc: Document, value: unknown): Node {
  // Shared objects (from merge keys) must not turn into generated &anchors.
  const node = doc.createNode(value, { aliasDuplicateObjects: false }) as Node;
  quoteAmbiguous(node);
  return node;
}

/** A generated key and its value: the key is quoted by the same rule as every generated scalar. */
export function createPair(doc: Document, key: string, value: unknown): Pair {
  const pair = doc.createPair(key, isNode(value) ? value : createNode(doc, value));
  quoteAmbiguous(pair.key as Node, 'key');
  return pair;
}

/** Gives every string scalar of a generated node the style of the one rule (scalar.ts), as keys or values. */
export function quoteAmbiguous(node: Node, role: 'key' | 'value' = 'value'): void {
  const fix = (n: unknown, as: 'key' | 'value'): void => {
    if (!isScalar(n)) return;
    // In a document read with merge keys on, a generated "<<" key becomes a merge key:
    // generated data never means one (merges were resolved when it was read).
    if (typeof n.value === 'symbol') n.value = '<<';
    if (typeof n.value === 'string') n.type = generatedStyle(n.value, as);
    // yaml prints any "<<" of such a document as a merge key unless it is tagged a string.
    if (n.value === '<<') n.tag = 'tag:yaml.org,2002:str';
  };
  fix(node, role);
  visit(node, { Scalar: (key, n) => fix(n, key === 'key' ? 'key' : 'value') });
}
