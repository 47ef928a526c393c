/**
 * init: read a plain compose file and write a starting x-persistence block
 * for every service whose image the catalog knows as stateful. The block is
 * appended as text, so the user's comments and layout stay byte for byte.
 */
import { covers, lastSegmentName } from '../resolve/paths.js';
import type { Diagnostic } from '../diagnostics.js';
import { hasErrors } from '../diagnostics.js';
import { parseSource, type SourceFile } from '../parse/parse.js';
import { matchImage } from '../resolve/catalog.js';
import type { Variables } from '../resolve/interpolate.js';
import { initWarnings, versionWords } from '../check/stateful.js';
import { composeView, mountTargets } from '../resolve/compose-view.js';
import { findBlock } from '../validate/validate.js';
import { needsQuotes, yamlQuote } from '../yaml/nodes.js';
import { isMap, parseDocument } from 'yaml';
import { trimEndOf } from '../strings.js';
import persistenceSchema from '../generated/persistence-schema.js';

export interface InitOptions {
  /** Default pattern written as `default:` (volume unless told). */
  pattern?: string;
  /** Values for ${VAR} in image references (the environment and .env; see BuildOptions.variables). */
  variables?: Variables;
}

export interface InitService {
  service: string;
  image: string;
  mounts: string[];
  /** Mounts given their own name: because the generated one is taken (target -> name). */
  names: Record<string, string>;
  note: string;
}

export interface InitResult {
  text?: string;
  services: InitService[];
  diagnostics: Diagnostic[];
}

/** The block's own rule for service names (schemas/persistence.schema.json): a service outside it cannot be listed. */
const NAME_DEF = (persistenceSchema as { definitions: { name: { pattern: string; maxLength: number } } }).definitions.name;
const BLOCK_NAME = new RegExp(NAME_DEF.pattern);
/** Compose's pattern for service names (compose-spec schema). */
const COMPOSE_NAME = /^[a-zA-Z0-9._-]+$/;
const listable = (name: string): boolean => BLOCK_NAME.test(name) && name.length <= NAME_DEF.maxLength;

const key = (s: string): string => (/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(s) && !needsQuotes(s) ? s : yamlQuote(s));

