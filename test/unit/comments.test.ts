/**
 * Comments stay where they were when the output is re-printed: on every
 * sample and every corpus file (with a block added that gives each service
 * a mount, the first one a bind with owner, so that services, lists and the
 * top-level volumes all gain entries at their end), through the splice and
 * through yaml's Document (fast: false), each full-line comment of the source
 * has the same written line before and after it in the output.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { build } from '../../src/index.js';
import { readPatternDir } from '../../src/cli/io.js';
import { commentsMoved, withoutBlock } from '../helpers/comments.js';

const CORPUS = '../shared/corpus/real';
const corpus = existsSync(join(CORPUS, 'INDEX.tsv'))
  ? readFileSync(join(CORPUS, 'INDEX.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => join(CORPUS, l.split('\t')[0]!))
  : [];

/** The corpus file with a block: the first service a bind with owner (an init service is added), the others a volume each. */
function withProbeBlock(text: string): string | undefined {
  let data: { services?: Record<string, unknown> };
  try {
    data = parse(text, { merge: true, logLevel: 'silent', maxAliasCount: 1000 }) as typeof data;
  } catch {
    return undefined;
  }
  const names = data && typeof data === 'object' && data.services && typeof data.services === 'object' && !Array.isArray(data.services) ? Object.keys(data.services) : [];
  if (!names.length) return undefined;
  const lines = names.map((n, i) =>
    i === 0
      ? `    ${JSON.stringify(n)}: {pattern: bind, owner: "1000:1000", mounts: [{target: /cp-probe-bind, source: ./cp-probe}]}`
      : `    ${JSON.stringify(n)}: {pattern: volume, mounts: [{target: /cp-probe-${i}, name: cp-probe-${i}}]}`,
  );
  return `${text.replace(/\s*$/, '\n')}x-persistence:\n  services:\n${lines.join('\n')}\n`;
}

interface Case {
  name: string;
  text: string;
}

function cases(): Case[] {
  const samples = readdirSync('samples').filter((f) => f.endsWith('.persist.yaml')).sort().map((f) => ({ name: join('samples', f), text: readFileSync(join('samples', f), 'utf8') }));
  const real = corpus.flatMap((f) => {
    const text = withProbeBlock(readFileSync(f, 'utf8'));
    return text ? [{ name: f, text }] : [];
  });
  return [...samples, ...real];
}

describe('comments keep their place in the output', () => {
  const all = cases();
  for (const fast of [true, false]) {
    it(`${fast ? 'spliced' : 'printed from the Document (fast: false)'}: every comment of ${all.length} files has the same neighbours`, () => {
      const problems: string[] = [];
      let built = 0;
      let comments = 0;
      const paths = new Map<string, number>();
      for (const c of all) {
        const r = build([{ file: c.name, text: c.text }], { fast, loadPatterns: readPatternDir });
        if (r.text === undefined) continue;
        built++;
        const path = r.printedBy?.path ?? 'pass-through';
        paths.set(path, (paths.get(path) ?? 0) + 1);
        const source = withoutBlock(c.text);
        comments += source.filter((l) => l.trim().startsWith('#')).length;
        for (const p of commentsMoved(source, r.text)) problems.push(`${c.name}: ${p}`);
      }
      console.log(`comments (${fast ? 'fast' : 'document'}): ${built} of ${all.length} files built (${[...paths].map(([k, v]) => `${v} ${k}`).join(', ')}), ${comments} comment lines, ${problems.length} moved`);
      expect(problems).toEqual([]);
    }, 120_000);
  }

  // The classes of the issue: a comment under the last service, a top-level comment above volumes:,
  // a commented-out service between two, notes inside a service, a comment under an empty value.
  const crafted = [
    '# the app',
    'services:',
    '  db:',
    '    image: postgres:16',
    '    environment:',
    '      A:',
    '    # environment:',
    '    #   - B=1',
    '  # old:',
    '  #   image: x',
    '  web:',
    '    image: nginx',
    '    volumes:',
    '      - ./conf:/conf',
    '      # - ./more:/more',
    '    # about web',
    '# top-level volumes',
    'volumes:',
    '  other: {}',
    '  # end of volumes',
    '',
    '# kept: a blank line apart from the block',
    '',
    '# the block',
    'x-persistence:',
    '  services:',
    '    db: {pattern: volume, mounts: [/var/lib/postgresql/data]}',
    '    web: {pattern: bind, owner: "1:1", mounts: [{target: /srv, source: ./srv}]}',
    '# after the block',
    '',
  ].join('\n');
  for (const [name, text] of [['a plain file', crafted], ['a file that starts with ---', `---\n${crafted}`]] as const) {
    for (const fast of [true, false]) {
      it(`${name}, ${fast ? 'spliced' : 'from the Document'}: each comment where it was`, () => {
        const r = build([{ file: 'c.yaml', text }], { fast });
        expect(r.printedBy?.path).toBe(fast ? 'splice' : 'document');
        expect(commentsMoved(withoutBlock(text), r.text!)).toEqual([]);
        const out = r.text!;
        // The note under web stays with web, before the init service added after it.
        expect(out).toMatch(/# about web\n  web-init:\n/);
        expect(out).toMatch(/\n# top-level volumes\nvolumes:\n/);
        expect(out).toMatch(/\n  # old:\n  #   image: x\n  web:\n/);
        expect(out).toContain('# kept: a blank line apart from the block');
        expect(out).not.toContain('# the block');
      });
    }
  }
});
