/**
 * The edit list (src/merge/edits.ts): one plan of what the output is, that
 * every printer applies. Planned on the fast reader's index and on yaml's it is
 * the same list; the splicer's text and the Document's text both read back as
 * the list applied to the source's data; the `<<` rule is decided in the plan.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Fragment } from '../../src/model.js';
import { applyEditsToData, planEdits, planTargetEdits, type Edit } from '../../src/merge/edits.js';
import { applyEditsToDocument } from '../../src/merge/document.js';
import { spliceOutput } from '../../src/emit/splice.js';
import { parseSource, type SourceDoc } from '../../src/parse/parse.js';
import { buildFile, buildText } from '../helpers/run.js';
import { deepFreeze } from '../helpers/freeze.js';

const frag = (service: string, extra: Partial<Fragment> = {}): Fragment => ({
  service, volumes: [], volumesFrom: [], dependsOn: {}, set: {}, services: {}, topVolumes: {}, ...extra,
});
const entry = (source: string, target: string) => ({ type: 'volume', source, target });
const meaning = (text: string): unknown => parse(text, { merge: true });

function read(text: string, fast: boolean): SourceDoc {
  const r = parseSource({ file: 'compose.yaml', text }, { fast });
  expect(r.diagnostics).toEqual([]);
  return r.value!;
}

interface Case {
  name: string;
  text: string;
  blockKey?: string;
  fragments: Fragment[];
  drop?: (string | number)[][];
  version?: string;
  /** The edits the plan makes. */
  edits: Edit[];
  /** Whether the splicer takes them (otherwise yaml's Document does). */
  spliced: boolean;
}

const cases: Case[] = [
  {
    name: 'a list the service has: appended to',
    text: 'services:\n  db:\n    image: x\n    volumes:\n      - ./a:/a\n',
    fragments: [frag('db', { volumes: [entry('db-data', '/data')], topVolumes: { 'db-data': {} } })],
    edits: [{ op: 'append', path: ['services', 'db', 'volumes'], items: [entry('db-data', '/data')] }, { op: 'add', path: [], key: 'volumes', value: { 'db-data': {} } }],
    spliced: true,
  },
  {
    name: 'a list the service inherits through <<: written on the service in full',
    text: 'x-base: &base\n  image: x\n  volumes: ["logs:/logs"]\nservices:\n  db:\n    <<: *base\nvolumes:\n  logs: {}\n',
    fragments: [frag('db', { volumes: [entry('db-data', '/data')], topVolumes: { 'db-data': {} } })],
    edits: [{ op: 'add', path: ['services', 'db'], key: 'volumes', value: ['logs:/logs', entry('db-data', '/data')] }, { op: 'add', path: ['volumes'], key: 'db-data', value: {} }],
    spliced: true,
  },
  {
    name: 'an aliased list: replaced by its content and the new items',
    text: 'x-v: &v ["./a:/a"]\nservices:\n  db:\n    image: x\n    volumes: *v\n',
    fragments: [frag('db', { volumes: ['./d:/d'] })],
    edits: [{ op: 'replace', path: ['services', 'db', 'volumes'], value: ['./a:/a', './d:/d'] }],
    spliced: true,
  },
  {
    name: 'depends_on in list form: the long form in full',
    text: 'services:\n  db:\n    image: x\n    depends_on: [cache]\n  cache: {image: c}\n',
    fragments: [frag('db', { dependsOn: { 'db-init': { condition: 'service_completed_successfully' } } })],
    edits: [{ op: 'replace', path: ['services', 'db', 'depends_on'], value: { cache: { condition: 'service_started' }, 'db-init': { condition: 'service_completed_successfully' } } }],
    spliced: true,
  },
  {
    name: 'set: placement into an own deploy mapping, key by key',
    text: 'services:\n  db:\n    image: x\n    deploy:\n      replicas: 1\n',
    fragments: [frag('db', { set: { deploy: { placement: { constraints: ['node.hostname == n1'] } } } })],
    edits: [{ op: 'add', path: ['services', 'db', 'deploy'], key: 'placement', value: { constraints: ['node.hostname == n1'] } }],
    spliced: true,
  },
  {
    name: 'an aliased service: replaced by its expansion with the entries',
    text: 'services:\n  web: &w {image: x}\n  db: *w\n',
    fragments: [frag('db', { volumes: ['./d:/d'] })],
    edits: [{ op: 'replace', path: ['services', 'db'], value: { image: 'x', volumes: ['./d:/d'] } }],
    // The alias's line is written anew; the anchored service keeps its text.
    spliced: true,
  },
  {
    name: 'the block removed, a generated service added',
    text: 'services:\n  db:\n    image: x\nx-persistence:\n  services:\n    db: {pattern: data-container}\n',
    blockKey: 'x-persistence',
    fragments: [frag('db', { volumesFrom: ['db-data'], services: { 'db-data': { image: 'busybox' } } })],
    edits: [{ op: 'delete', path: ['x-persistence'] }, { op: 'add', path: ['services', 'db'], key: 'volumes_from', value: ['db-data'] }, { op: 'add', path: ['services'], key: 'db-data', value: { image: 'busybox' } }],
    spliced: true,
  },
  {
    name: 'Swarm: a long depends_on left out, version first',
    text: 'services:\n  db:\n    image: x\n    depends_on:\n      cache: {condition: service_healthy}\n  cache: {image: c}\n',
    fragments: [],
    drop: [['services', 'db', 'depends_on']],
    version: '3.8',
    edits: [{ op: 'delete', path: ['services', 'db', 'depends_on'] }, { op: 'add', path: [], key: 'version', value: '3.8', first: true }],
    spliced: true,
  },
  {
    name: 'Swarm: an inherited depends_on cannot be cut from the anchor: an empty list of the service\'s own',
    text: 'x-b: &b\n  depends_on:\n    cache: {condition: service_healthy}\nservices:\n  db:\n    <<: *b\n    image: x\n  cache: {image: c}\n',
    fragments: [],
    drop: [['services', 'db', 'depends_on']],
    version: '3.8',
    edits: [{ op: 'add', path: ['services', 'db'], key: 'depends_on', value: [] }, { op: 'add', path: [], key: 'version', value: '3.8', first: true }],
    spliced: true,
  },
];

