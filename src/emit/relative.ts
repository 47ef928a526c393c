/** Does the output hold relative paths (which Compose resolves against its directory)? */
export function hasRelativePaths(data: unknown): boolean {
  const seen = new Set<object>();
  const walk = (v: unknown): boolean => {
    if (typeof v === 'string') return /^\.\.?(\/|$)/.test(v) || /^\.\.?\/[^:]*:/.test(v);
    if (!v || typeof v !== 'object' || seen.has(v)) return false;
    seen.add(v); // aliases share objects: each is walked once
    return Array.isArray(v) ? v.some(walk) : Object.values(v).some(walk);
  };
  return walk(data);
}
