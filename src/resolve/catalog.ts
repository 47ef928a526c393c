/**
 * The catalog of well-known stateful images (catalog/images.json, bundled at
 * build time): image references are matched across registries, tags and
 * digests, and paths can depend on the image's major version.
 */
import catalogData from '../generated/catalog.js';
import { interpolate, type Variables } from '../compose/interpolate.js';
import { trimEndOf, trimStartOf } from '../strings.js';

export interface CatalogVersion {
  since?: string;
  until?: string;
  paths: string[];
  declaresVolume?: string[];
  refuses?: string[];
  note?: string;
}

/** What a tag that carries no version (latest, alpine, a digest, none) means, and since when that is known. */
export interface CatalogUnordered {
  /** The major version such a tag gives (absent: the image publishes no such tag, so it cannot be told). */
  assume?: string;
  /** The date of that fact (the date of the tag list or build file read). */
  as_of: string;
  /** Tags that name a line rather than a version (influxdb `core` is 3, `data` is 1), as of the same date. */
  tags?: Record<string, string>;
  note?: string;
}

/** A tag variant with paths of its own (gitea's `-rootless` tags), chosen before versions[]. */
export interface CatalogVariant {
  /** Regular expression on the tag. */
  tag: string;
  paths: string[];
  declaresVolume?: string[];
  note: string;
}

export interface CatalogEntry {
  image: string;
  aliases?: string[];
  kind: string;
  paths: string[];
  declaresVolume?: string[];
  versions?: CatalogVersion[];
  variants?: CatalogVariant[];
  /**
   * Where the version is in the tag: a rule of VERSION_RULES (default leading-major) or a
   * regular expression whose first group is the major version.
   */
  versionIn?: string;
  /** Required with versions[]: what an unordered tag means. */
  unordered?: CatalogUnordered;
  note: string;
  /** The documentation the paths come from, and the date it was read (ISO). */
  source: string;
  checked: string;
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
  if (!s || s.includes('$') || /\s/.test(s)) return undefined;
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

/**
 * Named rules for where a tag carries the image's major version. leading-major: `16`,
 * `16.4-alpine`, `v2.7`, `18-3.5` (postgis), `14-vectorchord0.4.3` (immich); pgNN: the
 * PostgreSQL major of a derived image, `pg18`, `2.22.0-pg18`, `0.8.1-pg17-trixie`.
 */
export const VERSION_RULES: Readonly<Record<string, RegExp>> = {
  'leading-major': /^v?(\d+)(?=[.\-_+]|$)/,
  pgNN: /(?:^|[-_.])pg(\d+)(?=[-_.]|$)/,
};

const ruleCache = new Map<string, RegExp>();
/** The expression of an entry's versionIn (a rule name or a regular expression). */
export function versionRule(versionIn: string | undefined): RegExp {
  const name = versionIn ?? 'leading-major';
  const named = VERSION_RULES[name];
  if (named) return named;
  let re = ruleCache.get(name);
  if (!re) ruleCache.set(name, (re = new RegExp(name)));
  return re;
}

const index = new Map<string, CatalogEntry>();
for (const e of CATALOG) for (const name of [e.image, ...(e.aliases ?? [])]) index.set(name, e);

export interface CatalogMatch {
  entry: CatalogEntry;
  ref: ImageRef;
  /** The major version the paths were chosen for: from the tag, or assumed (see assumed). */
  major?: number;
  /** Set when the tag did not carry the version and the catalog's unordered.assume was taken. */
  assumed?: CatalogUnordered & { assume: string };
  /** The version rule that applies, when the version is known or assumed. */
  version?: CatalogVersion;
  /** True when the entry's paths depend on the version and the tag cannot tell which. */
  uncertain: boolean;
  paths: string[];
  declaresVolume: string[];
  refuses: string[];
  note: string;
  /** The image text after interpolation, when it held variables. */
  interpolated?: { value: string; unset: string[]; problems: string[] };
}

/** The major version a tag carries under a rule; undefined when it carries none (latest, alpine, a name). */
export function majorOf(tag: string | undefined, versionIn?: string): number | undefined {
  const m = tag ? versionRule(versionIn).exec(tag) : null;
  return m?.[1] !== undefined ? Number(m[1]) : undefined;
}

function applies(v: CatalogVersion, major: number): boolean {
  return (v.since === undefined || major >= Number(v.since)) && (v.until === undefined || major < Number(v.until));
}

/** Matches by image string: a large file names the same few images thousands of times, and several checks ask. */
const matches = new Map<string, CatalogMatch | undefined>();
const MATCH_CACHE_LIMIT = 10_000;

/**
 * The catalog entry of an image reference. References with variables are read as Compose
 * reads them, from `vars` (the environment and .env, given by the caller); a variable that
 * is not set counts as empty, so the repository still matches (`postgres:${V}` is postgres).
 */
export function matchImage(image: unknown, vars: Variables = {}): CatalogMatch | undefined {
  if (typeof image !== 'string') return undefined;
  if (!image.includes('$')) return cached(image);
  const interpolated = interpolate(image, vars);
  const found = cached(tidyUnresolved(interpolated.value, interpolated.unset.length + interpolated.problems.length > 0));
  return found && { ...found, interpolated };
}

function cached(image: string): CatalogMatch | undefined {
  if (matches.has(image)) return matches.get(image);
  const found = matchUncached(image);
  if (matches.size < MATCH_CACHE_LIMIT) matches.set(image, found);
  return found;
}

/** What an empty variable leaves behind: `postgres:`, `/postgres:16`, `postgres@`. */
function tidyUnresolved(image: string, unresolved: boolean): string {
  return unresolved ? trimEndOf(trimStartOf(image.trim(), '/'), ':@').replace(/:@/, '@') : image;
}

function matchUncached(image: string): CatalogMatch | undefined {
  const ref = parseImageRef(image);
  if (!ref) return undefined;
  const entry = index.get(ref.registry ? `${ref.registry}/${ref.repository}` : ref.repository);
  if (!entry) return undefined;
  const fromTag = majorOf(ref.tag, entry.versionIn);
  const versioned = Boolean(entry.versions?.length);
  const u = entry.unordered;
  const assume = (ref.tag !== undefined ? u?.tags?.[ref.tag] : undefined) ?? u?.assume;
  const assumed = fromTag === undefined && versioned && u && assume !== undefined ? { ...u, assume } : undefined;
  const major = fromTag ?? (assumed ? Number(assumed.assume) : undefined);
  const version = major !== undefined ? entry.versions?.find((v) => applies(v, major)) : undefined;
  const variant = ref.tag !== undefined ? entry.variants?.find((v) => versionRule(v.tag).test(ref.tag!)) : undefined;
  if (variant) {
    return { entry, ref, ...(major !== undefined ? { major } : {}), uncertain: false, paths: variant.paths, declaresVolume: variant.declaresVolume ?? [], refuses: [], note: variant.note };
  }
  return {
    entry,
    ref,
    ...(major !== undefined ? { major } : {}),
    ...(assumed ? { assumed } : {}),
    ...(version ? { version } : {}),
    uncertain: versioned && fromTag === undefined,
    paths: version?.paths ?? entry.paths,
    declaresVolume: version?.declaresVolume ?? entry.declaresVolume ?? [],
    refuses: version?.refuses ?? [],
    note: version?.note ?? entry.note,
  };
}
