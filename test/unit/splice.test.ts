/**
 * The spliced output (source text + generated entries) against the Document
 * path (yaml edits and prints the whole file): both must mean the same
 * Compose file, for every sample and for generated models; the splice keeps
 * every byte outside the block; each layout it cannot edit goes to the
 * Document path, saying why.
 */
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildFile, buildText } from '../helpers/run.js';
import { modelArb, render } from '../property/support/model.js';
import { params, TIMEOUT } from '../property/support/run.js';
import { fastParse } from '../../src/yaml/fast-parse.js';
import { fastMeans } from '../../src/yaml/fast-tree.js';

const meaning = (text: string | undefined): unknown => parse(text ?? '', { merge: true });
const errors = (r: { diagnostics: { severity: string; code: string; message: string }[] }) => r.diagnostics.filter((d) => d.severity === 'error');

/** Lines of the source outside the block, in order. */
function linesOutsideBlock(text: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^x-persistence:/.test(l));
  let end = start + 1;
  while (end < lines.length && (/^\s/.test(lines[end]!) || lines[end] === '')) end++;
  return [...lines.slice(0, start), ...lines.slice(end)].filter((l) => l.trim() !== '' && !l.startsWith('#'));
}

function isSubsequence(sub: readonly string[], of: readonly string[]): boolean {
  let i = 0;
  for (const line of of) if (i < sub.length && line === sub[i]) i++;
  return i === sub.length;
}

/** Source lines the splice rewrites: web's short depends_on list takes the init service in the long form. */
const REWRITTEN: Record<string, string[]> = { 'stack.persist.yaml': ['    depends_on: [db, cache]'] };