describe('the edit list', () => {
  it.each(cases)('$name: the same plan on both readers, and both printers mean the list applied to the data', ({ text, blockKey, fragments, drop, version, edits, spliced }) => {
    const fast = read(text, true);
    const full = read(text, false);
    expect(fast.fast).toBeDefined();
    const frozen = deepFreeze(fragments);
    const plan = (src: SourceDoc): Edit[] => {
      const merge = planEdits({ data: src.data, index: src.index }, blockKey, frozen);
      return drop || version ? planTargetEdits({ data: src.data, index: src.index }, merge, drop ?? [], version) : merge;
    };
    expect(plan(fast)).toEqual(edits);
    expect(plan(full)).toEqual(edits);
    const expected = applyEditsToData(deepFreeze(structuredClone(fast.data)), edits);
    const viaSplice = spliceOutput({ text, fast: fast.fast!, data: fast.data, edits, sources: ['compose.yaml'], target: 'compose' });
    expect('text' in viaSplice).toBe(spliced);
    if ('text' in viaSplice) expect(meaning(viaSplice.text)).toEqual(expected);
    applyEditsToDocument(full.doc, edits);
    expect(meaning(full.doc.toString())).toEqual(expected);
  });

  it('applied to data, copies only what changes (the source is not edited)', () => {
    const data = { services: { db: { image: 'x' }, web: { image: 'y' } }, networks: { n: {} } };
    const before = structuredClone(data);
    const out = applyEditsToData(data, [{ op: 'add', path: ['services', 'db'], key: 'volumes', value: ['./d:/d'] }]) as typeof data & { services: { db: { volumes?: unknown } } };
    expect(data).toEqual(before);
    expect(out.services.db.volumes).toEqual(['./d:/d']);
    expect(out.services.web).toBe(data.services.web);
    expect(out.networks).toBe(data.networks);
  });
});

describe('layout kept from earlier versions', () => {
  it('a one-line service a fragment is for is written as a block even when it gains nothing (pattern none), by both printers', () => {
    const text = 'services:\n  db: { image: "postgres:16", restart: "no" }\nx-persistence:\n  services:\n    db: { pattern: none, reason: stateless }\n';
    for (const fast of [true, false]) {
      const r = buildText(text, { fast });
      expect(r.edits).toEqual([{ op: 'delete', path: ['x-persistence'] }, { op: 'block', path: ['services', 'db'] }]);
      expect(r.text).toContain('  db:\n    image: "postgres:16"\n    restart: "no"\n');
    }
  });
});

describe('every sample: the same edit list through the fast reader and through yaml', () => {
  const samples = readdirSync('samples').filter((f) => f.endsWith('.persist.yaml')).sort();
  for (const sample of samples) {
    for (const target of ['compose', 'swarm'] as const) {
      it(`${sample} (${target})`, () => {
        const fast = buildFile(join('samples', sample), { target });
        const full = buildFile(join('samples', sample), { target, fast: false });
        expect(fast.edits).toEqual(full.edits);
        if (fast.text === undefined) return;
        expect(fast.edits?.length).toBeGreaterThan(0);
        expect(meaning(fast.text)).toEqual(meaning(full.text!));
      });
    }
  }
});
