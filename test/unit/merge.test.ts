// Stage 6, merge (src/merge/edits.ts), on its own: a compose file, the fragments render made
// for it (written out here), and the data the output means (planEdits' list applied to the
// data alone, as if every entry were written where the data has it): what is appended, what
// is converted (depends_on's list form), what a service inherits through `<<`, what is
// declared. The data and fragments are deep-frozen: the merge must not edit them.
// The same cases go through yaml's Document (the same planning, applyEditsToDocument), whose
// printed text must read back as that same data.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Fragment } from '../../src/model.js';
import type { Document } from 'yaml';
import { applyEditsToData, deepMerge, planEdits, planTargetEdits, plainIndex } from '../../src/merge/edits.js';
import { applyEditsToDocument } from '../../src/merge/document.js';
import { parseSource } from '../../src/parse/parse.js';
import { documentIndex } from '../../src/yaml/positions.js';
import { LineIndex } from '../../src/yaml/source-index.js';
import { deepFreeze } from '../helpers/freeze.js';

const frag = (service: string, extra: Partial<Fragment> = {}): Fragment => ({
  service, volumes: [], volumesFrom: [], dependsOn: {}, set: {}, services: {}, topVolumes: {}, ...extra,
});
const entry = (source: string, target: string) => ({ type: 'volume', source, target });
const BLOCK = 'x-persistence:\n  services:\n    db: {pattern: volume}\n';
const pin = (node: string) => ({ deploy: { placement: { constraints: [`node.hostname == ${node}`] } } });
const SIDECAR = { image: 'busybox:latest', command: ['true'], volumes: [entry('db-data', '/data')] };

interface Case {
  name: string;
  /** The compose file, as written. */
  text: string;
  blockKey?: 'x-persistence' | 'persistence';
  fragments: Fragment[];
  version?: string;
  expected: Record<string, unknown>;
}

