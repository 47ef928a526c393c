/**
 * Stages never edit what they were given (issue 14 point 4): the Document path prints from a
 * copy of the parse stage's Document, so the SourceDoc stays what was read (before, the
 * printer edited it in place and positions of later findings had to be read from a second
 * parse of the text).
 */
import { describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import type { SourceDoc } from '../../src/parse/parse.js';
import { buildText } from '../helpers/run.js';

const read = vi.hoisted(() => [] as SourceDoc[]);
vi.mock('../../src/parse/parse.js', async (original) => {
  const real = await original<typeof import('../../src/parse/parse.js')>();
  return {
    ...real,
    parseSource: (...args: Parameters<typeof real.parseSource>) => {
      const r = real.parseSource(...args);
      if (r.value) read.push(r.value);
      return r;
    },
  };
});

const TEXT = '# the db\nservices:\n  db:\n    image: postgres:16 # pinned\nx-persistence:\n  services:\n    db: { pattern: volume, mounts: [/var/lib/postgresql/data] }\n';

describe("the parse stage's Document is not edited by printing", () => {
  it('the Document path (full reader) prints the edits, and the source as read keeps its block and text', () => {
    read.length = 0;
    const r = buildText(TEXT, { fast: false });
    expect(r.printedBy?.path).toBe('document');
    expect(parse(r.text!)).toMatchObject({ services: { db: { volumes: [expect.anything()] } }, volumes: { 'db-data': expect.anything() } });
    const source = read.find((s) => s.text === TEXT)!;
    expect(source).toBeDefined();
    expect(source.doc.toJS()).toEqual(parse(TEXT));
    expect(source.doc.toString()).toContain('x-persistence:');
    // Positions still come from the source as read.
    expect(source.positionOf(['x-persistence', 'services', 'db'])).toEqual({ line: 7, col: 9 });
  });
});
