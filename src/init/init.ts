/**
 * init: read a plain compose file and write a starting x-persistence block
 * for every service whose image the catalog knows as stateful. The block is
 * appended as text, so the user's comments and layout stay byte for byte.
 */
import { covers, lastSegmentName } from '../compose/paths.js';
import type { Diagnostic } from '../diagnostics.js';
import { hasErrors } from '../diagnostics.js';
import { parseSource, type SourceFile } from '../parse/parse.js';
import { matchImage } from '../resolve/catalog.js';
import type { Variables } from '../compose/interpolate.js';
import { initWarnings, versionWords } from '../check/stateful.js';
import { composeView, mountTargets, splitShortSpec } from '../compose/view.js';
import { ownMounts, type OwnMount } from '../resolve/own-mounts.js';
import { findBlock } from '../validate/validate.js';
import { commentText, scalarKey } from '../yaml/scalar.js';
import { isMap, isScalar, isSeq, parseDocument, type Document, type YAMLMap, type YAMLSeq } from 'yaml';
import { trimEndOf } from '../strings.js';
import { asMapping, copyMapping } from '../yaml/plain.js';
import { readBack } from '../emit/read-back.js';
import { BLOCK_NAME_MAX_LENGTH, isBlockName } from '../validate/validate.js';
import { BUILTIN_PATTERNS, sidecarOf } from '../patterns/index.js';

export interface InitOptions {
  /** Default pattern written as `default:` (volume unless told). */
  pattern?: string;
  /** Values for ${VAR} in image references (the environment and .env; see BuildOptions.variables). */
  variables?: Variables;
  /**
   * Move a service's own named-volume or bind mount of a catalog path into the block (same
   * volume name or host path, so the data stays where it is) instead of leaving it by hand.
   */
  adopt?: boolean;
}

/** A catalog path a service already keeps with a mount of its own. */
export interface PersistedMount {
  service: string;
  image: string;
  target: string;
  /** What keeps it (named volume x, bind ./y, ...) and its level. */
  note: string;
  level: string;
  /** Moved into the block by --adopt. */
  adopted: boolean;
}

export interface InitService {
  service: string;
  image: string;
  mounts: string[];
  /** Mounts given their own name: because the generated one is taken (target -> name). */
  names: Record<string, string>;
  /** Own mounts moved into the block (--adopt), as block mount entries. */
  adopted: { target: string; pattern: 'volume' | 'bind'; name?: string; source?: string; readOnly: boolean }[];
  note: string;
}

export interface InitResult {
  text?: string;
  services: InitService[];
  /** Catalog paths the file's own mounts already keep (adopted into the block with --adopt). */
  persisted: PersistedMount[];
  diagnostics: Diagnostic[];
}

/** Compose's pattern for service names (compose-spec schema). */
const COMPOSE_NAME = /^[a-zA-Z0-9._-]+$/;

/** Keys, names and the targets in `{ target: ..., name: ... }`: the one rule, in its flow-safe form. */
const key = scalarKey;

/** The patterns init may write as default: (shared and plugin need a back-end init cannot choose: the block would not build). */
export const INIT_PATTERNS: readonly string[] = BUILTIN_PATTERNS.filter((p) => !p.backend).map((p) => p.name);

/** Why init cannot write this default pattern (undefined when it can). */
export function initPatternRefusal(pattern: string): string | undefined {
  if (INIT_PATTERNS.includes(pattern)) return undefined;
  const why = BUILTIN_PATTERNS.some((p) => p.name === pattern) ? ` (${pattern} needs a back-end init cannot choose: run init, then declare backends: and set pattern: ${pattern})` : '';
  return `expected one of ${INIT_PATTERNS.join(', ')}${why}`;
}

