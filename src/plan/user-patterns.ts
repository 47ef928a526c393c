/**
 * User-defined patterns: `<name>.yaml.hbs` files in a directory, each with a
 * YAML header between two `---` lines declaring its level and parameters.
 * They join the pattern table and are checked like the built-in ones; the
 * template lays out the same ServicePlan (plus `params`).
 */
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, normalize, relative, resolve as resolvePath, sep } from 'node:path';
import { parseDocument } from 'yaml';
import validateHeader from '../generated/pattern-validator.js';
import type { Diagnostic, YamlPath } from '../diagnostics.js';
import type { BlockInfo, Level, ResolvedSpec } from '../model.js';
import { BUILTIN_TABLE, type PatternDef, type SwarmSupport } from '../patterns/index.js';
import { pointerToPath } from '../validate/validate.js';
import { documentIndex } from '../yaml/positions.js';
import { LineIndex, positionIn, type LinePos } from '../yaml/source-index.js';
import { checkUserTemplate } from '../patterns/template-check.js';
import { templateSpecs } from '../generated/templates.js';
import { MAX_PATTERN_INPUT, regexProblem as regexSafety, schemaRegexes } from './safe-regex.js';

export interface PatternSource {
  /** File name as shown in messages. */
  file: string;
  text: string;
}

export interface UserPattern {
  def: PatternDef;
  /** The template file, as shown in messages. */
  file: string;
  template: string;
  /** JSON Schema of params:, when the pattern declares parameters. */
  parameters?: Record<string, unknown>;
  /** The parameters hold regexes (pattern:): the strings of params: are then at most MAX_PATTERN_INPUT long. */
  regexes?: boolean;
}

interface Header {
  level: Level;
  summary: string;
  mounts?: 'required' | 'none';
  swarm?: SwarmSupport;
  parameters?: Record<string, unknown>;
}

const NAME = /^([a-z][a-z0-9-]*)\.yaml\.hbs$/;

