/** Does the output hold relative paths (which Compose resolves against its directory)? */
import { parse } from 'yaml';

export function hasRelativePaths(text: string): boolean {
  const walk = (v: unknown): boolean => {
    if (typeof v === 'string') return /^\.\.?(\/|$)/.test(v) || /^\.\.?\/[^:]*:/.test(v);
    if (Array.isArray(v)) return v.some(walk);
    if (v && typeof v === 'object') return Object.values(v).some(walk);
    return false;
  };
  return walk(parse(text, { maxAliasCount: -1 }));
}
