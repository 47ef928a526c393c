/**
 * The catalog of well-known stateful images (catalog/images.json, bundled at
 * build time): image references are matched across registries, tags and
 * digests, and paths can depend on the image's major version.
 */
import catalogData from '../generated/catalog.js';

export interface CatalogVersion {
  since?: string;
  until?: string;
  paths: string[];
  declaresVolume?: string[];
  refuses?: string[];
  note?: string;
}

export interface CatalogEntry {
  image: string;
  aliases?: string[];
  kind: string;
  paths: string[];
  declaresVolume?: string[];
  versions?: CatalogVersion[];
  note: string;
}

export interface ImageRef {
  /** Registry host, absent for Docker Hub. */
  registry?: string;
  /** Repository without docker.io and library/. */
  repository: string;
  tag?: string;
  digest?: string;
}

const HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** `docker.io/library/postgres:16@sha256:...` -> {repository: postgres, tag: 16, digest}. */
export function parseImageRef(ref: string): ImageRef | undefined {
  const s = ref.trim();
  if (!s || s.includes('${') || /\s/.test(s)) return undefined;
  const [nameTag, digest] = s.split('@', 2) as [string, string | undefined];
  const slash = nameTag.lastIndexOf('/');
  const colon = nameTag.lastIndexOf(':');
  const tag = colon > slash ? nameTag.slice(colon + 1) : undefined;
  const name = (colon > slash ? nameTag.slice(0, colon) : nameTag).toLowerCase();
  const parts = name.split('/');
  let registry: string | undefined;
  if (parts.length > 1 && (/[.:]/.test(parts[0]!) || parts[0] === 'localhost')) registry = parts.shift();
  if (registry && HUB.has(registry)) registry = undefined;
  if (!registry && parts[0] === 'library' && parts.length === 2) parts.shift();
  return { ...(registry ? { registry } : {}), repository: parts.join('/'), ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

export const CATALOG: readonly CatalogEntry[] = (catalogData as { images: CatalogEntry[] }).images;

const index = new Map<string, CatalogEntry>();
for (const e of CATALOG) for (const name of [e.image, ...(e.aliases ?? [])]) index.set(name, e);

export interface CatalogMatch {
  entry: CatalogEntry;
  ref: ImageRef;
  /** Major version from the tag; undefined when the tag cannot be ordered (latest, a digest, a name). */
  major?: number;
  /** The version rule that applies, when the version is known. */
  version?: CatalogVersion;
  /** True when the entry's paths depend on the version and the tag cannot tell which. */
  uncertain: boolean;
  paths: string[];
  declaresVolume: string[];
  refuses: string[];
  note: string;
}

export function majorOf(tag: string | undefined): number | undefined {
  const m = tag ? /^v?(\d+)(?:[.\-_]|$)/.exec(tag) : null;
  return m ? Number(m[1]) : undefined;
}

function applies(v: CatalogVersion, major: number): boolean {
  return (v.since === undefined || major >= Number(v.since)) && (v.until === undefined || major < Number(v.until));
}

/** Matches by image string: a large file names the same few images thousands of times, and several checks ask. */
const matches = new Map<string, CatalogMatch | undefined>();
const MATCH_CACHE_LIMIT = 10_000;

export function matchImage(image: unknown): CatalogMatch | undefined {
  if (typeof image !== 'string') return undefined;
  if (matches.has(image)) return matches.get(image);
  const found = matchUncached(image);
  if (matches.size < MATCH_CACHE_LIMIT) matches.set(image, found);
  return found;
}

function matchUncached(image: string): CatalogMatch | undefined {
  const ref = parseImageRef(image);
  if (!ref) return undefined;
  const entry = index.get(ref.registry ? `${ref.registry}/${ref.repository}` : ref.repository) ?? (ref.registry ? undefined : undefined);
  if (!entry) return undefined;
  const major = majorOf(ref.tag);
  const version = major !== undefined ? entry.versions?.find((v) => applies(v, major)) : undefined;
  const uncertain = Boolean(entry.versions?.length) && major === undefined;
  return {
    entry,
    ref,
    ...(major !== undefined ? { major } : {}),
    ...(version ? { version } : {}),
    uncertain,
    paths: version?.paths ?? entry.paths,
    declaresVolume: version?.declaresVolume ?? entry.declaresVolume ?? [],
    refuses: version?.refuses ?? [],
    note: version?.note ?? entry.note,
  };
}
