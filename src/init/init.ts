/**
 * init: read a plain compose file and write a starting x-persistence block
 * for every service whose image the catalog knows as stateful. The block is
 * appended as text, so the user's comments and layout stay byte for byte.
 */
import { covers } from '../resolve/paths.js';
import type { Diagnostic } from '../diagnostics.js';
import { hasErrors } from '../diagnostics.js';
import { parseSource, type SourceFile } from '../parse/parse.js';
import { matchImage } from '../resolve/catalog.js';
import { composeView, mountTargets } from '../resolve/compose-view.js';
import { findBlock } from '../validate/validate.js';
import { needsQuotes, yamlQuote } from '../yaml/nodes.js';

export interface InitOptions {
  /** Default pattern written as `default:` (volume unless told). */
  pattern?: string;
}

export interface InitService {
  service: string;
  image: string;
  mounts: string[];
  note: string;
}

export interface InitResult {
  text?: string;
  services: InitService[];
  diagnostics: Diagnostic[];
}

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
  for (const [name, svc] of Object.entries(view.services)) {
    const match = matchImage(svc.image);
    if (!match) continue;
    const own = mountTargets(svc);
    const mounts = match.paths.filter((p) => !own.some((t) => covers(t, p)));
    if (!mounts.length) continue;
    const note = `${match.entry.image}: ${match.note}${match.uncertain ? ' The tag does not say the version: check the path.' : ''}`;
    services.push({ service: name, image: String(svc.image), mounts, note });
  }
  if (!services.length) return { services, diagnostics: [] };
  const lines = [
    '',
    '# Written by compose-persist init: where each stateful service keeps its data,',
    '# from the image catalog. `compose-persist explain` shows what each one gets.',
    'x-persistence:',
    `  default: ${key(options.pattern ?? 'volume')}`,
    '  services:',
    ...services.flatMap((s) => [
      `    ${key(s.service)}:`,
      ...wrapComment(s.note, '      # '),
      '      mounts:',
      ...s.mounts.map((m) => `        - ${needsQuotes(m) || /[#:]/.test(m) ? yamlQuote(m) : m}`),
    ]),
    '',
  ];
  const base = src.text.endsWith('\n') || src.text === '' ? src.text : `${src.text}\n`;
  return { text: base + lines.join('\n'), services, diagnostics: [] };
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
