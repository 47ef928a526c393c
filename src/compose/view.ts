/**
 * A plain-data view of the compose document (merge keys applied), the part
 * of it that resolve and check read: services and top-level volumes.
 */
import { asMapping, copyMapping } from '../yaml/plain.js';
import { trimEndOf } from '../strings.js';

export type ServiceView = Record<string, unknown>;

export interface ComposeView {
  services: Record<string, ServiceView>;
  volumes: Record<string, unknown>;
  raw: Record<string, unknown>;
}

/** From the document's plain data (SourceDoc.data, or the combined document's toJS). */
export function composeView(data: unknown): ComposeView {
  const raw = (data ?? {}) as Record<string, unknown>;
  const services = copyMapping(asMapping(raw.services), asMapping);
  return { services, volumes: asMapping(raw.volumes), raw };
}

/** Targets of a service's own volumes, short or long form. */
export function mountTargets(service: ServiceView | undefined): string[] {
  const list = service?.volumes;
  if (!Array.isArray(list)) return [];
  return list.flatMap((v): string[] => {
    if (typeof v === 'string') {
      const target = shortTarget(v);
      return target ? [trimEndOf(target, '/') || '/'] : [];
    }
    if (v && typeof v === 'object' && typeof (v as { target?: unknown }).target === 'string') {
      return [trimEndOf((v as { target: string }).target, '/') || '/'];
    }
    return [];
  });
}

/** Fields of a short volume spec, split on ":" outside ${...} ("${DATA:-./d}:/data:ro"). */
export function splitShortSpec(spec: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i]!;
    if (c === '$' && spec[i + 1] === '{') depth++;
    else if (c === '}' && depth > 0) depth--;
    if (c === ':' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** "target", "src:target" or "src:target:mode". */
export function shortTarget(spec: string): string | undefined {
  const parts = splitShortSpec(spec);
  return parts.length === 1 ? parts[0] : parts[1];
}
