/**
 * Every printed output is read back and must mean the merged data, whichever
 * printer made it; the Compose schema check runs on what was read back. Here
 * yaml's Document printer is made to leave out the last edit (as a bug in it
 * would): the build reports an internal error instead of writing the text,
 * and the schema check findings reported are those of the text's data, not
 * of the data planned (whose check, started early, is set aside). The same
 * holds for the target's own check (Swarm: docker/cli's stack schema).
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

// The Swarm target's own output check (docker/cli's stack schema), recording the data it is given.
const stackSeen = vi.hoisted(() => [] as unknown[]);
vi.mock('../../src/check/swarm.js', async (original) => {
  const real = await original<typeof import('../../src/check/swarm.js')>();
  const checkOutput: typeof real.swarmTarget.checkOutput = (output, file, reported) => {
    stackSeen.push(output);
    return real.swarmTarget.checkOutput(output, file, reported);
  };
  return { ...real, swarmTarget: { ...real.swarmTarget, checkOutput } };
});

const TEXT = 'services:\n  db:\n    image: postgres:16\nx-persistence:\n  services:\n    db: { pattern: volume, mounts: [/var/lib/postgresql/data] }\n';

function spy() {
  const seen: unknown[] = [];
  // Each check reports one finding that says which data it saw (only in the faulty-printer case, where findings are asserted).
  const checkCompose = (output: unknown, file: string): (() => Diagnostic[]) => {
    seen.push(output);
    const n = seen.length;
    const saw = `check #${n} saw top-level volumes: ${(output as { volumes?: unknown }).volumes ? 'some' : 'none'}`;
    return () => (faulty.on ? [{ code: 'OUTPUT_INVALID', severity: 'warning', file, path: [], message: saw }] : []);
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
      // The check started early on the planned data is set aside: the text does not read back as
      // it, so the text's own data is checked, and only that check's findings are reported. The
      // printed data lacks the declaration the faulty printer left out.
      expect(seen).toHaveLength(2);
      const printed = seen[1] as { volumes?: unknown; services: { db: { volumes: unknown[] } } };
      expect(printed.volumes).toBeUndefined();
      expect(printed.services.db.volumes).toHaveLength(1);
      expect((seen[0] as { volumes?: unknown }).volumes).toBeDefined();
      const reported = r.diagnostics.filter((d) => d.code === 'OUTPUT_INVALID').map((d) => d.message);
      expect(reported).toEqual(['check #2 saw top-level volumes: none']);
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

  it('the Swarm stack check sees the data the printed text reads back as (splice and Document)', () => {
    for (const fast of [true, false]) {
      stackSeen.length = 0;
      const { seen, checkCompose } = spy();
      const r = buildText(TEXT, { fast, target: 'swarm', checkCompose });
      expect(r.printedBy?.path).toBe(fast ? 'splice' : 'document');
      expect(stackSeen).toHaveLength(1);
      expect(stackSeen[0]).toEqual(parse(r.text!, { merge: true }));
      expect(stackSeen[0]).toEqual(seen[0]);
    }
  });

  it('a Swarm output that does not read back is checked against the stack schema on its own data', () => {
    faulty.on = true;
    stackSeen.length = 0;
    try {
      const { seen, checkCompose } = spy();
      const r = buildText(TEXT, { fast: false, target: 'swarm', checkCompose });
      expect(r.text).toBeUndefined();
      expect(r.diagnostics.filter((d) => d.code === 'INTERNAL')).toHaveLength(1);
      // Once on the planned output, once on what the faulty printer's text reads back as: the
      // same data the Compose check was given the second time, not the planned data.
      expect(stackSeen).toHaveLength(2);
      expect(seen).toHaveLength(2);
      expect(stackSeen[0]).toEqual(seen[0]);
      expect(stackSeen[1]).toEqual(seen[1]);
      expect(stackSeen[1]).not.toEqual(stackSeen[0]);
    } finally {
      faulty.on = false;
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
