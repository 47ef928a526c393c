/**
 * User-defined patterns: `<name>.yaml.hbs` files in a directory, each with a
 * YAML header between two `---` lines declaring its level and parameters.
 * They join the pattern table and are checked like the built-in ones; the
 * template lays out the same ServicePlan (plus `params`).
 */
import { createRequire } from 'node:module';
import { LineCounter, parseDocument } from 'yaml';
import validateHeader from '../generated/pattern-validator.js';
import type { Diagnostic } from '../diagnostics.js';
import type { Level } from '../model.js';
import type { PatternDef, SwarmSupport } from './patterns.js';
import { pointerToPath } from '../validate/validate.js';
import { positionOf } from '../yaml/positions.js';

export interface PatternSource {
  /** File name as shown in messages. */
  file: string;
  text: string;
}

export interface UserPattern {
  def: PatternDef;
  template: string;
  /** JSON Schema of params:, when the pattern declares parameters. */
  parameters?: Record<string, unknown>;
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
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n([\s\S]*)$/.exec(src.text);
  if (!m) return fail('a pattern file starts with a YAML header between two --- lines (level:, summary:, parameters:)');
  const lc = new LineCounter();
  const doc = parseDocument(m[1]!, { lineCounter: lc, prettyErrors: false, logLevel: 'error' });
  if (doc.errors.length) {
    const pos = lc.linePos(doc.errors[0]!.pos[0]);
    return fail(`the header is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`, pos.line + 1, pos.col);
  }
  const header = doc.toJS() as unknown;
  if (!validateHeader(header)) {
    const e = validateHeader.errors![0]!;
    const extra = (e.params as { additionalProperty?: string }).additionalProperty;
    const path = [...pointerToPath(header, e.instancePath), ...(extra ? [extra] : [])];
    const pos = positionOf(doc, lc, path, Boolean(extra)) ?? { line: 1, col: 1 };
    const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues;
    const what = extra
      ? `has the unknown key "${extra}"; expected level, summary, mounts, swarm, parameters`
      : allowed ? `must be one of ${allowed.join(', ')}` : e.message ?? 'is invalid';
    return fail(`header ${path.join('.') || 'mapping'} ${what}`, pos.line + 1, pos.col);
  }
  const h = header as Header;
  try {
    compileTemplate(m[2]!);
  } catch (e) {
    return fail(`the template does not compile: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
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
  };
  return { value: { def, template: m[2]!, ...(h.parameters ? { parameters: h.parameters } : {}) }, diagnostics: [] };
}

type TemplateFn = (context: unknown) => string;
const require = createRequire(import.meta.url);

/** Full Handlebars (with the compiler) is loaded only when a user pattern is used. */
export function compileTemplate(text: string): TemplateFn {
  const hb = require('handlebars') as typeof import('handlebars');
  return hb.precompile(text, { noEscape: true }) as unknown as TemplateFn;
}

/** Checks params: against the pattern's declared parameters (ajv compiled on demand). */
export function checkParams(p: UserPattern, params: unknown): string | undefined {
  if (!p.parameters) return params === undefined ? undefined : `pattern ${p.def.name} declares no parameters; remove params:`;
  const Ajv = (require('ajv') as { default: typeof import('ajv').default }).default;
  const validate = new Ajv({ allErrors: false, strict: false }).compile(p.parameters);
  if (validate(params ?? {})) return undefined;
  const e = validate.errors![0]!;
  const extra = (e.params as { additionalProperty?: string }).additionalProperty;
  const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues;
  const what = extra ? `has the unknown key "${extra}"` : allowed ? `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}` : e.message ?? 'is invalid';
  return `params${e.instancePath.replace(/\//g, '.')} ${what} (pattern ${p.def.name})`;
}