const cases: Case[] = [
  { name: 'no fragments: the block is removed, the rest kept', text: `services:\n  db: {image: postgres}\n${BLOCK}`, blockKey: 'x-persistence', fragments: [], expected: { services: { db: { image: 'postgres' } } } },
  { name: 'the block under its old key persistence:', text: 'services:\n  db: {image: x}\npersistence:\n  default: none\n', blockKey: 'persistence', fragments: [], expected: { services: { db: { image: 'x' } } } },
  { name: 'without a block key nothing is removed', text: 'services:\n  db: {image: x}\nx-other: 1\n', fragments: [], expected: { services: { db: { image: 'x' } }, 'x-other': 1 } },
  { name: 'pattern none: an empty fragment changes nothing', text: `services:\n  db: {image: x}\n${BLOCK}`, blockKey: 'x-persistence', fragments: [frag('db')], expected: { services: { db: { image: 'x' } } } },
  { name: 'volumes: created on a service without them, declared at the top', text: 'services:\n  db: {image: x}\n', fragments: [frag('db', { volumes: [entry('db-data', '/data')], topVolumes: { 'db-data': {} } })], expected: { services: { db: { image: 'x', volumes: [entry('db-data', '/data')] } }, volumes: { 'db-data': {} } } },
  { name: 'volumes: appended after the service\'s own, short form kept', text: 'services:\n  db:\n    image: x\n    volumes: ["./conf:/etc/x:ro"]\nvolumes:\n  old: {}\n', fragments: [frag('db', { volumes: [entry('db-data', '/data')], topVolumes: { 'db-data': {} } })], expected: { services: { db: { image: 'x', volumes: ['./conf:/etc/x:ro', entry('db-data', '/data')] } }, volumes: { old: {}, 'db-data': {} } } },
  { name: 'an empty volumes: on the service is a list of the new ones', text: 'services:\n  db:\n    image: x\n    volumes:\n', fragments: [frag('db', { volumes: ['./d:/data'] })], expected: { services: { db: { image: 'x', volumes: ['./d:/data'] } } } },
  { name: 'an empty top-level volumes: is a mapping of the new ones', text: 'services:\n  db: {image: x}\nvolumes:\n', fragments: [frag('db', { volumes: [entry('v', '/v')], topVolumes: { v: { driver: 'rbd' } } })], expected: { services: { db: { image: 'x', volumes: [entry('v', '/v')] } }, volumes: { v: { driver: 'rbd' } } } },
  { name: 'no declaration: the top-level volumes: is left as written', text: 'services:\n  db: {image: x}\nvolumes:\n  a: {}\n', fragments: [frag('db', { volumes: ['./d:/d'] })], expected: { services: { db: { image: 'x', volumes: ['./d:/d'] } }, volumes: { a: {} } } },
  { name: 'kept: the external declaration as given', text: 'services:\n  db: {image: x}\n', fragments: [frag('db', { volumes: [entry('db-data', '/data')], topVolumes: { 'db-data': { external: true, name: 'prod' } } })], expected: { services: { db: { image: 'x', volumes: [entry('db-data', '/data')] } }, volumes: { 'db-data': { external: true, name: 'prod' } } } },
  { name: 'data-container: volumes_from, depends_on and the sidecar after the services', text: 'services:\n  db: {image: x}\n  web: {image: y}\n', fragments: [frag('db', { volumesFrom: ['db-data'], dependsOn: { 'db-data': { condition: 'service_started' } }, services: { 'db-data': SIDECAR }, topVolumes: { 'db-data': {} } })], expected: { services: { db: { image: 'x', volumes_from: ['db-data'], depends_on: { 'db-data': { condition: 'service_started' } } }, web: { image: 'y' }, 'db-data': SIDECAR }, volumes: { 'db-data': {} } } },
  { name: 'volumes_from: appended to the service\'s own', text: 'services:\n  db:\n    image: x\n    volumes_from: [other]\n  other: {image: y}\n', fragments: [frag('db', { volumesFrom: ['db-data'] })], expected: { services: { db: { image: 'x', volumes_from: ['other', 'db-data'] }, other: { image: 'y' } } } },
  { name: 'depends_on in list form: each becomes service_started', text: 'services:\n  db:\n    image: x\n    depends_on: [cache, queue]\n  cache: {image: c}\n  queue: {image: q}\n', fragments: [frag('db', { dependsOn: { 'db-init': { condition: 'service_completed_successfully' } } })], expected: { services: { db: { image: 'x', depends_on: { cache: { condition: 'service_started' }, queue: { condition: 'service_started' }, 'db-init': { condition: 'service_completed_successfully' } } }, cache: { image: 'c' }, queue: { image: 'q' } } } },
  { name: 'depends_on in long form: the entries kept, with their own keys', text: 'services:\n  db:\n    image: x\n    depends_on:\n      cache: {condition: service_healthy, restart: true}\n  cache: {image: c}\n', fragments: [frag('db', { dependsOn: { 'db-init': { condition: 'service_completed_successfully' } } })], expected: { services: { db: { image: 'x', depends_on: { cache: { condition: 'service_healthy', restart: true }, 'db-init': { condition: 'service_completed_successfully' } } }, cache: { image: 'c' } } } },
  { name: 'bind with owner: the init service and the service waits for it', text: 'services:\n  db: {image: x}\n', fragments: [frag('db', { volumes: ['./d:/data'], dependsOn: { 'db-init': { condition: 'service_completed_successfully' } }, services: { 'db-init': { image: 'busybox', user: '0:0', command: ['chown', '-R', '1:1', '/mnt/d'], volumes: ['./d:/mnt/d'] } } })], expected: { services: { db: { image: 'x', volumes: ['./d:/data'], depends_on: { 'db-init': { condition: 'service_completed_successfully' } } }, 'db-init': { image: 'busybox', user: '0:0', command: ['chown', '-R', '1:1', '/mnt/d'], volumes: ['./d:/mnt/d'] } } } },
  { name: 'set: placement merged into the service\'s deploy, constraints appended', text: 'services:\n  db:\n    image: x\n    deploy:\n      replicas: 1\n      placement:\n        constraints: ["node.role == worker"]\n', fragments: [frag('db', { set: pin('n1') })], expected: { services: { db: { image: 'x', deploy: { replicas: 1, placement: { constraints: ['node.role == worker', 'node.hostname == n1'] } } } } } },
  { name: 'set: placement on a service without deploy:', text: 'services:\n  db: {image: x}\n', fragments: [frag('db', { set: pin('n1') })], expected: { services: { db: { image: 'x', ...pin('n1') } } } },
  { name: 'set: a scalar replaces the service\'s', text: 'services:\n  db:\n    image: x\n    deploy: {mode: global}\n', fragments: [frag('db', { set: { deploy: { mode: 'replicated' } } })], expected: { services: { db: { image: 'x', deploy: { mode: 'replicated' } } } } },
  { name: 'a list the service inherits through <<: written in full, the anchor untouched', text: 'x-base: &base\n  image: x\n  volumes: ["logs:/logs"]\nservices:\n  db:\n    <<: *base\n  web:\n    <<: *base\nvolumes:\n  logs: {}\n', fragments: [frag('db', { volumes: [entry('db-data', '/data')], topVolumes: { 'db-data': {} } })], expected: { 'x-base': { image: 'x', volumes: ['logs:/logs'] }, services: { db: { image: 'x', volumes: ['logs:/logs', entry('db-data', '/data')] }, web: { image: 'x', volumes: ['logs:/logs'] } }, volumes: { logs: {}, 'db-data': {} } } },
  { name: 'depends_on inherited through << in list form', text: 'x-base: &base\n  depends_on: [cache]\nservices:\n  db:\n    <<: *base\n    image: x\n  cache: {image: c}\n', fragments: [frag('db', { volumesFrom: ['db-data'], dependsOn: { 'db-data': { condition: 'service_started' } }, services: { 'db-data': { image: 'b' } } })], expected: { 'x-base': { depends_on: ['cache'] }, services: { db: { image: 'x', volumes_from: ['db-data'], depends_on: { cache: { condition: 'service_started' }, 'db-data': { condition: 'service_started' } } }, cache: { image: 'c' }, 'db-data': { image: 'b' } } } },
  { name: 'set: a constraint the service states itself is not written twice', text: 'services:\n  db:\n    image: x\n    deploy:\n      placement:\n        constraints: ["node.hostname == n1"]\n', fragments: [frag('db', { set: pin('n1') })], expected: { services: { db: { image: 'x', deploy: { placement: { constraints: ['node.hostname == n1'] } } } } } },
  { name: 'set: a constraint inherited through << is not repeated when the list is written on the service', text: 'x-base: &base\n  deploy:\n    placement:\n      constraints: ["node.hostname == n1", "node.role == worker"]\nservices:\n  db:\n    <<: *base\n    image: x\n', fragments: [frag('db', { set: pin('n1') })], expected: { 'x-base': { deploy: { placement: { constraints: ['node.hostname == n1', 'node.role == worker'] } } }, services: { db: { image: 'x', deploy: { placement: { constraints: ['node.hostname == n1', 'node.role == worker'] } } } } } },
  { name: 'a deploy inherited through <<: merged with the placement', text: 'x-base: &base\n  deploy: {replicas: 2}\nservices:\n  db:\n    <<: *base\n    image: x\n', fragments: [frag('db', { set: pin('n1') })], expected: { 'x-base': { deploy: { replicas: 2 } }, services: { db: { image: 'x', deploy: { replicas: 2, placement: { constraints: ['node.hostname == n1'] } } } } } },
  { name: 'a service that is an alias of another gets its own expansion', text: 'services:\n  web: &w {image: x}\n  db: *w\n', fragments: [frag('db', { volumes: ['./d:/d'] })], expected: { services: { web: { image: 'x' }, db: { image: 'x', volumes: ['./d:/d'] } } } },
  { name: 'several services, each its own fragment, declarations in order', text: 'services:\n  a: {image: x}\n  b: {image: y}\n', fragments: [frag('a', { volumes: [entry('a-v', '/v')], topVolumes: { 'a-v': {} } }), frag('b', { volumes: [entry('b-v', '/v')], topVolumes: { 'b-v': {} } })], expected: { services: { a: { image: 'x', volumes: [entry('a-v', '/v')] }, b: { image: 'y', volumes: [entry('b-v', '/v')] } }, volumes: { 'a-v': {}, 'b-v': {} } } },
  { name: 'a volume two services share: mounted by both, declared once', text: 'services:\n  a: {image: x}\n  b: {image: y}\n', fragments: [frag('a', { volumes: [entry('pg', '/v')], topVolumes: { pg: {} } }), frag('b', { volumes: [entry('pg', '/w')] })], expected: { services: { a: { image: 'x', volumes: [entry('pg', '/v')] }, b: { image: 'y', volumes: [entry('pg', '/w')] } }, volumes: { pg: {} } } },
  { name: '${VAR} text and other services are kept as written', text: 'services:\n  db:\n    image: "postgres:${PG:-16}"\n    environment: {A: "${A}"}\n  web: {image: y, ports: ["80:80"]}\n', fragments: [frag('db', { volumes: ['./d:/d'] })], expected: { services: { db: { image: 'postgres:${PG:-16}', environment: { A: '${A}' }, volumes: ['./d:/d'] }, web: { image: 'y', ports: ['80:80'] } } } },
];

