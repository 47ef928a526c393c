/**
 * Stage 6, merge, as the stages' callers and the tests use it: the rendered
 * fragments put into a compose file. Nothing is decided here: the edit list
 * (edits.ts) says what changes, applyEditsToData gives what the output means
 * and applyEditsToDocument edits yaml's Document; these are the same three
 * steps under the names the rest of the code has used.
 */
import type { Document } from 'yaml';
import type { Fragment } from '../model.js';
import type { ComposeView } from '../compose/view.js';
import { applyEditsToDocument } from './document.js';
import { applyEditsToData, planEdits, plainIndex } from './edits.js';
import { documentIndex } from '../yaml/positions.js';
import { LineIndex } from '../yaml/source-index.js';

export { deepMerge, dependsOnMapping } from './edits.js';

/** Remove the block; an alias elsewhere to an anchor inside it gets a copy of its value first. */
export function removeBlock(doc: Document, key: string): void {
  applyEditsToDocument(doc, [{ op: 'delete', path: [key] }]);
}

/** The fragments put into yaml's Document (the edits planned on what the document has written). */
export function mergeFragments(doc: Document, view: ComposeView, fragments: readonly Fragment[]): void {
  applyEditsToDocument(doc, planEdits({ data: view.raw, index: documentIndex(doc, LineIndex.ofText('')) }, undefined, fragments));
}

type Obj = Record<string, unknown>;

/**
 * What the output means, from plain data alone (no source text: every entry
 * counts as written where the data has it). Copies only what it changes.
 */
export function mergeFragmentsIntoData(data: unknown, blockKey: string | undefined, fragments: readonly Fragment[], version?: string): Obj {
  const source = { data, index: plainIndex(data) };
  const edits = planEdits(source, blockKey, fragments);
  if (version !== undefined) edits.push(source.index.written([])?.ownKeys?.has('version') ? { op: 'replace', path: ['version'], value: version } : { op: 'add', path: [], key: 'version', value: version, first: true });
  return applyEditsToData(data, edits);
}