export function initBlock(src: SourceFile, options: InitOptions = {}): InitResult {
  const parsed = parseSource(src);
  if (!parsed.value) return { services: [], persisted: [], diagnostics: parsed.diagnostics };
  const found = findBlock(parsed.value);
  if (hasErrors(found.diagnostics)) return { services: [], persisted: [], diagnostics: found.diagnostics };
  if (found.value) {
    return {
      services: [],
      persisted: [],
      diagnostics: [{ code: 'ALREADY_HAS_BLOCK', severity: 'error', file: src.file, path: [found.value.key], message: `the file already has ${found.value.key}:; edit it, or run init on the plain compose file` }],
    };
  }
  const view = composeView(parsed.value.data);
  const services: InitService[] = [];
  const diagnostics: Diagnostic[] = [];
  // Volume names build would generate or find declared: a second use is a NAME_COLLISION there.
  const taken = new Set(Object.keys(view.volumes));
  const persisted: PersistedMount[] = [];
  /** Service -> indexes of its volumes: entries moved into the block. */
  const removed = new Map<string, number[]>();
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
    if (!isBlockName(name)) {
      diagnostics.push({
        code: 'SCHEMA_FORMAT', severity: 'warning', file: src.file, path, ...parsed.value.positionOf(path, true),
        message: `service "${name}" is skipped: a block lists only names that start with a letter or digit (at most ${BLOCK_NAME_MAX_LENGTH} characters)`,
        hint: 'rename the service to list it',
      });
      continue;
    }
    diagnostics.push(...initWarnings(match, name, svc, src.file).map((d) => ({ ...d, ...parsed.value!.positionOf(d.path) })));
    const own = mountTargets(svc);
    // The file's own mounts of the catalog's paths: already persisted (init says so), or adopted.
    const adopted: InitService['adopted'] = [];
    const adoptable = options.adopt ? adoptableMounts(parsed.value.doc, name) : false;
    for (const m of ownMounts(svc, view.volumes)) {
      if (!match.paths.some((p) => covers(m.target, p))) continue;
      const entry = adoptable ? adoptEntry(m, svc.volumes) : undefined;
      persisted.push({ service: name, image: String(svc.image), target: m.target, note: m.note, level: m.level, adopted: Boolean(entry) });
      if (entry) {
        adopted.push(entry);
        removed.set(name, [...(removed.get(name) ?? []), m.index!]);
      }
    }
    // The paths of the version the tag gives (or the catalog assumes): never one it refuses.
    const mounts = match.paths.filter((p) => !own.some((t) => covers(t, p)) && !match.refuses.includes(p));
    if (!mounts.length && !adopted.length) continue;
    const sidecar = sidecarOf(options.pattern ?? 'volume', name);
    if (sidecar !== undefined && Object.hasOwn(view.services, sidecar)) {
      diagnostics.push({
        code: 'NAME_COLLISION', severity: 'warning', file: src.file, path, ...parsed.value.positionOf(path, true),
        message: `service "${name}" is skipped: its data container would be named "${sidecar}", which is already a service`,
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
      const base = trimEndOf(`${name}-${m.split('/').filter(Boolean).map((seg) => lastSegmentName(seg)).join('-') || 'root'}`.slice(0, BLOCK_NAME_MAX_LENGTH - 3), '-.');
      let own = base;
      for (let i = 2; taken.has(own); i++) own = `${base}-${i}`;
      taken.add(own);
      names[m] = own;
    }
    const note = `${match.entry.image}: ${match.note}${match.assumed ? ` The tag does not say the version: these are the paths of ${versionWords(match)}; pin a tag.` : match.uncertain ? ' The tag does not say the version: check the path.' : ''}`;
    services.push({ service: name, image: String(svc.image), mounts, names, note, adopted });
  }
  if (hasErrors(diagnostics)) return { services: [], persisted: [], diagnostics };
  const kept = persisted.filter((p) => !p.adopted);
  const lines = [
    '# Written by compose-persist init: where each stateful service keeps its data,',
    '# from the image catalog. `compose-persist explain` shows what each one gets.',
    ...(kept.length ? ['# Already kept by the file\'s own mounts (init --adopt moves them into the block):', ...kept.map((p) => oneLineComment(`#   ${p.service} ${p.target}: ${p.note} (level ${p.level})`))] : []),
    ...(!services.length && !kept.length ? ['# No stateful image recognised: nothing to add (compose-persist patterns lists what a block can say).'] : []),
    'x-persistence:',
    `  default: ${key(options.pattern ?? 'volume')}`,
    services.length ? '  services:' : '  services: {}',
    ...services.flatMap((s) => [
      `    ${key(s.service)}:`,
      ...wrapComment(s.note, '      # '),
      '      mounts:',
      ...s.mounts.map((m) => {
        const target = scalar(m);
        return s.names[m] ? `        - { target: ${target}, name: ${key(s.names[m])} }` : `        - ${target}`;
      }),
      ...s.adopted.map((a) => `        - { target: ${scalar(a.target)}, pattern: ${a.pattern}, ${a.name !== undefined ? `name: ${key(a.name)}` : `source: ${scalar(a.source!)}`}${a.readOnly ? ', read_only: true' : ''} } # adopted from its own volumes:`),
    ]),
  ];
  const text = appendBlock(removed.size ? withoutEntries(src.text, removed) : src.text, lines);
  // Read back like build's output: the input's data, less the adopted entries, with the block, or nothing is printed.
  const expected = { ...withoutAdopted(parsed.value.data, removed), 'x-persistence': blockData(options.pattern ?? 'volume', services) };
  if (!readBack(text).means(expected)) {
    return { services: [], persisted: [], diagnostics: [...diagnostics, { code: 'INTERNAL', severity: 'error', file: src.file, path: [], message: "init's output does not read back as the input with the block added", hint: 'please report this: nothing was written' }] };
  }
  return { text, services, persisted, diagnostics };
}

/** What the block init writes means (the lines above print it, with their comments). */
export function blockData(pattern: string, services: readonly InitService[]): Record<string, unknown> {
  const mount = (s: InitService, m: string): unknown => (s.names[m] ? { target: m, name: s.names[m] } : m);
  const adopted = (a: InitService['adopted'][number]): unknown => ({ target: a.target, pattern: a.pattern, ...(a.name !== undefined ? { name: a.name } : { source: a.source }), ...(a.readOnly ? { read_only: true } : {}) });
  return { default: pattern, services: Object.fromEntries(services.map((s) => [s.service, { mounts: [...s.mounts.map((m) => mount(s, m)), ...s.adopted.map(adopted)] }])) };
}

/** The input's data without the volumes entries moved into the block (a service left with none loses its volumes:). */
function withoutAdopted(data: unknown, removed: ReadonlyMap<string, number[]>): Record<string, unknown> {
  const root = asMapping(data);
  if (!removed.size) return root;
  const services = copyMapping(asMapping(root.services));
  for (const [name, indexes] of removed) {
    const { volumes, ...rest } = asMapping(services[name]);
    const left = (Array.isArray(volumes) ? volumes : []).filter((_, i) => !indexes.includes(i));
    services[name] = left.length ? { ...rest, volumes: left } : rest;
  }
  return { ...root, services };
}

/** Targets and sources in `{ target: ..., source: ... }`: the one rule, in its flow-safe form. */
const scalar = scalarKey;
/** A comment line never spans lines or carries control characters from the file (the one rule, scalar.ts). */
const oneLineComment = commentText;

/** Whether the service's volumes: is its own list in the file (not an alias or merged in), so entries can be moved. */
function adoptableMounts(doc: Document, service: string): boolean {
  const services = doc.get('services', true);
  if (!isMap(services)) return false;
  const svc = services.get(service, true);
  if (!isMap(svc) || svc.items.some((p) => isScalar(p.key) && p.key.value === '<<')) return false;
  return isSeq(svc.get('volumes', true));
}

/**
 * The block entry that keeps an own mount's data where it is: a plain named volume by its
 * name, a bind by its host path. Anything with options the block cannot say (long-form
 * extras, a mode other than ro/rw, variables) is left by hand.
 */
function adoptEntry(m: OwnMount, volumes: unknown): InitService['adopted'][number] | undefined {
  if (m.index === undefined || m.source === undefined || m.source.includes('$')) return undefined;
  const raw = Array.isArray(volumes) ? volumes[m.index] : undefined;
  let readOnly = false;
  if (typeof raw === 'string') {
    const parts = splitShortSpec(raw);
    if (parts.length > 3) return undefined;
    const mode = parts.length === 3 ? parts[2]! : '';
    if (mode !== '' && mode !== 'ro' && mode !== 'rw') return undefined;
    readOnly = mode === 'ro';
  } else if (raw && typeof raw === 'object') {
    const extra = Object.keys(raw).filter((k) => !['type', 'source', 'target', 'read_only'].includes(k));
    if (extra.length) return undefined;
    readOnly = (raw as { read_only?: unknown }).read_only === true;
  } else return undefined;
  if (m.kind === 'volume' && isBlockName(m.source)) return { target: m.target, pattern: 'volume', name: m.source, readOnly };
  if (m.kind === 'bind' && !/[\u0000-\u001f]/.test(m.source)) return { target: m.target, pattern: 'bind', source: m.source, readOnly };
  return undefined;
}

/** The file without the adopted entries of each service's volumes: (an emptied list goes too). Comments stay with their nodes. */
function withoutEntries(text: string, removed: ReadonlyMap<string, number[]>): string {
  const doc = parseDocument(text, { keepSourceTokens: false });
  const services = doc.get("services", true) as unknown as YAMLMap;
  for (const [service, indexes] of removed) {
    const svc = services.get(service, true) as unknown as YAMLMap;
    const seq = svc.get("volumes", true) as unknown as YAMLSeq;
    for (const i of [...indexes].sort((a, b) => b - a)) seq.items.splice(i, 1);
    if (!seq.items.length) svc.delete('volumes');
  }
  return doc.toString({ lineWidth: 0 });
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
      out.push(commentText(prefix + line));
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(commentText(prefix + line));
  return out;
}