/**
 * What the output means from plain data alone (no source text: every entry counts as written
 * where the data has it): the merge's edits, then `version:` as the target's edits set it.
 */
function mergedData(data: unknown, blockKey: string | undefined, fragments: readonly Fragment[], version?: string): Record<string, unknown> {
  const src = { data, index: plainIndex(data) };
  return applyEditsToData(data, planTargetEdits(src, planEdits(src, blockKey, fragments), [], version));
}

/** The block cut from yaml's Document (an alias elsewhere to an anchor inside it gets a copy first). */
const removeBlock = (doc: Document, key: string): void => applyEditsToDocument(doc, [{ op: 'delete', path: [key] }]);

/** The fragments put into yaml's Document, the edits planned on what the document has written. */
function mergeIntoDocument(doc: Document, data: unknown, fragments: readonly Fragment[]): void {
  applyEditsToDocument(doc, planEdits({ data, index: documentIndex(doc, LineIndex.ofText('')) }, undefined, fragments));
}

function source(text: string) {
  const r = parseSource({ file: 'compose.yaml', text }, { fast: false });
  expect(r.diagnostics).toEqual([]);
  return r.value!;
}

describe('the merged data: what the output means', () => {
  it.each(cases)('$name', ({ text, blockKey, fragments, version, expected }) => {
    const data = deepFreeze(source(text).data);
    expect(mergedData(data, blockKey, deepFreeze(fragments), version)).toEqual(expected);
  });

  it('version: (Swarm) is set, over one the file gives', () => {
    expect(mergedData(deepFreeze({ services: { db: { image: 'x' } } }), undefined, [], '3.8')).toEqual({ version: '3.8', services: { db: { image: 'x' } } });
    expect(mergedData(deepFreeze({ version: '2', services: {} }), undefined, [], '3.8')).toEqual({ version: '3.8', services: {} });
  });

  it('the input is not edited even when not frozen, and what is not changed is shared', () => {
    const data = source('services:\n  db: {image: x}\n  web: {image: y}\nnetworks: {n: {}}\n').data as Record<string, Record<string, unknown>>;
    const before = structuredClone(data);
    const out = mergedData(data, undefined, [frag('db', { volumes: ['./d:/d'] })]) as Record<string, Record<string, unknown>>;
    expect(data).toEqual(before);
    expect(out.services!.web).toBe(data.services!.web);
    expect(out.networks).toBe(data.networks);
    expect(out.services!.db).not.toBe(data.services!.db);
  });

  it('deep-freezing makes an edit throw (the guard of these tests works)', () => {
    const frozen = deepFreeze({ a: { b: [1] } });
    expect(() => (frozen.a.b as number[]).push(2)).toThrow(TypeError);
    expect(() => Object.assign(frozen.a, { c: 1 })).toThrow(TypeError);
  });
});

