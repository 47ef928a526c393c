#!/usr/bin/env node
/**
 * The malformed-input corpus for compose-persist.
 *
 *   node test/corpus/make-corpus.mjs --small   rewrite the small, committed cases in test/corpus/files/
 *   node test/corpus/make-corpus.mjs DIR       write the big / binary cases into DIR (the test does this
 *                                              in beforeAll, into a temporary directory)
 *
 * Every case is { name, expect: { exit, code?, pos? } }:
 *   exit  the exit code `build -f FILE` must end with (0 for the ones that must work)
 *   code  the diagnostic code of the first error line, where it matters
 *   pos   true when the error is at a place in the text, so the line must carry :line:col:
 * The expectations are exported (CASES) so that corpus.test.ts reads them from here.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

/** A small valid file (one service, one volume). */
const VALID = `services:
  db:
    image: postgres:16

x-persistence:
  services:
    db:
      pattern: volume
      mounts: [/var/lib/postgresql/data]
`;
const withBlock = (head) => `${head}
x-persistence:
  services:
    db:
      pattern: volume
      mounts: [/var/lib/postgresql/data]
`;

const billionLaughs = (levels, fan) => {
  let s = 'a0: &a0 ["lol"]\n';
  for (let i = 1; i <= levels; i++) s += `a${i}: &a${i} [${Array.from({ length: fan }, () => `*a${i - 1}`).join(', ')}]\n`;
  return s;
};

