/**
 * Stage 2, validate: find the persistence block and check it against
 * schemas/persistence.schema.json (ajv, compiled at build time). Errors are
 * rewritten for people and placed at the key or value they are about.
 */
import type { ErrorObject } from 'ajv';
import validatePersistence from '../generated/persistence-validator.js';
import persistenceSchema from '../generated/persistence-schema.js';
import type { Diagnostic, StageResult, YamlPath } from '../diagnostics.js';
import type { BlockInfo, PersistenceInput } from '../model.js';
import type { SourceDoc } from '../parse/parse.js';
import { didYouMean } from './suggest.js';
import { isMap, isScalar } from 'yaml';
import { linePosIn } from '../yaml/source-index.js';

/** Keys whose values are credentials: never echoed in a message or hint. */
const CREDENTIAL_KEY = /pass|secret|token|credential|private|auth|api.?key|access.?key|^key$/i;

export const BLOCK_KEYS = ['x-persistence', 'persistence'] as const;
const MAX_SCHEMA_ERRORS = 20;

/** The block of one file, or undefined when it has none. */
export function findBlock(src: SourceDoc): StageResult<BlockInfo | undefined> {
  const present = BLOCK_KEYS.filter((k) => src.hasTopKey(k));
  if (present.length === 2) {
    const pos = src.positionOf(['persistence'], true);
    return {
      diagnostics: [
        {
          code: 'BOTH_BLOCKS', severity: 'error', file: src.file, path: ['persistence'], ...pos,
          message: 'the file has both x-persistence: and persistence:; keep one (x-persistence: keeps the source valid Compose)',
        },
      ],
    };
  }
  const key = present[0];
  if (!key) return { value: undefined, diagnostics: mergedBlock(src) };
  // From the document's data: an aliased block (x-persistence: *p) is its anchor's value.
  const block: unknown = (src.data as Record<string, unknown> | null)?.[key];
  const diagnostics = schemaDiagnostics(src, key, block ?? {});
  if (diagnostics.length > 0) return { diagnostics };
  return { value: { key, file: src.file, block: (block ?? {}) as PersistenceInput }, diagnostics: [] };
}

/**
 * A block that only a top-level `<<` brings in (`<<: *base` whose anchor holds x-persistence:)
 * is refused where the `<<` is: the block must not reach the output, and one merged in from an
 * anchor cannot be removed without changing what the anchor means elsewhere.
 */
function mergedBlock(src: SourceDoc): Diagnostic[] {
  const data = src.data as Record<string, unknown> | null;
  const key = BLOCK_KEYS.find((k) => data !== null && typeof data === 'object' && Object.hasOwn(data, k));
  if (!key) return [];
  const root = src.doc.contents;
  const merge = isMap(root) ? root.items.find((p) => isScalar(p.key) && (p.key.value === '<<' || (typeof p.key.value === 'symbol' && p.key.value.description === '<<'))) : undefined;
  const offset = merge && isScalar(merge.key) ? merge.key.range?.[0] : undefined;
  const pos = offset === undefined ? undefined : linePosIn(src.text, offset);
  return [{
    code: 'BLOCK_MERGED', severity: 'error', file: src.file, path: ['<<'], ...(pos ?? {}),
    message: `${key}: comes in only through this merge key (<<); a merged-in block is not read`,
    hint: `write ${key}: at the top level of the file itself`,
  }];
}

function schemaDiagnostics(src: SourceDoc, key: string, block: unknown): Diagnostic[] {
  if (validatePersistence(block)) return [];
  const errors = simplify(validatePersistence.errors ?? [], block);
  return errors.slice(0, MAX_SCHEMA_ERRORS).map((e) => toDiagnostic(src, key, block, e));
}

// ---- error rewriting ----

interface Described {
  path: YamlPath;
  atKey: boolean;
  code: Diagnostic['code'];
  message: string;
  hint?: string;
}

/** Types a oneOf branch accepts ($ref resolved against the block schema). */
function branchTypes(branch: unknown): string[] {
  let b = branch as { $ref?: string; type?: string | string[] };
  if (b?.$ref) b = resolveRef(b.$ref) as typeof b;
  const t = b?.type;
  return t === undefined ? ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'] : Array.isArray(t) ? t : [t];
}