describe('deepMerge: the rule for set:', () => {
  it.each([
    { name: 'lists are appended', current: [1], value: [2], expected: [1, 2] },
    { name: 'mappings merge key by key, deeply', current: { a: { x: 1 }, b: 1 }, value: { a: { y: 2 } }, expected: { a: { x: 1, y: 2 }, b: 1 } },
    { name: 'a scalar is replaced', current: 'global', value: 'replicated', expected: 'replicated' },
    { name: 'nothing there: the value', current: undefined, value: { a: 1 }, expected: { a: 1 } },
    { name: 'a list over a mapping replaces it', current: { a: 1 }, value: [1], expected: [1] },
  ])('$name', ({ current, value, expected }) => {
    expect(deepMerge(deepFreeze(current), deepFreeze(value))).toEqual(expected);
  });
});

describe('the edits on yaml\'s Document: its text reads back as the same data', () => {
  it.each(cases.filter((c) => c.version === undefined))('$name', ({ text, blockKey, fragments, expected }) => {
    const src = source(text);
    const data = deepFreeze(src.data);
    if (blockKey) removeBlock(src.doc, blockKey);
    mergeIntoDocument(src.doc, data, deepFreeze(fragments));
    expect(parse(src.doc.toString(), { merge: true })).toEqual(expected);
  });
});