export function parseUserPattern(src: PatternSource, builtinNames: ReadonlySet<string>): { value?: UserPattern; diagnostics: Diagnostic[] } {
  const fail = (message: string, line = 1, col = 1): { diagnostics: Diagnostic[] } => ({
    diagnostics: [{ code: 'PATTERN_DEFINITION', severity: 'error', file: src.file, path: [], line, col, message }],
  });
  const base = src.file.split(/[\\/]/).pop() ?? src.file;
  const name = NAME.exec(base)?.[1];
  if (!name) return fail(`a pattern file is named <name>.yaml.hbs with a lower-case name, e.g. inhouse-ssd.yaml.hbs`);
  if (builtinNames.has(name)) return fail(`"${name}" is a built-in pattern; give the user pattern another name`);
  const m = /^(---\r?\n[\s\S]*?)\r?\n---\r?\n([\s\S]*)$/.exec(src.text);
  if (!m) return fail('a pattern file starts with a YAML header between two --- lines (level:, summary:, parameters:)');
  // The header is read where it is in the file (after its opening ---), so every offset is the
  // file's and becomes line:col in one LineIndex of the whole file.
  const lines = LineIndex.ofText(src.text);
  const doc = parseDocument(m[1]!, { prettyErrors: false, logLevel: 'error' });
  const index = documentIndex(doc, lines);
  const at = (path: YamlPath, preferKey: boolean): LinePos => positionIn(index, path, preferKey) ?? { line: 1, col: 1 };
  if (doc.errors.length) {
    const pos = lines.linePos(doc.errors[0]!.pos[0]);
    return fail(`the header is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`, pos.line, pos.col);
  }
  const header = doc.toJS() as unknown;
  if (!validateHeader(header)) {
    const e = validateHeader.errors![0]!;
    const extra = (e.params as { additionalProperty?: string }).additionalProperty;
    const path = [...pointerToPath(header, e.instancePath), ...(extra ? [extra] : [])];
    const pos = at(path, Boolean(extra));
    const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues;
    const what = extra
      ? `has the unknown key "${extra}"; expected level, summary, mounts, swarm, parameters`
      : allowed ? `must be one of ${allowed.join(', ')}` : e.message ?? 'is invalid';
    return fail(`header ${path.join('.') || 'mapping'} ${what}`, pos.line, pos.col);
  }
  const h = header as Header;
  if (h.parameters) {
    const bad = parametersProblem(h.parameters);
    if (bad) {
      const pos = at(['parameters', ...bad.path], bad.atKey);
      return fail(`header parameters${bad.path.length ? `.${bad.path.join('.')}` : ''} ${bad.message}`, pos.line, pos.col);
    }
  }
  // A parameter regex runs on values from the file: refused unless its backtracking is bounded (safe-regex.ts).
  const regexes = schemaRegexes(h.parameters ?? {}, ['parameters']);
  for (const r of regexes) {
    const why = regexSafety(r.source);
    if (!why) continue;
    const pos = at(r.path, r.path[r.path.length - 2] === 'patternProperties');
    return fail(`header ${r.path.join('.')}: the regex ${JSON.stringify(r.source)} ${why}`, pos.line, pos.col);
  }
  // Template lines count from the file's first line: the header and its two --- lines come first.
  const offset = lines.linePos(src.text.length - m[2]!.length).line - 1;
  const problems = checkUserTemplate(m[2]!, new Set(Object.keys(templateSpecs).filter((k) => k.startsWith('_'))));
  if (problems.length) {
    return { diagnostics: problems.map((p) => ({ code: 'PATTERN_DEFINITION', severity: 'error', file: src.file, path: [], line: p.line + offset, col: p.col, message: p.message })) };
  }
  const def: PatternDef = {
    name,
    seedName: '(user-defined)',
    level: h.level,
    summary: h.summary,
    needsMounts: (h.mounts ?? 'required') === 'required',
    keys: ['mounts', 'params', 'image', 'node'],
    mountKeys: ['name', 'read_only'],
    swarm: h.swarm ?? 'ok',
    template: m[2]!,
    userDefined: true,
    // No plan hook: its template lays out a named volume per mount (or nothing, without mounts).
  };
  return { value: { def, file: src.file, template: m[2]!, ...(h.parameters ? { parameters: h.parameters } : {}), ...(regexes.length ? { regexes: true } : {}) }, diagnostics: [] };
}

/** What the build's options say about user patterns (BuildOptions in src/pipeline.ts). */
export interface UserPatternOptions {
  /** Directory of user-defined patterns (overrides the block's patterns:). */
  patternsDir?: string;
  /** A pattern directory outside the project is an error (as safe-paths: true). */
  safePaths?: boolean;
  /** Reads a pattern directory: the caller's file system access (the CLI's). */
  loadPatterns?: (dir: string) => PatternSource[];
}

/**
 * The user patterns of a block: its patterns: directory (or --patterns), read through the
 * caller's loadPatterns and parsed; outside the project a warning, an error under safe-paths.
 */
export function loadUserPatterns(block: BlockInfo, options: UserPatternOptions): { patterns: UserPattern[]; diagnostics: Diagnostic[] } {
  const placed = patternsDirOf(block, options);
  if (placed === undefined) return { patterns: [], diagnostics: [] };
  const { dir } = placed;
  if (placed.outside) {
    // A template is code the build runs: from outside the project only when safe-paths allows it.
    const strict = options.safePaths === true || block.block['safe-paths'] === true;
    const outside: Diagnostic = {
      code: 'UNSAFE_PATH', severity: strict ? 'error' : 'warning', file: block.file, path: [block.key, 'patterns'],
      message: `the pattern directory ${JSON.stringify(block.block.patterns)} (${dir}) is outside the project directory ${dirname(block.file)}`,
      ...(strict ? {} : { hint: 'safe-paths: true makes this an error' }),
    };
    if (strict) return { patterns: [], diagnostics: [outside] };
    return withDiagnostic(loadFrom(dir, block, options), outside);
  }
  return loadFrom(dir, block, options);
}