function resolveRef(ref: string): unknown {
  let node: unknown = persistenceSchema;
  for (const seg of ref.replace(/^#\//, '').split('/')) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
  return node;
}

/**
 * Drop the noise of oneOf: when the value's type matches a branch, only that
 * branch's errors are about it; when it matches none, one type error says
 * what the branches accept.
 */
function simplify(errors: readonly ErrorObject[], data: unknown): ErrorObject[] {
  let out = [...errors];
  for (const oneOf of errors.filter((e) => e.keyword === 'oneOf')) {
    const p = oneOf.instancePath;
    const branches = (oneOf.schema as unknown[]) ?? [];
    const actual = jsonType(valueAtPointer(data, p));
    const accepted = branches.map(branchTypes);
    const matching = accepted.some((types) => types.includes(actual) || (actual === 'integer' && types.includes('number')));
    const here = (e: ErrorObject): boolean => e.instancePath === p && e.keyword === 'type';
    if (matching) {
      out = out.filter((e) => e !== oneOf && !here(e));
    } else {
      const merged: ErrorObject = { ...oneOf, keyword: 'type', params: { type: [...new Set(accepted.flat())].join(',') } };
      out = [merged, ...out.filter((e) => e !== oneOf && !(e.instancePath === p || e.instancePath.startsWith(`${p}/`)))];
    }
  }
  // propertyNames reports the inner failure (pattern, maxLength) too: the outer one says it all.
  out = out.filter((e) => e.keyword === 'propertyNames' || (e as { propertyName?: string }).propertyName === undefined);
  // The discriminator repeats a missing or mistyped `type`: keep the plainer error.
  out = out.filter(
    (e) => e.keyword !== 'discriminator' || !out.some((o) => o !== e && ((o.instancePath === e.instancePath && o.keyword === 'required') || o.instancePath === `${e.instancePath}/type`)),
  );
  // A required-key error and an unknown key on the same mapping usually are one typo:
  // keep both (the unknown key gets the did-you-mean). One message per place and keyword.
  const seen = new Set<string>();
  return out.filter((e) => {
    const k = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function toDiagnostic(src: SourceDoc, key: string, block: unknown, e: ErrorObject): Diagnostic {
  const d = describe(e, block, key);
  const path: YamlPath = [key, ...d.path];
  const pos = src.positionOf(path, d.atKey);
  return {
    code: d.code,
    severity: 'error',
    message: d.message,
    ...(d.hint ? { hint: d.hint } : {}),
    file: src.file,
    path,
    ...pos,
  };
}

function describe(e: ErrorObject, block: unknown, blockKey: string): Described {
  const path = pointerToPath(block, e.instancePath);
  const where = pathLabel(blockKey, path);
  // A value under a credential-like key is never repeated in a message or hint: the field is named instead.
  const named = [...path].reverse().find((k) => typeof k === 'string');
  const secret = typeof named === 'string' && CREDENTIAL_KEY.test(named);
  const value = valueAtPointer(block, e.instancePath);
  const show = (v: unknown): string => (secret ? 'a value not shown here (a credential field)' : showValue(v));
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const extra = String(p.additionalProperty);
      const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return {
        path: [...path, extra], atKey: true, code: 'SCHEMA_UNKNOWN_KEY',
        message: `unknown key "${extra}" in ${where}; expected one of: ${allowed.join(', ')}`,
        hint: didYouMean(extra, allowed),
      };
    }
    case 'required':
      return { path, atKey: true, code: 'SCHEMA_REQUIRED', message: `${where} needs the key "${String(p.missingProperty)}"` };
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map((v) => JSON.stringify(v));
      return {
        path, atKey: false, code: 'SCHEMA_ENUM',
        message: `${where} is ${show(value)}; expected one of ${allowed.join(', ')}`,
        hint: typeof value === 'string' && !secret ? didYouMean(value, (p.allowedValues as unknown[]).map(String)) : undefined,
      };
    }
    case 'const':
      return { path, atKey: false, code: 'SCHEMA_ENUM', message: `${where} is ${show(value)}; expected ${JSON.stringify(p.allowedValue)}` };
    case 'type': {
      const expected = [...new Set(String(p.type).split(',').map(typeLabel))].join(' or ');
      const last = path[path.length - 1];
      const hint = last === 'owner' ? 'quote it: owner: "1000:1000" (uid:gid)' : typeof value === 'number' && expected.includes('string') ? (secret ? `quote the value of ${String(last)} (a credential: better "\${VAR}")` : `quote it: "${String(value)}"`) : undefined;
      return { path, atKey: false, code: 'SCHEMA_TYPE', message: `${where} is ${typeLabel(jsonType(value))}; expected ${expected}`, hint };
    }
    case 'discriminator': {
      const kinds = ['nfs', 'cifs', 'hostpath', 'plugin'];
      if (p.error === 'tag' && value && typeof value === 'object' && 'type' in value) {
        return { path: [...path, 'type'], atKey: false, code: 'SCHEMA_TYPE', message: `${where}.type must be a string, one of ${kinds.join(', ')}` };
      }
      if (p.error === 'tag') return { path, atKey: true, code: 'SCHEMA_REQUIRED', message: `${where} needs the key "type" (one of ${kinds.join(', ')})` };
      const tag = String(p.tagValue);
      return {
        path: [...path, 'type'], atKey: false, code: 'SCHEMA_ENUM',
        message: `${where}.type is "${tag}"; expected one of ${kinds.map((k) => `"${k}"`).join(', ')}`,
        hint: didYouMean(tag, kinds),
      };
    }
    case 'pattern':
      return { path, atKey: false, code: 'SCHEMA_FORMAT', message: `${where} is ${show(value)}; ${patternMeaning(String(p.pattern))}` };
    case 'propertyNames': {
      const name = String(p.propertyName);
      const shown = name.length > 40 ? `${name.slice(0, 37)}...` : name;
      if ((e.schema as { $ref?: string } | undefined)?.$ref === '#/definitions/optionKey') {
        return { path: [...path, name], atKey: true, code: 'SCHEMA_RANGE', message: `the option name ${JSON.stringify(shown)} in ${where} is ${name.length === 0 ? 'empty' : `${name.length} characters`}; an option name has 1 to 256` };
      }
      return { path: [...path, name], atKey: true, code: 'SCHEMA_FORMAT', message: `the name ${JSON.stringify(shown)} in ${where} is not valid: ${BLOCK_NAME_RULE}` };
    }
    case 'minLength':
      return { path, atKey: false, code: 'SCHEMA_RANGE', message: `${where} is empty; expected at least ${String(p.limit)} character(s)` };
    case 'maxLength':
      return { path, atKey: false, code: 'SCHEMA_RANGE', message: `${where} is too long: at most ${String(p.limit)} characters` };
    case 'minimum':
    case 'maximum':
    case 'minItems':
      return { path, atKey: false, code: 'SCHEMA_RANGE', message: `${where} is out of range (${e.message ?? ''})` };
    default:
      return { path, atKey: false, code: 'SCHEMA_FORMAT', message: `${where} ${e.message ?? 'is not valid'}` };
  }
}

/** The block's rule for the names it lists (services, back-ends): the schema's definitions.name. */
const NAME_DEF = (persistenceSchema as { definitions: { name: { pattern: string; maxLength: number } } }).definitions.name;
const BLOCK_NAME = new RegExp(NAME_DEF.pattern, 'u');
/** The longest name the block lists (generated names are cut to fit it). */
export const BLOCK_NAME_MAX_LENGTH = NAME_DEF.maxLength;
/** That rule in words. */
export const BLOCK_NAME_RULE = `a name starts with a letter or digit, holds only letters, digits, "_", "." and "-", and has at most ${BLOCK_NAME_MAX_LENGTH} characters`;

/**
 * Whether x-persistence can list this name. Compose takes more service names (`_db`, `.cache`):
 * the checks that tell the user to list a service, and init, ask this first.
 */
export function isBlockName(name: string): boolean {
  return name.length <= BLOCK_NAME_MAX_LENGTH && BLOCK_NAME.test(name);
}

/** What each pattern of the schema means, in words (keyed by the regular expression). */
function patternMeaning(pattern: string): string {
  const defs = (persistenceSchema as { definitions: Record<string, { pattern?: string }> }).definitions;
  const plugin = defs.driverName?.pattern;
  const cifsVersion = (defs.cifsBackend as unknown as { properties: { version: { pattern: string } } }).properties.version.pattern;
  const meanings: [string | undefined, string][] = [
    [defs.owner?.pattern, 'owner must be "uid:gid" in numbers, e.g. "1000:1000"'],
    [defs.patternName?.pattern, 'a pattern name is lower-case letters, digits and "-"'],
    [defs.name?.pattern, 'a name starts with a letter or digit and holds only letters, digits, "_", "." and "-"'],
    [plugin, 'a driver name is letters, digits and "_./:-" (e.g. rexray/ebs), or a ${VAR} reference'],
    [cifsVersion, 'expected a version number such as "3.0"'],
  ];
  return meanings.find(([re]) => re === pattern)?.[1] ?? `expected a value matching ${pattern}`;
}

export function pointerToPath(data: unknown, pointer: string): YamlPath {
  if (!pointer) return [];
  const out: (string | number)[] = [];
  let node = data;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      out.push(Number(seg));
      node = node[Number(seg)];
    } else {
      out.push(seg);
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

function valueAtPointer(data: unknown, pointer: string): unknown {
  let node = data;
  for (const raw of pointer ? pointer.split('/').slice(1) : []) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
  }
  return node;
}

function pathLabel(blockKey: string, path: YamlPath): string {
  let out = blockKey;
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : /^[A-Za-z0-9_-]+$/.test(seg) ? `.${seg}` : `[${JSON.stringify(seg)}]`;
  return out;
}

export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof Uint8Array) return 'binary';
  if (Array.isArray(v)) return 'array';
  if (Number.isInteger(v)) return 'integer';
  return typeof v;
}

function typeLabel(t: string): string {
  return ({ object: 'a mapping', array: 'a list', string: 'a string', number: 'a number', integer: 'an integer', boolean: 'true or false', null: 'empty (null)', binary: 'binary data (!!binary)' } as Record<string, string>)[t] ?? t;
}

function showValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (v === null || v === undefined) return 'empty';
  if (typeof v === 'object') return typeLabel(jsonType(v));
  return String(v);
}