// ---- small cases: committed under files/ ----
export const SMALL = [
  // Broken YAML syntax.
  ['unclosed-double-quote', 'services:\n  db:\n    image: "postgres:16\n', { exit: 1, code: 'YAML_SYNTAX', pos: true }],
  ['unclosed-single-quote', "services:\n  db:\n    image: 'postgres:16\n    user: root\n", { exit: 1, code: 'YAML_SYNTAX', pos: true }],
  ['bad-indentation', 'services:\n  db:\n    image: postgres:16\n   user: root\n', { exit: 1, code: 'YAML_SYNTAX', pos: true }],
  ['key-colon-colon-value', 'services:\n  db:\n    image: : postgres\n', { exit: 1, code: 'YAML_SYNTAX', pos: true }],
  ['tab-indentation', 'services:\n\tdb:\n\t\timage: postgres:16\n', { exit: 1, code: 'YAML_SYNTAX', pos: true }],
  ['tab-indentation-in-block', VALID.replace('      pattern: volume', '\t\t\tpattern: volume'), { exit: 1, code: 'YAML_SYNTAX', pos: true }],
  ['unclosed-flow-mapping', 'services: {db: {image: postgres\n', { exit: 1, code: 'YAML_SYNTAX', pos: true }],
  ['unclosed-flow-sequence', VALID.replace('[/var/lib/postgresql/data]', '[/var/lib/postgresql/data'), { exit: 1, code: 'YAML_SYNTAX', pos: true }],
  ['stray-closing-bracket', 'services:\n  db:\n    image: postgres:16\n]\n', { exit: 1, code: 'YAML_SYNTAX', pos: true }],
  ['list-item-in-mapping', 'services:\n  db:\n    image: postgres:16\n  - web\n', { exit: 1, code: 'YAML_SYNTAX', pos: true }],
  ['bad-escape', 'services:\n  db:\n    image: "post\\qgres"\n', { exit: 1, code: 'YAML_SYNTAX', pos: true }],
  ['block-scalar-bad-indent', 'services:\n  db:\n    command: |\n        run\n      more\n    image: x\n', { exit: 1, code: 'YAML_SYNTAX', pos: true }],
  ['anchor-without-node', 'services:\n  db: &\n    image: x\n', { exit: 1, code: 'YAML_ALIAS', pos: true }],
  ['unknown-directive-version', '%YAML 2.0\n---\n' + VALID, { exit: 1, pos: true }],
  ['control-character', withBlock('services:\n  db:\n    image: post\u0007gres\n'), { exit: 1, code: 'YAML_SYNTAX', pos: true }],
  ['cr-only-line-ends', VALID.replace(/\n/g, '\r'), { exit: 1, pos: true }],
  // Duplicate keys.
  ['duplicate-top-key', 'services:\n  db:\n    image: a\nservices:\n  web:\n    image: b\n', { exit: 1, code: 'YAML_DUPLICATE_KEY', pos: true }],
  ['duplicate-service-key', 'services:\n  db:\n    image: a\n    image: b\n', { exit: 1, code: 'YAML_DUPLICATE_KEY', pos: true }],
  ['duplicate-key-in-block', VALID + '  services:\n    db:\n      pattern: none\n', { exit: 1, code: 'YAML_DUPLICATE_KEY', pos: true }],
  ['duplicate-key-flow', 'services: {db: {image: a, image: b}}\n', { exit: 1, code: 'YAML_DUPLICATE_KEY', pos: true }],
  // Wrong top-level types.
  ['top-level-list', '- services\n- db\n', { exit: 1, code: 'NOT_A_MAPPING', pos: true }],
  ['top-level-scalar', 'just a string\n', { exit: 1, code: 'NOT_A_MAPPING', pos: true }],
  ['top-level-number', '42\n', { exit: 1, code: 'NOT_A_MAPPING', pos: true }],
  ['top-level-null', 'null\n', { exit: 1, code: 'NOT_A_MAPPING', pos: true }],
  ['top-level-tilde', '~\n', { exit: 1, code: 'NOT_A_MAPPING', pos: true }],
  ['top-level-flow-list', '[services, db]\n', { exit: 1, code: 'NOT_A_MAPPING', pos: true }],
  // Aliases.
  ['undefined-alias', 'services:\n  db: *nothing\n', { exit: 1, code: 'YAML_ALIAS', pos: true }],
  ['alias-before-anchor', 'services:\n  db: *later\nx-later: &later\n  image: x\n', { exit: 1, code: 'YAML_ALIAS', pos: true }],
  ['undefined-alias-merge', 'services:\n  db:\n    <<: *base\n    image: x\n', { exit: 1, code: 'YAML_ALIAS', pos: true }],
  ['alias-bomb-small', billionLaughs(9, 9) + VALID, { exit: 1, code: 'YAML_ALIAS', pos: true }],
  ['alias-bomb-in-block', VALID.replace('x-persistence:\n', `x-persistence:\n  x-lol: &l0 [a, a, a, a, a, a, a, a, a, a]\n`) .replace('  services:\n    db:', '  x-l1: &l1 [*l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0]\n  x-l2: &l2 [*l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1]\n  x-l3: &l3 [*l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2]\n  x-l4: &l4 [*l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3]\n  services:\n    db:'), { exit: 1, code: 'YAML_ALIAS', pos: true }],
  ['merge-key-scalar', 'services:\n  db:\n    <<: 5\n    image: x\n' + VALID.slice(VALID.indexOf('\nx-persistence')), { exit: 1, pos: true }],
  ['block-is-alias', 'x-p: &p\n  services:\n    db:\n      pattern: volume\n      mounts: [/data]\nservices:\n  db:\n    image: x\nx-persistence: *p\n', { exit: 0 }],
  // Empty and comment-only.
  ['empty', '', { exit: 1, code: 'NOT_A_MAPPING' }],
  ['only-comments', '# a compose file\n# with nothing in it\n', { exit: 1, code: 'NOT_A_MAPPING' }],
  ['only-blank-lines', '\n\n   \n\n', { exit: 1, code: 'NOT_A_MAPPING' }],
  ['only-document-markers', '---\n...\n', { exit: 1, code: 'NOT_A_MAPPING' }],
  ['only-bom', '\ufeff', { exit: 1, code: 'NOT_A_MAPPING' }],
  // Several documents.
  ['two-documents', VALID + '---\n' + VALID, { exit: 1, code: 'YAML_MULTI_DOC', pos: true }],
  ['three-documents-leading-marker', '---\n' + VALID + '---\nservices: {}\n---\nfoo: bar\n', { exit: 1, code: 'YAML_MULTI_DOC', pos: true }],
  // Encodings and line ends that must WORK.
  ['bom-valid', '\ufeff' + VALID, { exit: 0 }],
  ['crlf-valid', VALID.replace(/\n/g, '\r\n'), { exit: 0 }],
  ['bom-crlf-valid', '\ufeff' + VALID.replace(/\n/g, '\r\n'), { exit: 0 }],
  ['no-final-newline-valid', VALID.replace(/\n$/, ''), { exit: 0 }],
  ['document-marker-valid', '---\n' + VALID + '...\n', { exit: 0 }],
  ['bom-in-the-middle', VALID.replace('x-persistence:', '\ufeffx-persistence:'), { exit: 1, pos: true }],
  // Numbers and tags.
  ['huge-number-top', withBlock(`services:\n  db:\n    image: postgres:16\n    x-n: ${'9'.repeat(5000)}\n    x-f: 1e400\n`), { exit: 0 }],
  ['huge-number-in-block', VALID.replace('      pattern: volume', `      pattern: ${'9'.repeat(400)}`), { exit: 1, code: 'SCHEMA_TYPE', pos: true }],
  ['binary-tag-in-block', VALID.replace('pattern: volume', 'pattern: !!binary dm9sdW1l'), { exit: 1, pos: true }],
  ['custom-tag-in-block', VALID.replace('pattern: volume', 'pattern: !Pattern volume'), { exit: 1, pos: true }],
  ['tag-on-block', VALID.replace('x-persistence:\n', 'x-persistence: !!seq\n'), { exit: 1, pos: true }],
  ['int-tag-on-word', VALID.replace('    image: postgres:16', '    image: postgres:16\n    x-port: !!int abc'), { exit: 1, pos: true }],
  ['complex-key', '? [a, b]\n: c\n' + VALID, { exit: 1, pos: true }],
  ['null-key', ': value\n' + VALID, { exit: 1, pos: true }],
  // Structure the block does not expect (valid YAML).
  ['services-is-list-with-block', VALID.replace('services:\n  db:\n    image: postgres:16\n', 'services:\n  - db\n'), { exit: 1, code: 'NOT_A_MAPPING', pos: true }],
  ['services-is-null-with-block', VALID.replace('services:\n  db:\n    image: postgres:16\n', 'services:\n'), { exit: 1, code: 'UNKNOWN_SERVICE', pos: true }],
  ['service-is-scalar-with-block', VALID.replace('  db:\n    image: postgres:16\n', '  db: postgres:16\n'), { exit: 1, pos: true }],
  ['block-is-scalar', 'services:\n  db:\n    image: x\nx-persistence: volume\n', { exit: 1, code: 'SCHEMA_TYPE', pos: true }],
  ['block-key-number', VALID.replace('    db:\n      pattern', '    42:\n      pattern'), { exit: 1, pos: true }],
  ['block-key-null', VALID.replace('    db:\n      pattern', '    ~:\n      pattern'), { exit: 1, pos: true }],
];