describe('spliced output', () => {
  const samples = readdirSync('samples').filter((f) => f.endsWith('.persist.yaml')).sort();

  for (const sample of samples) {
    for (const target of ['compose', 'swarm'] as const) {
      it(`${sample} (${target}): spliced, same meaning as the Document path, source lines kept`, () => {
        const path = join('samples', sample);
        const fast = buildFile(path, { target });
        const full = buildFile(path, { target, fast: false });
        expect(fast.diagnostics).toEqual(full.diagnostics);
        if (full.text === undefined) return; // refused (Swarm), the same way
        // One edit list, whichever reader read the file and whichever printer applied it.
        expect(fast.edits).toEqual(full.edits);
        expect(fast.printedBy).toEqual({ path: 'splice' });
        expect(full.printedBy?.path).toBe('document');
        expect(meaning(fast.text)).toEqual(meaning(full.text));
        // Every written line outside the block is in the output, unchanged and in order,
        // but for entries that grow and cannot grow in place (a flow list becomes a block).
        const kept = linesOutsideBlock(readFileSync(path, 'utf8')).filter((l) => !(REWRITTEN[sample] ?? []).includes(l));
        expect(isSubsequence(kept, fast.text!.split('\n'))).toBe(true);
      });
    }
  }

  it('on generated models: same diagnostics and same meaning as the Document path', () => {
    let spliced = 0;
    let total = 0;
    for (const target of ['compose', 'swarm'] as const) {
      fc.assert(
        fc.property(modelArb({ target, maxServices: 4 }), (m) => {
          const text = render(m);
          const fast = buildText(text, { target });
          const full = buildText(text, { target, fast: false });
          expect(fast.diagnostics).toEqual(full.diagnostics);
          expect(fast.text === undefined).toBe(full.text === undefined);
          if (fast.text === undefined) return;
          expect(fast.edits).toEqual(full.edits);
          total++;
          if (fast.printedBy?.path === 'splice') spliced++;
          expect(meaning(fast.text)).toEqual(meaning(full.text));
        }),
        params(60),
      );
    }
    console.log(`splice: ${spliced} of ${total} generated files spliced, the rest printed from the Document; all mean the same`);
    expect(spliced).toBeGreaterThan(total / 3);
  }, TIMEOUT);

  it('writes a one-line flow service that gains entries as a block, keeping its values as written', () => {
    const text = 'services:\n  db: { image: "postgres:16", volumes: [./init:/docker-entrypoint-initdb.d] }\nx-persistence:\n  services:\n    db: { pattern: volume, mounts: [/var/lib/postgresql/data] }\n';
    const r = buildText(text);
    expect(r.printedBy).toEqual({ path: 'splice' });
    expect(r.text).toContain('  db:\n    image: "postgres:16"\n    volumes:\n      - ./init:/docker-entrypoint-initdb.d\n      - type: volume\n        source: db-data\n');
    expect(meaning(r.text)).toEqual(meaning(buildText(text, { fast: false }).text));
  });

  it('appends to the block list a service already has, at its indentation, comments kept', () => {
    const text = 'services:\n    db:\n        image: postgres:16   # pinned\n        volumes:\n        - ./init:/init   # seed data\nx-persistence:\n  services:\n    db: { pattern: volume, mounts: [/var/lib/postgresql/data] }\n';
    const r = buildText(text);
    expect(r.printedBy).toEqual({ path: 'splice' });
    expect(r.text).toContain('        image: postgres:16   # pinned\n        volumes:\n        - ./init:/init   # seed data\n        - type: volume\n          source: db-data\n');
  });

  it('handles a file without a final line end and a block before the services', () => {
    const text = 'x-persistence:\n  services:\n    db: { pattern: volume, mounts: [/data] }\nservices:\n  db:\n    image: redis:7';
    const r = buildText(text);
    expect(r.printedBy).toEqual({ path: 'splice' });
    expect(meaning(r.text)).toEqual({ services: { db: { image: 'redis:7', volumes: [{ type: 'volume', source: 'db-data', target: '/data' }] } }, volumes: { 'db-data': {} } });
    expect(r.text!.endsWith('\n')).toBe(true);
  });

  it('turns a short depends_on list into the long form in place', () => {
    const text = 'services:\n  wiki:\n    image: wiki:1\n    depends_on:\n      - db\n  db:\n    image: postgres:16\nx-persistence:\n  services:\n    wiki: { pattern: data-container, mounts: [/srv] }\n';
    const r = buildText(text);
    expect(r.printedBy).toEqual({ path: 'splice' });
    const wiki = (meaning(r.text) as { services: Record<string, { depends_on: unknown }> }).services.wiki!;
    expect(wiki.depends_on).toEqual({ db: { condition: 'service_started' }, 'wiki-data': { condition: 'service_started' } });
  });

  const spliceCases: [string, string][] = [
    ['a block scalar as the service\'s last value', 'services:\n  db:\n    image: postgres:16\n    command: |\n      run\n      this\n\n  web:\n    image: nginx\nx-persistence:\n  services:\n    db: { pattern: volume, mounts: [/data] }\n'],
    ['comment lines after the service\'s last entry', 'services:\n  db:\n    image: postgres:16\n    # volumes:\n    #   - old:/data\n  web:\n    image: nginx\nx-persistence:\n  services:\n    db: { pattern: volume, mounts: [/data] }\n'],
    ['a nested mapping as the last entry', 'services:\n  db:\n    image: postgres:16\n    deploy:\n      resources:\n        limits: { memory: 1G }\nx-persistence:\n  services:\n    db: { pattern: volume, mounts: [/data] }\n'],
    ['the block between services and an anchored x- key used after it', 'services:\n  db:\n    image: postgres:16\nx-persistence:\n  services:\n    db: { pattern: volume, mounts: [/data] }\nx-tail: &tail { a: 1 }\nx-use: *tail\n'],
    ['top-level volumes before the services', 'volumes:\n  other: {}\nservices:\n  db:\n    image: postgres:16\nx-persistence:\n  services:\n    db: { pattern: volume, mounts: [/data] }\n'],
    ['a flow service on the last line, no final line end', 'x-persistence:\n  services:\n    db: { pattern: volume, mounts: [/data] }\nservices:\n  db: { image: "postgres:16" }'],
    ['four-space indentation and a list at the key\'s column', 'services:\n    db:\n        image: postgres:16\n        volumes:\n        - ./a:/a\nx-persistence:\n    services:\n        db:\n            pattern: volume\n            mounts: [/data]\n'],
  ];
  for (const [name, text] of spliceCases) {
    for (const target of ['compose', 'swarm'] as const) {
      it(`splices ${name} (${target}), with the Document path's meaning`, () => {
        const r = buildText(text, { target });
        const full = buildText(text, { target, fast: false });
        expect(r.diagnostics).toEqual(full.diagnostics);
        if (full.text === undefined) return;
        expect(r.printedBy).toEqual({ path: 'splice' });
        expect(meaning(r.text)).toEqual(meaning(full.text));
      });
    }
  }

  it('replaces an existing version for Swarm', () => {
    const text = 'version: "3.7"\nservices:\n  db:\n    image: postgres:16\nx-persistence:\n  services:\n    db: { pattern: volume, mounts: [/data] }\n';
    const r = buildText(text, { target: 'swarm' });
    expect(r.printedBy).toEqual({ path: 'splice' });
    expect(r.text).toContain('version: "3.8"\nservices:');
    expect(r.text).not.toContain('3.7');
  });

  const documentCases: [string, string, RegExp][] = [
    ['an anchored service', 'services:\n  db: &db\n    image: postgres:16\n  db2: *db\nx-persistence:\n  services:\n    db: { pattern: volume, mounts: [/data] }\n', /not a plain mapping/],
    ['an anchored list to extend', 'x-v: &v\n  - ./a:/a\nservices:\n  db:\n    image: postgres:16\n    volumes: &own\n      - ./b:/b\n  web:\n    image: nginx\n    volumes: *own\nx-persistence:\n  services:\n    db: { pattern: volume, mounts: [/data] }\n', /anchored|not a plain/],
    ['an alias into the block', 'x-persistence:\n  backends:\n    nas: &nas { type: hostpath, path: /mnt/nas }\n  services:\n    db: { pattern: shared, backend: nas, mounts: [/data] }\nx-copy: *nas\nservices:\n  db:\n    image: postgres:16\n', /alias into the block/],
    ['a comment after a flow service', 'services:\n  db: { image: "postgres:16" }  # the database\nx-persistence:\n  services:\n    db: { pattern: volume, mounts: [/data] }\n', /comment after a flow service/],
    ['a tagged value (read by the full parser)', 'services:\n  db:\n    image: !!str postgres\nx-persistence:\n  services:\n    db: { pattern: volume, mounts: [/data] }\n', /full parser/],
  ];
  const markerCases: [string, string][] = [
    ['a file that starts with ---', '---\nservices:\n  db:\n    image: postgres:16\nx-persistence:\n  services:\n    db: { pattern: volume, mounts: [/data] }\n'],
    ['a %YAML 1.2 directive, a commented --- and a final ...', '%YAML 1.2\n# the stack\n--- # one document\nservices:\n  db:\n    image: postgres:16  # pinned\nx-persistence:\n  services:\n    db: { pattern: volume, mounts: [/data] }\n...\n# end\n'],
  ];
  for (const [name, text] of markerCases) {
    it(`splices ${name}, every other line kept as written`, () => {
      const r = buildText(text);
      expect(errors(r)).toEqual([]);
      expect(r.printedBy).toEqual({ path: 'splice' });
      expect(meaning(r.text)).toEqual(meaning(buildText(text, { fast: false }).text));
      expect(isSubsequence(linesOutsideBlock(text), r.text!.split('\n'))).toBe(true);
    });
  }

  it('appends after the comment lines that belong to the last entry, before those of the level above', () => {
    const text = 'services:\n  db:\n    image: postgres:16\n    # about db\n  # old:\n  #   image: x\n  web:\n    image: nginx\n    # about web\n# the volumes\nvolumes:\n  other: {}\n  # end of volumes\nx-persistence:\n  services:\n    db: { pattern: volume, mounts: [/data] }\n    web: { pattern: bind, owner: "1:1", mounts: [{ target: /srv, source: ./srv }] }\n';
    const r = buildText(text);
    expect(r.printedBy).toEqual({ path: 'splice' });
    const out = r.text!;
    // db's own note after its new volumes, still inside db; the commented-out service before web.
    expect(out).toContain('        target: /data\n    # about db\n  # old:\n  #   image: x\n  web:\n');
    // web's note stays with web: the init service comes after it, and the top-level comment stays above volumes.
    expect(out).toContain('        condition: service_completed_successfully\n    # about web\n  web-init:\n');
    expect(out).toMatch(/dev\.compose-persist\.service: web\n# the volumes\nvolumes:\n  other: \{\}\n  db-data: \{\}\n  # end of volumes\n/);
  });

  for (const [name, text, why] of documentCases) {
    it(`uses the Document path for ${name}, with the reason, and means the same`, () => {
      const r = buildText(text);
      expect(errors(r)).toEqual([]);
      expect(r.printedBy?.path).toBe('document');
      expect(r.printedBy && 'why' in r.printedBy ? r.printedBy.why : '').toMatch(why);
      expect(meaning(r.text)).toEqual(meaning(buildText(text, { fast: false }).text));
    });
  }

  it('the read-back check tells a text that does not mean the merged data', () => {
    const doc = fastParse('a: &x\n  b: 1\nc:\n  <<: *x\n  d: [1, "2"]\n')!;
    expect(fastMeans(doc, { a: { b: 1 }, c: { b: 1, d: [1, '2'] } })).toBe(true);
    expect(fastMeans(doc, { a: { b: 1 }, c: { b: 1, d: [1, 2] } })).toBe(false);
    expect(fastMeans(doc, { a: { b: 1 }, c: { d: [1, '2'] } })).toBe(false);
    expect(fastMeans(doc, { a: { b: 1 }, c: { b: 1, d: [1, '2'], e: null } })).toBe(false);
  });
});