const withDiagnostic = (r: { patterns: UserPattern[]; diagnostics: Diagnostic[] }, d: Diagnostic): { patterns: UserPattern[]; diagnostics: Diagnostic[] } => ({ patterns: r.patterns, diagnostics: [d, ...r.diagnostics] });

/**
 * The pattern directory: --patterns as given; the block's patterns: relative to the source
 * file's directory, or an absolute path as written. `outside`: the block's directory is not
 * the project directory (the source's) or below it (checked on the normalised path).
 */
export function patternsDirOf(block: BlockInfo, options: Pick<UserPatternOptions, 'patternsDir'>): { dir: string; outside: boolean } | undefined {
  if (options.patternsDir !== undefined) return { dir: options.patternsDir, outside: false };
  const given = block.block.patterns;
  if (given === undefined) return undefined;
  const project = dirname(block.file);
  const dir = isAbsolute(given) ? normalize(given) : join(project, given);
  const rel = relative(resolvePath(project), resolvePath(dir));
  return { dir, outside: rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel) };
}

function loadFrom(dir: string, block: BlockInfo, options: UserPatternOptions): { patterns: UserPattern[]; diagnostics: Diagnostic[] } {
  if (!options.loadPatterns) {
    return { patterns: [], diagnostics: [{ code: 'PATTERN_DEFINITION', severity: 'error', file: block.file, path: [block.key, 'patterns'], message: `user patterns in ${dir} cannot be read here: the caller gave no loadPatterns` }] };
  }
  const diagnostics: Diagnostic[] = [];
  const patterns: UserPattern[] = [];
  const builtin = new Set(BUILTIN_TABLE.keys());
  let sources: PatternSource[];
  try {
    sources = options.loadPatterns(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'ENOTDIR' ? 'it is not a directory' : code === 'EACCES' ? 'permission denied' : e instanceof Error ? e.message : String(e);
    return { patterns, diagnostics: [{ code: 'PATTERN_DEFINITION', severity: 'error', file: block.file, path: [block.key, 'patterns'], message: `the pattern directory ${dir} cannot be read: ${why}` }] };
  }
  for (const src of sources) {
    const r = parseUserPattern(src, builtin);
    diagnostics.push(...r.diagnostics);
    if (r.value) patterns.push(r.value);
  }
  return { patterns, diagnostics };
}

type AjvClass = typeof import('ajv').default;
// ajv is required on use (a user pattern with parameters), and so is the require function: made at load, it cost every run 0.2 ms.
const ajvClass = (): AjvClass => (createRequire(import.meta.url)('ajv') as { default: AjvClass }).default;
/** One configuration for the check of the header and for params: (no logger: nothing printed). */
const newAjv = (): InstanceType<AjvClass> => new (ajvClass())({ allErrors: false, strict: false, logger: false });

/**
 * Why the header's parameters: is not a JSON Schema that can be compiled (an invalid schema,
 * a regular expression that does not compile, a $ref that leads nowhere), with the path of
 * the offending value inside parameters:.
 */
function parametersProblem(schema: Record<string, unknown>): { path: readonly (string | number)[]; atKey: boolean; message: string } | undefined {
  // Regular expressions and $refs first: they can be pointed at exactly.
  const found = walkSchema(schema, schema, []);
  if (found) return found;
  const ajv = newAjv();
  if (!ajv.validateSchema(schema)) {
    const e = ajv.errors![0]!;
    const path = pointerToPath(schema, e.instancePath);
    return { path, atKey: false, message: `is not a valid JSON Schema: ${e.instancePath ? '' : 'the schema '}${e.message ?? 'is invalid'}` };
  }
  try {
    ajv.compile(schema);
  } catch (e) {
    return { path: [], atKey: true, message: `does not compile as a JSON Schema: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` };
  }
  return undefined;
}

function walkSchema(node: unknown, root: Record<string, unknown>, path: readonly (string | number)[]): { path: readonly (string | number)[]; atKey: boolean; message: string } | undefined {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const r = walkSchema(node[i], root, [...path, i]);
      if (r) return r;
    }
    return undefined;
  }
  if (!node || typeof node !== 'object') return undefined;
  const o = node as Record<string, unknown>;
  const regexProblem = (re: string): string | undefined => {
    try {
      new RegExp(re, 'u');
      return undefined;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  };
  if (typeof o.pattern === 'string') {
    const why = regexProblem(o.pattern);
    if (why) return { path: [...path, 'pattern'], atKey: false, message: `is not a regular expression: ${why}` };
  }
  if (o.patternProperties && typeof o.patternProperties === 'object' && !Array.isArray(o.patternProperties)) {
    for (const k of Object.keys(o.patternProperties)) {
      const why = regexProblem(k);
      if (why) return { path: [...path, 'patternProperties', k], atKey: true, message: `is not a regular expression: ${why}` };
    }
  }
  if (typeof o.$ref === 'string' && !refResolves(o.$ref, root)) {
    return { path: [...path, '$ref'], atKey: false, message: `${JSON.stringify(o.$ref)} leads nowhere: a $ref here is a JSON pointer into parameters: itself, e.g. "#/definitions/tier"` };
  }
  for (const [k, v] of Object.entries(o)) {
    // Values of these keywords are data, not schemas.
    if (k === 'enum' || k === 'const' || k === 'default' || k === 'examples') continue;
    const r = walkSchema(v, root, [...path, k]);
    if (r) return r;
  }
  return undefined;
}

