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
import { findPair, positionOf } from '../yaml/positions.js';
import { didYouMean } from './suggest.js';

export const BLOCK_KEYS = ['x-persistence', 'persistence'] as const;
const MAX_SCHEMA_ERRORS = 20;

/** The block of one file, or undefined when it has none. */
export function findBlock(src: SourceDoc): StageResult<BlockInfo | undefined> {
  const present = BLOCK_KEYS.filter((k) => findPair(src.doc.contents, k));
  if (present.length === 2) {
    const pos = positionOf(src.doc, src.lineCounter, ['persistence'], true);
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
  if (!key) return { value: undefined, diagnostics: [] };
  const data: unknown = src.doc.get(key, false);
  const block: unknown = data && typeof data === 'object' && 'toJSON' in data ? (data as { toJSON(): unknown }).toJSON() : data;
  const diagnostics = schemaDiagnostics(src, key, block ?? {});
  if (diagnostics.length > 0) return { diagnostics };
  return { value: { key, file: src.file, block: (block ?? {}) as PersistenceInput }, diagnostics: [] };
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

/** Drop the noise of oneOf: keep the branch that matches the value's type. */
function simplify(errors: readonly ErrorObject[], data: unknown): ErrorObject[] {
  const oneOfPaths = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  let out = errors.filter((e) => e.keyword !== 'oneOf' || !errors.some((o) => o !== e && o.instancePath.startsWith(e.instancePath) && o.keyword !== 'oneOf'));
  for (const p of oneOfPaths) {
    const typeErrors = out.filter((e) => e.instancePath === p && e.keyword === 'type');
    if (typeErrors.length === 0) continue;
    const actual = jsonType(valueAtPointer(data, p));
    const expected = typeErrors.flatMap((e) => String((e.params as { type: string | string[] }).type).split(','));
    if (expected.includes(actual) || (actual === 'integer' && expected.includes('number'))) {
      out = out.filter((e) => !typeErrors.includes(e));
    } else {
      const merged: ErrorObject = { ...typeErrors[0]!, params: { type: [...new Set(expected)].join(',') } };
      out = [merged, ...out.filter((e) => e.instancePath !== p)];
    }
  }
  // One message per place and keyword is enough.
  const seen = new Set<string>();
  return out.filter((e) => {
    const k = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function toDiagnostic(src: SourceDoc, key: string, block: unknown, e: ErrorObject): Diagnostic {
  const d = describe(e, block);
  const path: YamlPath = [key, ...d.path];
  const pos = positionOf(src.doc, src.lineCounter, path, d.atKey);
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

function describe(e: ErrorObject, block: unknown): Described {
  const path = pointerToPath(block, e.instancePath);
  const where = `${pathLabel(path)}`;
  const value = valueAtPointer(block, e.instancePath);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const extra = String(p.additionalProperty);
      const allowed = allowedKeys(e.schemaPath);
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
        hint: typeof value === 'string' ? didYouMean(value, (p.allowedValues as unknown[]).map(String)) : undefined,
      };
    }
    case 'const':
      return { path, atKey: false, code: 'SCHEMA_ENUM', message: `${where} is ${show(value)}; expected ${JSON.stringify(p.allowedValue)}` };
    case 'type':
      return { path, atKey: false, code: 'SCHEMA_TYPE', message: `${where} is ${typeLabel(jsonType(value))}; expected ${String(p.type).split(',').map(typeLabel).join(' or ')}` };
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
      return { path, atKey: false, code: 'SCHEMA_FORMAT', message: `${where} is ${show(value)}; ${patternMeaning(e.schemaPath, String(p.pattern))}` };
    case 'propertyNames': {
      const name = String(p.propertyName);
      return { path: [...path, name], atKey: true, code: 'SCHEMA_FORMAT', message: `the name ${JSON.stringify(name)} in ${where} must start with a letter or digit and hold only letters, digits, "_", "." and "-" (at most 63)` };
    }
    case 'minLength':
    case 'maxLength':
    case 'minimum':
    case 'maximum':
    case 'minItems':
      return { path, atKey: false, code: 'SCHEMA_RANGE', message: `${where} ${e.message ?? 'is out of range'}` };
    default:
      return { path, atKey: false, code: 'SCHEMA_FORMAT', message: `${where} ${e.message ?? 'is not valid'}` };
  }
}

function patternMeaning(schemaPath: string, pattern: string): string {
  if (schemaPath.includes('/owner/')) return 'owner must be "uid:gid" in numbers, e.g. "1000:1000"';
  if (schemaPath.includes('/patternName/')) return 'a pattern name is lower-case letters, digits and "-"';
  if (schemaPath.includes('/name/')) return 'a name must start with a letter or digit and hold only letters, digits, "_", "." and "-"';
  if (schemaPath.includes('/version/')) return 'expected a version number such as "3.0"';
  return `expected a value matching ${pattern}`;
}

/** Keys a mapping admits, read from the schema at the error's schemaPath. */
function allowedKeys(schemaPath: string): string[] {
  let node: unknown = persistenceSchema;
  for (const seg of schemaPath.replace(/^#\//, '').split('/').slice(0, -1)) {
    if (!node || typeof node !== 'object') return [];
    node = (node as Record<string, unknown>)[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  const props = node && typeof node === 'object' ? (node as { properties?: object }).properties : undefined;
  return props ? Object.keys(props) : [];
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

function pathLabel(path: YamlPath): string {
  let out = 'x-persistence';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : /^[A-Za-z0-9_-]+$/.test(seg) ? `.${seg}` : `[${JSON.stringify(seg)}]`;
  return out;
}

export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (Number.isInteger(v)) return 'integer';
  return typeof v;
}

function typeLabel(t: string): string {
  return ({ object: 'a mapping', array: 'a list', string: 'a string', number: 'a number', integer: 'an integer', boolean: 'true or false', null: 'empty (null)' } as Record<string, string>)[t] ?? t;
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (v === null || v === undefined) return 'empty';
  if (typeof v === 'object') return typeLabel(jsonType(v));
  return String(v);
}