export function initBlock(src: SourceFile, options: InitOptions = {}): InitResult {
  const parsed = parseSource(src);
  if (!parsed.value) return { services: [], diagnostics: parsed.diagnostics };
  const found = findBlock(parsed.value);
  if (hasErrors(found.diagnostics)) return { services: [], diagnostics: found.diagnostics };
  if (found.value) {
    return {
      services: [],
      diagnostics: [{ code: 'ALREADY_HAS_BLOCK', severity: 'error', file: src.file, path: [found.value.key], message: `the file already has ${found.value.key}:; edit it, or run init on the plain compose file` }],
    };
  }
  const view = composeView(parsed.value.data);
  const services: InitService[] = [];
  const diagnostics: Diagnostic[] = [];
  // Volume names build would generate or find declared: a second use is a NAME_COLLISION there.
  const taken = new Set(Object.keys(view.volumes));
  const sidecar = options.pattern === 'data-container';
  for (const [name, svc] of Object.entries(view.services)) {
    const path = ['services', name];
    if (!COMPOSE_NAME.test(name)) {
      // Compose itself refuses the file ("Invalid service name"): a block would not make it buildable.
      diagnostics.push({
        code: 'SCHEMA_FORMAT', severity: 'error', file: src.file, path, ...parsed.value.positionOf(path, true),
        message: `service name "${name}" is not a valid Compose service name (only letters, digits, ".", "_" and "-"): Compose refuses this file`,
        hint: 'rename the service, then run init again',
      });
      continue;
    }
    const match = matchImage(svc.image, options.variables);
    if (!match) continue;
    if (!listable(name)) {
      diagnostics.push({
        code: 'SCHEMA_FORMAT', severity: 'warning', file: src.file, path, ...parsed.value.positionOf(path, true),
        message: `service "${name}" is skipped: a block lists only names that start with a letter or digit (at most ${NAME_DEF.maxLength} characters)`,
        hint: 'rename the service to list it',
      });
      continue;
    }
    diagnostics.push(...initWarnings(match, name, svc, src.file).map((d) => ({ ...d, ...parsed.value!.positionOf(d.path) })));
    const own = mountTargets(svc);
    // The paths of the version the tag gives (or the catalog assumes): never one it refuses.
    const mounts = match.paths.filter((p) => !own.some((t) => covers(t, p)) && !match.refuses.includes(p));
    if (!mounts.length) continue;
    if (sidecar && Object.hasOwn(view.services, `${name}-data`)) {
      diagnostics.push({
        code: 'NAME_COLLISION', severity: 'warning', file: src.file, path, ...parsed.value.positionOf(path, true),
        message: `service "${name}" is skipped: its data container would be named "${name}-data", which is already a service`,
        hint: 'rename that service, or list this one with another pattern',
      });
      continue;
    }
    const names: Record<string, string> = {};
    for (const m of mounts) {
      const generated = `${name}-${lastSegmentName(m)}`;
      if (!taken.has(generated)) {
        taken.add(generated);
        continue;
      }
      // Written into the block, so it stays the name (names are a promise): the whole path's slug.
      const base = trimEndOf(`${name}-${m.split('/').filter(Boolean).map((seg) => lastSegmentName(seg)).join('-') || 'root'}`.slice(0, NAME_DEF.maxLength - 3), '-.');
      let own = base;
      for (let i = 2; taken.has(own); i++) own = `${base}-${i}`;
      taken.add(own);
      names[m] = own;
    }
    const note = `${match.entry.image}: ${match.note}${match.assumed ? ` The tag does not say the version: these are the paths of ${versionWords(match)}; pin a tag.` : match.uncertain ? ' The tag does not say the version: check the path.' : ''}`;
    services.push({ service: name, image: String(svc.image), mounts, names, note });
  }
  if (hasErrors(diagnostics) || !services.length) return { services: hasErrors(diagnostics) ? [] : services, diagnostics };
  const lines = [
    '# Written by compose-persist init: where each stateful service keeps its data,',
    '# from the image catalog. `compose-persist explain` shows what each one gets.',
    'x-persistence:',
    `  default: ${key(options.pattern ?? 'volume')}`,
    '  services:',
    ...services.flatMap((s) => [
      `    ${key(s.service)}:`,
      ...wrapComment(s.note, '      # '),
      '      mounts:',
      ...s.mounts.map((m) => {
        const target = needsQuotes(m) || /[#:,{}[\]]/.test(m) ? yamlQuote(m) : m;
        return s.names[m] ? `        - { target: ${target}, name: ${key(s.names[m])} }` : `        - ${target}`;
      }),
    ]),
  ];
  return { text: appendBlock(src.text, lines), services, diagnostics };
}

/**
 * The block as text after the last entry of the top-level mapping: before a `...` document end
 * marker (after it, the block would be a second document), at the mapping's own indentation.
 * A flow-style top-level mapping cannot take a block entry: that one file is turned into a block
 * mapping by yaml's Document (comments kept), with the block added to it.
 */
function appendBlock(text: string, lines: readonly string[]): string {
  // The first content line (not blank, a comment, a directive or a bare ---) shows the root's style.
  const first = /^(?![ \t]*(?:#.*)?\r?$|%|---[ \t]*(?:#.*)?\r?$)([ \t]*)(.)/m.exec(text);
  if (first && (first[2] === '{' || first[0].startsWith('---'))) {
    const doc = parseDocument(text);
    const root = doc.contents;
    if (isMap(root)) {
      root.flow = false;
      const added = parseDocument(lines.join('\n') + '\n').contents;
      if (isMap(added)) for (const pair of added.items) root.items.push(pair as (typeof root.items)[number]);
      return doc.toString({ lineWidth: 0 });
    }
  }
  const rootCol = first ? first[1]!.length : 0;
  const block = ['', ...lines.map((l) => (l ? ' '.repeat(rootCol) + l : l)), ''].join('\n');
  // Forbidden inside any scalar at column 0 (YAML 1.2, c-forbidden): a line starting `...` ends the document.
  const end = /^\.\.\.(?=[ \t\r\n]|$)/m.exec(text);
  const head = end ? text.slice(0, end.index) : text;
  const base = head.endsWith('\n') || head === '' ? head : `${head}\n`;
  return base + block + (end ? text.slice(end.index) : '');
}

function wrapComment(text: string, prefix: string, width = 96): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.replace(/[\r\n]+/g, ' ').split(' ')) {
    if (line && prefix.length + line.length + 1 + word.length > width) {
      out.push(prefix + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(prefix + line);
  return out;
}