/** Whether a $ref is a JSON pointer ("#", "#/a/b") that leads to a value inside the schema. */
function refResolves(ref: string, root: unknown): boolean {
  if (ref === '#') return true;
  if (!ref.startsWith('#/')) return false;
  let at: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const seg = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!at || typeof at !== 'object' || !Object.hasOwn(at, seg)) return false;
    at = (at as Record<string, unknown>)[seg];
  }
  return true;
}

/** Checks params: against the pattern's declared parameters (ajv compiled on demand). */
export function checkParams(p: UserPattern, params: unknown): string | undefined {
  if (!p.parameters) return params === undefined ? undefined : `pattern ${p.def.name} declares no parameters; remove params:`;
  if (p.regexes) {
    const long = longString(params);
    if (long) return `params${long.path} is ${long.length} characters long; pattern ${p.def.name} checks its parameters with regular expressions, which take values of at most ${MAX_PATTERN_INPUT}`;
  }
  const validate = newAjv().compile(p.parameters);
  if (validate(params ?? {})) return undefined;
  const e = validate.errors![0]!;
  const extra = (e.params as { additionalProperty?: string }).additionalProperty;
  const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues;
  const what = extra ? `has the unknown key "${extra}"` : allowed ? `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}` : e.message ?? 'is invalid';
  return `params${e.instancePath.replace(/\//g, '.')} ${what} (pattern ${p.def.name})`;
}

/** The first string (or key) in params longer than MAX_PATTERN_INPUT, with its path. */
function longString(v: unknown, path = ''): { path: string; length: number } | undefined {
  if (typeof v === 'string') return v.length > MAX_PATTERN_INPUT ? { path, length: v.length } : undefined;
  if (!v || typeof v !== 'object') return undefined;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const at = `${path}.${k.length > 40 ? `${k.slice(0, 37)}...` : k}`;
    if (k.length > MAX_PATTERN_INPUT) return { path: at, length: k.length };
    const found = longString(x, at);
    if (found) return found;
  }
  return undefined;
}

/** params: of every service of a user pattern, checked against the pattern's parameters (after resolve). */
export function paramDiagnostics(spec: ResolvedSpec, user: readonly UserPattern[]): Diagnostic[] {
  const byName = new Map(user.map((p) => [p.def.name, p]));
  return spec.services.flatMap((s): Diagnostic[] => {
    const p = byName.get(s.pattern);
    const problem = p ? checkParams(p, s.params) : undefined;
    return problem ? [{ code: 'SCHEMA_FORMAT', severity: 'error', file: spec.file, path: [...s.path, s.params ? 'params' : 'pattern'], message: problem }] : [];
  });
}
