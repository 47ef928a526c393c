/**
 * Stage 5, render: lay out each ServicePlan with its pattern's template and
 * parse the result into a Fragment. Every scalar goes through the `q` helper
 * (a YAML double-quoted string), and the rendered text is parsed, never
 * pasted: no input string can add YAML structure.
 */
import type HandlebarsFull from 'handlebars';
import HandlebarsRuntimeModule from 'handlebars/runtime.js';

// The runtime is the full Handlebars API minus the compiler; its .d.ts does not say so.
const Handlebars = HandlebarsRuntimeModule as unknown as typeof HandlebarsFull;
import { createRequire } from 'node:module';
import { parse } from 'yaml';
import { asMapping } from '../yaml/plain.js';
import { fastParse } from '../yaml/fast-parse.js';
import { fastToData } from '../yaml/fast-tree.js';
import { yamlQuote } from '../yaml/scalar.js';
import { linePosIn } from '../yaml/source-index.js';
import { templateSpecs } from '../generated/templates.js';
import type { ServicePlan, Target } from '../model.js';
import { targetFacts } from '../compose/target-facts.js';
import { combineFragments, declareOnce, ENTRY_KEYS, readFragment, type Fragment } from '../entries/index.js';
import type { PatternTable } from '../patterns/index.js';
import { trimEndOf, WHITE_SPACE } from '../strings.js';
import type { Diagnostic } from '../diagnostics.js';
import { BLOCK_HELPERS, VALUE_HELPERS } from '../patterns/template-check.js';
import { fragmentLevel, levelAbove, userFragmentProblems } from './user-fragment.js';

type Runtime = typeof HandlebarsFull;
type TemplateFn = (context: unknown) => string;

function makeRuntime(): Runtime {
  const hb = Handlebars.create();
  hb.registerHelper('q', (v: unknown) => yamlQuote(v));
  hb.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).map(String).join(''));
  hb.registerHelper('bindSpec', (source: string, target: string, ro: unknown) => `${source}:${target}${ro === true ? ':ro' : ''}`);
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('nonEmpty', (o: unknown) => Boolean(o && typeof o === 'object' && Object.keys(o).length > 0));
  return hb;
}

let builtin: { hb: Runtime; templates: Map<string, TemplateFn> } | undefined;

/** Built-in templates, from the specs precompiled at build time. */
function builtinTemplates(): { hb: Runtime; templates: Map<string, TemplateFn> } {
  if (builtin) return builtin;
  const hb = makeRuntime();
  const templates = new Map<string, TemplateFn>();
  for (const [name, spec] of Object.entries(templateSpecs)) {
    const fn = hb.template(spec as Parameters<Runtime['template']>[0]) as TemplateFn;
    if (name.startsWith('_')) hb.registerPartial(name, fn as unknown as HandlebarsFull.Template);
    else templates.set(name, fn);
  }
  builtin = { hb, templates };
  return builtin;
}

/**
 * Compile a user-defined pattern's template with the same helpers and partials (full
 * Handlebars, loaded only then). Only the helpers template-check.ts allows are known to the
 * compiler (knownHelpersOnly), and log is not registered at all: a template cannot print.
 */
export function compileUserTemplate(text: string): TemplateFn {
  const full = createRequire(import.meta.url)('handlebars') as typeof HandlebarsFull;
  const { hb } = builtinTemplates();
  const env = full.create();
  env.unregisterHelper('log');
  for (const [k, v] of Object.entries(hb.helpers)) if (k !== 'log') env.registerHelper(k, v as HandlebarsFull.HelperDelegate);
  for (const [k, v] of Object.entries(hb.partials)) env.registerPartial(k, v as HandlebarsFull.Template);
  const knownHelpers = Object.fromEntries([...VALUE_HELPERS, ...BLOCK_HELPERS].map((h) => [h, true]));
  return env.compile(text, { noEscape: true, knownHelpersOnly: true, knownHelpers: { ...knownHelpers, log: false, helperMissing: false, blockHelperMissing: false } }) as TemplateFn;
}

