/**
 * init writes what build accepts: for generated plain compose files (catalog
 * images, odd service names, comments, anchors and merge keys, flow style,
 * document markers), `init` then `build` never fails on what init wrote.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initBlock } from '../../src/init/init.js';
import { CATALOG } from '../../src/resolve/catalog.js';
import { build } from '../../src/index.js';
import { dq } from './support/yaml-text.js';
import { Counter, errorsOf, params, TIMEOUT } from './support/run.js';

const FILE = 'compose.persist.yaml';

/** Names Compose accepts and names it does not (spaces, quotes, YAML keywords, numbers, long ones). */
const nameArb = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/) },
  { weight: 3, arbitrary: fc.constantFrom('db', 'db-data', 'influx', 'influx-influxdb2', 'influx-etc-influxdb2', '_under', '.dot', '-lead', '123', '1e3', '0x1f', 'true', 'null', 'no', 'a.b-c_d', 'Db', '9lives', 'x'.repeat(70)) },
  { weight: 1, arbitrary: fc.constantFrom('my db', 'db:1', 'a#b', 'ÄÖ', '<<x', "it's") },
);
const imageArb = fc.tuple(fc.constantFrom(...CATALOG.map((e) => e.image)), fc.constantFrom('', ':latest', ':16', ':18', ':8.0', ':1', '@sha256:' + 'a'.repeat(64)), fc.constantFrom('', 'docker.io/', 'docker.io/library/'))
  .map(([img, tag, reg]) => `${img.includes('/') ? reg.replace('library/', '') : reg}${img}${tag}`);

interface Svc { name: string; image: string; flow: boolean; anchored: boolean; comment?: string; volume?: string }
const svcArb: fc.Arbitrary<Svc> = fc.record({
  name: nameArb,
  image: fc.oneof(imageArb, fc.constant('example/app:1')),
  flow: fc.boolean(),
  anchored: fc.boolean(),
  comment: fc.option(fc.constantFrom('a comment', 'x: not a key', '--- not a marker'), { nil: undefined }),
  volume: fc.option(fc.constantFrom('./cache:/cache', 'logs:/var/log'), { nil: undefined }),
});

interface FileM { pattern: 'volume' | 'bind' | 'data-container' | 'none'; services: Svc[]; start: boolean; end: 'none' | 'marker' | 'marker-comment'; trailingComment: boolean; finalNewline: boolean; topFlow: boolean }
const fileArb: fc.Arbitrary<FileM> = fc.record({
  pattern: fc.constantFrom('volume', 'bind', 'data-container', 'none'),
  services: fc.uniqueArray(svcArb, { minLength: 1, maxLength: 5, selector: (s) => s.name }),
  start: fc.boolean(),
  end: fc.constantFrom('none', 'marker', 'marker-comment'),
  trailingComment: fc.boolean(),
  finalNewline: fc.boolean(),
  topFlow: fc.boolean(),
});

const k = (s: string): string => (/^[a-z][a-z0-9]*$/.test(s) && !/^(?:true|false|null|yes|no|on|off|y|n)$/.test(s) ? s : dq(s));