describe('removeBlock and the entries Swarm leaves out: what they leave', () => {
  it.each([
    { name: 'the block goes; an alias elsewhere to an anchor inside it keeps a copy', text: 'services:\n  db: {image: x}\nx-persistence:\n  services:\n    db: &p {pattern: volume}\nx-copy: *p\n', expected: { services: { db: { image: 'x' } }, 'x-copy': { pattern: 'volume' } } },
    { name: 'the block under persistence:', text: 'persistence: {default: none}\nservices:\n  db: {image: x}\n', key: 'persistence', expected: { services: { db: { image: 'x' } } } },
  ])('removeBlock: $name', ({ text, key, expected }) => {
    const src = source(text);
    removeBlock(src.doc, key ?? 'x-persistence');
    expect(parse(src.doc.toString(), { merge: true })).toEqual(expected);
  });

  // Swarm: entries its stack format refuses (check/swarm.ts names them) are left out, as edits
  // (planTargetEdits) that the data and yaml's Document both take.
  it.each([
    { name: 'an entry written on the service is deleted', text: 'services:\n  db:\n    image: x\n    volumes_from: [o]\n  o: {image: y}\n', paths: [['services', 'db', 'volumes_from']], expected: { services: { db: { image: 'x' }, o: { image: 'y' } } } },
    { name: 'an entry inherited through <<: an empty list of its own, the anchor untouched', text: 'x-b: &b\n  image: x\n  volumes_from: [o]\nservices:\n  db:\n    <<: *b\n  web:\n    <<: *b\n  o: {image: y}\n', paths: [['services', 'db', 'volumes_from']], expected: { 'x-b': { image: 'x', volumes_from: ['o'] }, services: { db: { image: 'x', volumes_from: [] }, web: { image: 'x', volumes_from: ['o'] }, o: { image: 'y' } } } },
    { name: 'a service that is an alias gets its own copy; the other keeps the entry', text: 'services:\n  web: &w {image: x, profiles: [a]}\n  db: *w\n', paths: [['services', 'db', 'profiles']], expected: { services: { web: { image: 'x', profiles: ['a'] }, db: { image: 'x' } } } },
    { name: 'a path to no mapping is left alone', text: 'services:\n  db: {image: x}\n', paths: [['services', 'nope', 'volumes_from'], ['services', 'db', 'image', 'x']], expected: { services: { db: { image: 'x' } } } },
  ])('left out for Swarm: $name', ({ text, paths, expected }) => {
    const src = source(text);
    const edits = planTargetEdits({ data: deepFreeze(src.data), index: src.index }, [], deepFreeze(paths), undefined);
    expect(applyEditsToData(src.data, edits)).toEqual(expected);
    applyEditsToDocument(src.doc, edits);
    expect(parse(src.doc.toString(), { merge: true })).toEqual(expected);
  });
});