/** A user pattern's template, compiled, with the file it came from (for messages). */
export interface UserTemplate {
  file: string;
  render: TemplateFn;
}

/**
 * Render the services of user-defined patterns on their own, before the rest: each one's
 * failure (a template that throws, text that is not YAML, a key twice) is a diagnostic at
 * the service, naming the template, never an internal error. validate and build both run it.
 */
export function renderUserPlans(plans: readonly ServicePlan[], target: Target, templates: ReadonlyMap<string, UserTemplate>, file: string): { fragments: Map<ServicePlan, Fragment>; diagnostics: Diagnostic[] } {
  const fragments = new Map<ServicePlan, Fragment>();
  const diagnostics: Diagnostic[] = [];
  for (const plan of plans) {
    const t = templates.get(plan.pattern);
    if (!t) continue;
    const fail = (message: string): void => {
      diagnostics.push({ code: 'PATTERN_DEFINITION', severity: 'error', file, path: [...plan.path, 'pattern'], message: `the template ${t.file} ${message} for service ${plan.service}` });
    };
    let text: string;
    try {
      text = t.render({ ...plan, ...targetFacts(target).templateFlags, target });
    } catch (e) {
      fail(`failed: ${oneLine(e instanceof Error ? e.message : String(e))}`);
      continue;
    }
    let data: unknown;
    try {
      data = parse(text, { uniqueKeys: true, prettyErrors: false });
    } catch (e) {
      const at = (e as { pos?: [number, number] }).pos?.[0];
      const line = at === undefined ? '' : ` at line ${linePosIn(text, at).line} of the rendered text`;
      const why = oneLine(e instanceof Error ? e.message : String(e)).replace(/^Map keys must be unique$/, 'a key is written twice in one mapping');
      fail(`rendered text that is not valid YAML${line} (${why})`);
      continue;
    }
    let fragment: Fragment;
    try {
      fragment = toFragment(plan.service, data ?? {}, plan.pattern);
    } catch (e) {
      fail(oneLine(e instanceof Error ? e.message : String(e)).replace(/^template of pattern \S+ /, ''));
      continue;
    }
    const problems = userFragmentProblems(fragment, plan);
    for (const p of problems) fail(p);
    const real = fragmentLevel(fragment);
    if (levelAbove(plan.level, real)) fail(`declares level ${plan.level} in its header, but what it mounts gives ${real} (a local bind or local volume is container; host needs NFS, CIFS or a volume plugin)`);
    if (!problems.length && !levelAbove(plan.level, real)) fragments.set(plan, fragment);
  }
  return { fragments, diagnostics };
}

