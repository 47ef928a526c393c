/**
 * Every printed output is read back and must mean the merged data, whichever
 * printer made it; the Compose schema check runs on what was read back. Here
 * yaml's Document printer is made to leave out the last edit (as a bug in it
 * would): the build reports an internal error instead of writing the text,
 * and the schema check saw the data of the text, not the data planned.
 */
import { describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import type { Diagnostic } from '../../src/diagnostics.js';
import { buildText } from '../helpers/run.js';

const faulty = vi.hoisted(() => ({ on: false }));
vi.mock('../../src/merge/document.js', async (original) => {
  const real = await original<typeof import('../../src/merge/document.js')>();
  return { ...real, applyEditsToDocument: (doc: Parameters<typeof real.applyEditsToDocument>[0], edits: Parameters<typeof real.applyEditsToDocument>[1]) => real.applyEditsToDocument(doc, faulty.on ? edits.slice(0, -1) : edits) };
});

const TEXT = 'services:\n  db:\n    image: postgres:16\nx-persistence:\n  services:\n    db: { pattern: volume, mounts: [/var/lib/postgresql/data] }\n';

function spy() {
  const seen: unknown[] = [];
  const checkCompose = (output: unknown): (() => Diagnostic[]) => {
    seen.push(output);
    return () => [];
  };
  return { seen, checkCompose };
}

describe('read-back of every printed output', () => {
  it('a Document-printed output that does not mean the merged data is an internal error, not written', () => {
    faulty.on = true;
    try {
      const { seen, checkCompose } = spy();
      const r = buildText(TEXT, { fast: false, checkCompose });
      expect(r.text).toBeUndefined();
      const internal = r.diagnostics.filter((d) => d.code === 'INTERNAL');
      expect(internal).toHaveLength(1);
      expect(internal[0]).toMatchObject({ severity: 'error', file: 'compose.persist.yaml' });
      expect(internal[0]!.message).toMatch(/printed by the document path does not read back as the merged data/);
      // The schema check saw the printed text's data: the declaration the faulty printer left out is missing.
      expect(seen).toHaveLength(1);
      expect((seen[0] as { volumes?: unknown }).volumes).toBeUndefined();
      expect((seen[0] as { services: { db: { volumes: unknown[] } } }).services.db.volumes).toHaveLength(1);
    } finally {
      faulty.on = false;
    }
  });

  it('the Compose schema check sees the data the printed text reads back as (splice and Document)', () => {
    for (const fast of [true, false]) {
      const { seen, checkCompose } = spy();
      const r = buildText(TEXT, { fast, checkCompose });
      expect(r.printedBy?.path).toBe(fast ? 'splice' : 'document');
      expect(seen).toHaveLength(1);
      expect(seen[0]).toEqual(parse(r.text!, { merge: true }));
    }
  });

  it('a pass-through output is read back too (Swarm, a stack file as written)', () => {
    const { seen, checkCompose } = spy();
    const text = 'version: "3.8"\nservices:\n  db:\n    image: postgres:16\n';
    const r = buildText(text, { target: 'swarm', checkCompose });
    expect(r.text).toBe(text);
    expect(seen).toEqual([parse(text)]);
  });
});