// ---- big or binary cases: generated into a temporary directory ----
const MiB = 1024 * 1024;
/** The tool's input limit (src/parse/parse.ts MAX_INPUT_BYTES). */
const LIMIT_MIB = 8;
export const GENERATED = [
  ['nul-byte', () => Buffer.from(VALID.replace('postgres:16', 'postgres\u0000:16')), { exit: 1, code: 'YAML_SYNTAX', pos: true }],
  ['nul-bytes-only', () => Buffer.alloc(4096), { exit: 1, code: 'YAML_SYNTAX' }],
  ['binary-garbage', () => {
    let x = 0x12345678;
    const b = Buffer.alloc(64 * 1024);
    for (let i = 0; i < b.length; i++) {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
      b[i] = x & 0xff;
    }
    return b;
  }, { exit: 1, code: 'YAML_SYNTAX' }],
  ['png-header', () => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(VALID)]), { exit: 1, code: 'YAML_SYNTAX' }],
  ['invalid-utf8', () => Buffer.concat([Buffer.from('services:\n  db:\n    image: caf'), Buffer.from([0xe9]), Buffer.from('\n')]), { exit: 1, code: 'YAML_SYNTAX' }],
  ['overlong-utf8', () => Buffer.concat([Buffer.from('services:\n  db:\n    image: '), Buffer.from([0xc0, 0xaf]), Buffer.from('\n')]), { exit: 1, code: 'YAML_SYNTAX' }],
  ['utf8-surrogate', () => Buffer.concat([Buffer.from('services:\n  db:\n    image: '), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('\n')]), { exit: 1, code: 'YAML_SYNTAX' }],
  ['utf16le-with-bom', () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(VALID, 'utf16le')]), { exit: 1, code: 'YAML_SYNTAX' }],
  ['huge-50mb', () => Buffer.from(VALID + `# ${'x'.repeat(78)}\n`.repeat((50 * MiB) / 81)), { exit: 1, code: 'FILE_TOO_LARGE' }],
  ['just-over-limit', () => Buffer.from(VALID + `# ${'x'.repeat(78)}\n`.repeat(Math.ceil((LIMIT_MIB * MiB) / 81) + 10)), { exit: 1, code: 'FILE_TOO_LARGE' }],
  ['near-limit-comments-valid', () => Buffer.from(VALID + `# ${'x'.repeat(78)}\n`.repeat(Math.floor(((LIMIT_MIB - 0.5) * MiB) / 81))), { exit: 0 }],
  ['near-limit-labels', () => {
    // Just under the limit of real mapping content: a label per line.
    const lines = [];
    let size = 0;
    for (let i = 0; size < (LIMIT_MIB - 0.5) * MiB; i++) {
      const l = `      com.example.label${i}: "${'v'.repeat(40)}"\n`;
      lines.push(l);
      size += l.length;
    }
    return Buffer.from(`services:\n  db:\n    image: postgres:16\n    labels:\n${lines.join('')}\nx-persistence:\n  services:\n    db:\n      pattern: volum\n      mounts: [/var/lib/postgresql/data]\n`);
  }, { exit: 1, code: 'UNKNOWN_PATTERN', pos: true }],
  ['deep-flow-seq-10000', () => Buffer.from('services:\n  db:\n    image: x\n    x-deep: ' + '['.repeat(10000) + ']'.repeat(10000) + '\n'), { exit: 1 }],
  ['deep-flow-seq-unclosed-10000', () => Buffer.from('services: ' + '['.repeat(10000) + '\n'), { exit: 1, code: 'YAML_SYNTAX', pos: true }],
  ['deep-flow-map-10000', () => Buffer.from('services:\n  db:\n    image: x\n    x-deep: ' + '{a: '.repeat(10000) + '1' + '}'.repeat(10000) + '\n'), { exit: 1 }],
  ['deep-block-seq-10000', () => Buffer.from('services:\n  db:\n    image: x\n    x-deep:\n' + Array.from({ length: 10000 }, (_, i) => `${' '.repeat(6)}${'- '.repeat(i + 1)}`).slice(-1)[0] + 'x\n'), { exit: 1 }],
  ['deep-block-map-2000', () => Buffer.from('services:\n  db:\n    image: x\n    x-deep:\n' + Array.from({ length: 2000 }, (_, i) => `${' '.repeat(6 + i)}k${i}:\n`).join('') + `${' '.repeat(6 + 2000)}v\n`), { exit: 1 }],
  ['deep-in-block-10000', () => Buffer.from(VALID.replace('mounts: [/var/lib/postgresql/data]', `mounts: ${'['.repeat(10000)}${']'.repeat(10000)}`)), { exit: 1, pos: true }],
  ['long-line-valid', () => Buffer.from(VALID.replace('    image: postgres:16\n', `    image: postgres:16\n    labels:\n      com.example.long: "${'x'.repeat(4 * MiB)}"\n`)), { exit: 0 }],
  ['long-line-in-block', () => Buffer.from(VALID.replace('[/var/lib/postgresql/data]', `[/${'a'.repeat(4 * MiB)}]`)), { exit: 1, pos: true }],
  ['long-key', () => Buffer.from(VALID.replace('x-persistence:\n  services:', `x-persistence:\n  ${'k'.repeat(1 * MiB)}: 1\n  services:`)), { exit: 1, code: 'YAML_SYNTAX', pos: true }],
  ['long-unclosed-quote', () => Buffer.from('services:\n  db:\n    image: "' + 'x'.repeat(6 * MiB) + '\n'), { exit: 1, code: 'YAML_SYNTAX', pos: true }],
  ['many-syntax-errors', () => Buffer.from('services:\n' + '  db: : : x\n  "open\n'.repeat(20000)), { exit: 1, code: 'YAML_SYNTAX', pos: true }],
  ['many-duplicate-keys', () => Buffer.from('services:\n  db:\n' + '    image: x\n'.repeat(100000)), { exit: 1, code: 'YAML_DUPLICATE_KEY', pos: true }],
  ['many-documents', () => Buffer.from((VALID + '---\n').repeat(20000)), { exit: 1, code: 'YAML_MULTI_DOC', pos: true }],
  ['many-services-in-block', () => {
    const n = 20000;
    const svc = Array.from({ length: n }, (_, i) => `  s${i}:\n    image: x\n`).join('');
    const blk = Array.from({ length: n }, (_, i) => `    s${i}:\n      pattern: volum\n      mounts: [/d]\n`).join('');
    return Buffer.from(`services:\n${svc}x-persistence:\n  services:\n${blk}`);
  }, { exit: 1, code: 'UNKNOWN_PATTERN', pos: true }],
  ['alias-bomb-billion-laughs', () => Buffer.from(billionLaughs(10, 10) + VALID), { exit: 1, code: 'YAML_ALIAS', pos: true }],
  ['alias-bomb-wide', () => Buffer.from(`x-a: &a [${'x, '.repeat(2000)}x]\nx-b: [${'*a, '.repeat(2000)}*a]\n` + VALID), { exit: 1, code: 'YAML_ALIAS', pos: true }],
  ['alias-bomb-in-merge', () => {
    let s = 'x-m0: &m0 {k: v}\n';
    for (let i = 1; i <= 12; i++) s += `x-m${i}: &m${i}\n  <<: [${Array.from({ length: 8 }, () => `*m${i - 1}`).join(', ')}]\n  k${i}: v\n`;
    return Buffer.from(s + VALID.replace('    image: postgres:16\n', '    image: postgres:16\n    x-all: *m12\n'));
  }, { exit: 1, code: 'YAML_ALIAS', pos: true }],
  ['many-anchors', () => Buffer.from('services:\n  db:\n    image: x\n' + Array.from({ length: 50000 }, (_, i) => `x-a${i}: &a${i} ${i}\n`).join('') + '\nx-persistence:\n  services:\n    db:\n      pattern: volum\n      mounts: [/d]\n'), { exit: 1, code: 'UNKNOWN_PATTERN', pos: true }],
];

export const CASES = [
  ...SMALL.map(([name, , expect]) => ({ name: `${name}.yaml`, committed: true, expect })),
  ...GENERATED.map(([name, , expect]) => ({ name: `${name}.yaml`, committed: false, expect })),
];

export function writeSmall(dir = join(HERE, 'files')) {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of SMALL) writeFileSync(join(dir, `${name}.yaml`), text);
}

export function writeGenerated(dir) {
  mkdirSync(dir, { recursive: true });
  for (const [name, make] of GENERATED) writeFileSync(join(dir, `${name}.yaml`), make());
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = process.argv[2];
  if (arg === '--small') writeSmall();
  else if (arg) writeGenerated(arg);
  else {
    console.error('usage: make-corpus.mjs --small | DIR');
    process.exit(2);
  }
}