/** A message on one line, at most 300 characters (a rendered value may be long). */
function oneLine(s: string): string {
  const nl = s.indexOf('\n');
  const line = trimEndOf(nl < 0 ? s : s.slice(0, nl), WHITE_SPACE);
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

export class RenderError extends Error {}

function renderText(plan: ServicePlan, target: Target, patterns: PatternTable, userTemplates: ReadonlyMap<string, TemplateFn>): string {
  const def = patterns.get(plan.pattern);
  const fn = userTemplates.get(plan.pattern) ?? builtinTemplates().templates.get(plan.pattern);
  if (!def || !fn) throw new RenderError(`no template for pattern ${plan.pattern}`);
  return fn({ ...plan, ...targetFacts(target).templateFlags, target });
}

/**
 * All services at once. Each fragment is read by the fast reader (our
 * templates write its subset); the rest are parsed by yaml as the items of
 * one YAML list per chunk (one parser run instead of hundreds). Should that
 * list not come out as one mapping per service, each fragment is parsed
 * alone, which names the template and service at fault. `declared`: the names the file
 * declares itself, for the kinds declared once (declareOnce, src/entries/index.ts).
 */
export function renderPlans(plans: readonly ServicePlan[], target: Target, patterns: PatternTable, userTemplates: ReadonlyMap<string, TemplateFn> = new Map(), declared: ReadonlySet<string> = new Set(), rendered: ReadonlyMap<ServicePlan, Fragment> = new Map()): Fragment[] {
  // The parts of user patterns come rendered (and checked) by renderUserPlans.
  const rest = plans.filter((p) => !rendered.has(p));
  const fresh = renderAll(rest, target, patterns, userTemplates);
  const byPlan = new Map(rest.map((p, i) => [p, fresh[i]!]));
  return declareOnce(combineByService(plans.map((p) => rendered.get(p) ?? byPlan.get(p)!)), declared);
}

/**
 * A service with a pattern per mount is planned as several parts (one per pattern and
 * back-end); what they add to the service is one fragment, so merge sees each service once.
 */
function combineByService(fragments: readonly Fragment[]): Fragment[] {
  const out = new Map<string, Fragment>();
  for (const f of fragments) {
    const seen = out.get(f.service);
    out.set(f.service, seen ? combineFragments(seen, f) : f);
  }
  return [...out.values()];
}

function renderAll(plans: readonly ServicePlan[], target: Target, patterns: PatternTable, userTemplates: ReadonlyMap<string, TemplateFn>): Fragment[] {
  const texts = plans.map((p) => renderText(p, target, patterns, userTemplates));
  const out: (Fragment | undefined)[] = plans.map((p, i) => {
    const data = fastFragment(texts[i]!);
    return data === undefined ? undefined : toFragment(p.service, data, p.pattern);
  });
  const rest = out.flatMap((f, i) => (f ? [] : [i]));
  // In chunks: the memory of each freed before the next.
  for (let c = 0; c < rest.length; c += RENDER_CHUNK) {
    const at = rest.slice(c, c + RENDER_CHUNK);
    const parsed = parseChunk(at.map((i) => plans[i]!), at.map((i) => texts[i]!));
    at.forEach((i, k) => (out[i] = parsed[k]));
  }
  return out as Fragment[];
}

const RENDER_CHUNK = 256;

/** A fragment's data by the fast reader; undefined when it needs the full parser. */
function fastFragment(text: string): unknown {
  // Nothing to add (pattern none renders `{}`).
  const bare = text.trim();
  if (bare === '' || bare === '{}') return {};
  const doc = fastParse(text);
  return doc && fastToData(doc);
}

function parseChunk(plans: readonly ServicePlan[], texts: readonly string[]): Fragment[] {
  const asItem = (text: string): string => {
    const lines = trimEndOf(text.replace(/^\s*\n/, ''), WHITE_SPACE).split('\n');
    return `- ${lines[0] ?? ''}\n${lines.slice(1).map((l) => (l ? `  ${l}` : l)).join('\n')}`;
  };
  let items: unknown;
  try {
    items = parse(texts.map(asItem).join('\n'), { uniqueKeys: true });
  } catch {
    items = undefined;
  }
  if (Array.isArray(items) && items.length === plans.length && items.every((i) => i === null || (typeof i === 'object' && !Array.isArray(i)))) {
    return plans.map((p, i) => toFragment(p.service, items[i] ?? {}, p.pattern));
  }
  return plans.map((p, i) => parseFragment(p, texts[i]!));
}

export function renderPlan(plan: ServicePlan, target: Target, patterns: PatternTable, userTemplates: ReadonlyMap<string, TemplateFn> = new Map()): Fragment {
  return parseFragment(plan, renderText(plan, target, patterns, userTemplates));
}

function parseFragment(plan: ServicePlan, text: string): Fragment {
  let data: unknown;
  try {
    data = parse(text, { uniqueKeys: true });
  } catch (e) {
    throw new RenderError(`template of pattern ${plan.pattern} rendered invalid YAML for service ${plan.service}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return toFragment(plan.service, data ?? {}, plan.pattern);
}

const ALLOWED_KEYS: ReadonlySet<string> = new Set(ENTRY_KEYS);

function toFragment(service: string, data: unknown, pattern: string): Fragment {
  const d = asMapping(data);
  const unknown = Object.keys(d).filter((k) => !ALLOWED_KEYS.has(k));
  if (unknown.length) throw new RenderError(`template of pattern ${pattern} rendered unknown keys: ${unknown.join(', ')} (allowed: ${ENTRY_KEYS.join(', ')})`);
  return readFragment(service, d);
}