function render(m: FileM): string {
  const lines: string[] = [];
  if (m.start) lines.push('---');
  lines.push('# a plain compose file');
  const hasAnchor = m.services.some((s) => s.anchored);
  const namedVolumes = m.services.some((s) => s.volume?.startsWith('logs:'));
  if (m.topFlow) {
    const svcs = m.services.map((s) => `${k(s.name)}: {image: ${dq(s.image)}${s.volume ? `, volumes: [${dq(s.volume)}]` : ''}}`).join(', ');
    lines.push(`{services: {${svcs}}${namedVolumes ? ', volumes: {logs: {}}' : ''}}`);
  } else {
    if (hasAnchor) lines.push('x-common: &common', '  restart: unless-stopped');
    lines.push('services:');
    for (const s of m.services) {
      if (s.flow) {
        lines.push(`  ${k(s.name)}: {image: ${dq(s.image)}${s.anchored ? ', <<: *common' : ''}${s.volume ? `, volumes: [${dq(s.volume)}]` : ''}}${s.comment ? ` # ${s.comment}` : ''}`);
      } else {
        lines.push(`  ${k(s.name)}:${s.comment ? ` # ${s.comment}` : ''}`);
        if (s.anchored) lines.push('    <<: *common');
        lines.push(`    image: ${s.image.includes('@') || s.image.includes(':') ? dq(s.image) : s.image}`);
        if (s.volume) lines.push('    volumes:', `      - ${s.volume}`);
      }
    }
    if (namedVolumes) lines.push('volumes:', '  logs: {}');
  }
  if (m.end !== 'none') lines.push(m.end === 'marker' ? '...' : '... # end');
  if (m.trailingComment) lines.push('# the end');
  const text = lines.join('\n');
  return m.finalNewline ? `${text}\n` : text;
}

describe('property: init writes what build accepts', () => {
  it('init then build never fails on what init wrote', () => {
    const counter = new Counter();
    fc.assert(
      fc.property(fileArb, (m) => {
        const text = render(m);
        const plain = build([{ file: FILE, text }]);
        // Only files that are themselves valid plain Compose are this property's input.
        if (errorsOf(plain.diagnostics).length) {
          counter.hit(`plain file invalid: ${errorsOf(plain.diagnostics)[0]!.code}`);
          return;
        }
        const r = initBlock({ file: FILE, text }, { pattern: m.pattern });
        // init refuses only a file Compose itself refuses (an invalid service name).
        for (const d of errorsOf(r.diagnostics)) expect(d.message, text).toMatch(/is not a valid Compose service name/);
        if (errorsOf(r.diagnostics).length || r.text === undefined) {
          counter.hit(r.text === undefined && !errorsOf(r.diagnostics).length ? 'nothing to add' : 'init refused');
          return;
        }
        counter.hit('init wrote a block');
        if (r.diagnostics.some((d) => d.severity === 'warning')) counter.hit('init warned');
        const b = build([{ file: FILE, text: r.text }]);
        expect(errorsOf(b.diagnostics), r.text).toEqual([]);
        expect(b.hasBlock).toBe(true);
        expect(b.text).toBeDefined();
      }),
      params(150),
    );
    counter.report('init then build');
  }, TIMEOUT);

  it('a service name Compose refuses is an error (nothing written); one the block cannot list is skipped with a warning', () => {
    const bad = initBlock({ file: FILE, text: 'services:\n  "my db":\n    image: postgres:16\n' });
    expect(bad.diagnostics.map((d) => [d.code, d.severity, d.line, d.col])).toEqual([['SCHEMA_FORMAT', 'error', 2, 3]]);
    expect(bad.text).toBeUndefined();
    const odd = initBlock({ file: FILE, text: 'services:\n  _db:\n    image: postgres:16\n  db:\n    image: postgres:16\n' });
    expect(odd.diagnostics.map((d) => [d.code, d.severity, d.line])).toEqual([['SCHEMA_FORMAT', 'warning', 2]]);
    expect(odd.services.map((s) => s.service)).toEqual(['db']);
    expect(errorsOf(build([{ file: FILE, text: odd.text! }]).diagnostics)).toEqual([]);
  });

  it('a file ending in a ... marker gets the block before the marker', () => {
    for (const tail of ['...\n', '... # end\n# after\n', '...']) {
      const ended = initBlock({ file: FILE, text: `services:\n  db:\n    image: postgres:16\n${tail}` });
      expect(ended.text).toMatch(/x-persistence:[\s\S]*\n\.\.\./);
      expect(ended.text!.endsWith(tail)).toBe(true);
      expect(errorsOf(build([{ file: FILE, text: ended.text! }]).diagnostics)).toEqual([]);
    }
  });

  it('a mount whose generated name is taken gets its own name: in the block', () => {
    const r = initBlock({ file: FILE, text: 'services:\n  db:\n    image: influxdb:2\nvolumes:\n  db-etc-influxdb2: {}\n' });
    expect(r.services[0]!.names).toEqual({ '/etc/influxdb2': 'db-etc-influxdb2-2' });
    expect(r.text).toContain('- { target: /etc/influxdb2, name: db-etc-influxdb2-2 }');
    expect(errorsOf(build([{ file: FILE, text: r.text! }]).diagnostics)).toEqual([]);
  });

  it('a flow-style top-level mapping becomes a block mapping with the block added', () => {
    const r = initBlock({ file: FILE, text: '# mine\n{services: {db: {image: "postgres:16"}}}\n' });
    expect(r.text).toMatch(/^# mine\nservices:/);
    expect(errorsOf(build([{ file: FILE, text: r.text! }]).diagnostics)).toEqual([]);
  });
});
