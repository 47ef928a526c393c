// Stage 3, resolve (src/resolve/resolve.ts), on its own: a table of blocks and what each
// resolves to (services, mounts, back-ends) or the diagnostics it reports (code, severity,
// path). Every input is deep-frozen: resolve must not edit what it is given.
import { describe, expect, it } from 'vitest';
import type { Diagnostic, YamlPath } from '../../src/diagnostics.js';
import type { BlockInfo, PersistenceInput, ResolvedMount, ResolvedService } from '../../src/model.js';
import { composeView } from '../../src/compose/view.js';
import { resolve } from '../../src/resolve/resolve.js';
import { BUILTIN_TABLE, patternTable, type PatternDef } from '../../src/patterns/index.js';
import { deepFreeze } from '../helpers/freeze.js';

const FILE = 'compose.yaml';
const P = ['x-persistence', 'services', 'db'] as const;
const B = (name: string): YamlPath => ['x-persistence', 'backends', name];
/** A service whose image the catalog does not know (mounts: cannot be left out). */
const APP = { db: { image: 'registry.example.com/acme/app:1' } };
const POSTGRES = { db: { image: 'postgres:16' } };

// Every declared back-end is checked whether used or not; the legacy presets (an info each) are declared only where used.
const CONVOY = { cv: { type: 'plugin', preset: 'convoy', options: { size: '10G' } } } as const;
const BACKENDS: PersistenceInput['backends'] = {
  nas: { type: 'nfs', address: '10.0.0.5', export: '/exports/app' },
  smb: { type: 'cifs', address: 'fs.local', share: 'data', username: 'svc', password: '${CIFS_PASSWORD}' },
  host: { type: 'hostpath', path: '/mnt/shared' },
  tmp: { type: 'plugin', driver: 'local', options: { type: 'tmpfs', device: 'tmpfs' } },
  ceph: { type: 'plugin', driver: 'rbd', level: 'host' },
};

/** A custom pattern (as a user directory would give one) to see params carried through. */
const CUSTOM: PatternDef = {
  name: 'custom', seedName: 'custom', level: 'container', summary: 'test', needsMounts: true,
  keys: ['mounts', 'params'], mountKeys: ['name'], swarm: 'ok', userDefined: true, template: '{}',
};

function run(block: PersistenceInput, services: Record<string, unknown> = APP, opts: { key?: BlockInfo['key']; policy?: { safePaths?: boolean }; table?: typeof BUILTIN_TABLE; volumes?: Record<string, unknown> } = {}) {
  const info: BlockInfo = deepFreeze({ key: opts.key ?? 'x-persistence', file: FILE, block });
  const view = deepFreeze(composeView({ services, ...(opts.volumes ? { volumes: opts.volumes } : {}) }));
  return resolve(info, view, opts.table ?? BUILTIN_TABLE, opts.policy ?? {});
}

/** A resolved mount, with the defaults resolve fills in. */
const mount = (target: string, name: string, path: YamlPath, extra: Partial<ResolvedMount> = {}): ResolvedMount => ({
  target, name, nameGiven: false, readOnly: false, options: {}, path, ...extra,
});
const at = (i: number): YamlPath => [...P, 'mounts', i];

/** The back-end as name, type and level (its input is the block's, checked by reference below). */
function summary(s: ResolvedService): unknown {
  const { backend, ...rest } = s;
  if (!backend) return rest;
  const { input: _input, ...b } = backend;
  return { ...rest, backend: b };
}

const service = (pattern: string, mounts: ResolvedMount[], extra: Record<string, unknown> = {}) => ({
  service: 'db', pattern, mounts, image: 'busybox:latest', path: [...P], ...extra,
});

interface Ok {
  name: string;
  block: PersistenceInput;
  services?: Record<string, unknown>;
  policy?: { safePaths?: boolean };
  expected: unknown[];
  /** Diagnostics that are not errors, as [code, severity, path]. */
  notes?: [string, string, YamlPath][];
}

const ok: Ok[] = [
  { name: 'none: no mounts, nothing but the pattern', block: { services: { db: { pattern: 'none' } } }, expected: [service('none', [])] },
  { name: 'none keeps its reason', block: { services: { db: { pattern: 'none', reason: 'cache only' } } }, expected: [service('none', [], { reason: 'cache only' })] },
  { name: 'volume: name from the last segment', block: { services: { db: { pattern: 'volume', mounts: ['/var/lib/postgresql/data'] } } }, expected: [service('volume', [mount('/var/lib/postgresql/data', 'db-data', at(0))])] },
  { name: 'volume: a trailing slash is dropped from target and name', block: { services: { db: { pattern: 'volume', mounts: ['/srv/My Data/'] } } }, expected: [service('volume', [mount('/srv/My Data', 'db-My-Data', at(0))])] },
  { name: 'volume: default: pattern applies', block: { default: 'volume', services: { db: { mounts: ['/data'] } } }, expected: [service('volume', [mount('/data', 'db-data', at(0))])] },
  { name: 'volume: own name and read_only', block: { services: { db: { pattern: 'volume', mounts: [{ target: '/data', name: 'pgdata', read_only: true }] } } }, expected: [service('volume', [mount('/data', 'pgdata', at(0), { nameGiven: true, readOnly: true })])] },
  { name: 'volume: mounts from the catalog point at the service', block: { services: { db: { pattern: 'volume' } } }, services: POSTGRES, expected: [service('volume', [mount('/var/lib/postgresql/data', 'db-data', P)])] },
  { name: 'volume: the catalog path follows the major version (postgres 18)', block: { services: { db: { pattern: 'volume' } } }, services: { db: { image: 'postgres:18' } }, expected: [service('volume', [mount('/var/lib/postgresql', 'db-postgresql', P)])] },
  { name: 'volume: node: is carried (plan uses it on Swarm)', block: { services: { db: { pattern: 'volume', node: 'n1', mounts: ['/data'] } } }, expected: [service('volume', [mount('/data', 'db-data', at(0))], { node: 'n1' })] },
  { name: 'keep: true on the service keeps every volume under its own name', block: { services: { db: { pattern: 'volume', keep: true, mounts: ['/a', { target: '/b', name: 'bee' }] } } }, expected: [service('volume', [mount('/a', 'db-a', at(0), { keep: 'db-a' }), mount('/b', 'bee', at(1), { nameGiven: true, keep: 'bee' })])] },
  { name: 'keep: a string is the fixed engine name; keep: false opts one mount out', block: { services: { db: { pattern: 'volume', keep: true, mounts: [{ target: '/a', keep: 'prod-a' }, { target: '/b', keep: false }] } } }, expected: [service('volume', [mount('/a', 'db-a', at(0), { keep: 'prod-a' }), mount('/b', 'db-b', at(1))])] },
  { name: 'data-container: the helper image is the service\'s image:', block: { services: { db: { pattern: 'data-container', image: 'alpine:3.20', mounts: ['/data'] } } }, expected: [service('data-container', [mount('/data', 'db-data', at(0))], { image: 'alpine:3.20' })] },
  { name: 'bind: default source ./data/<name>', block: { services: { db: { pattern: 'bind', mounts: ['/data'] } } }, expected: [service('bind', [mount('/data', 'db-data', at(0), { source: './data/db-data' })])] },
  { name: 'bind: a bare source becomes ./source (else Compose reads a volume name)', block: { services: { db: { pattern: 'bind', mounts: [{ target: '/data', source: 'pg' }, { target: '/logs', source: '${LOGS}' }, { target: '/home', source: '~/h' }] } } }, expected: [service('bind', [mount('/data', 'db-data', at(0), { source: './pg' }), mount('/logs', 'db-logs', at(1), { source: '${LOGS}' }), mount('/home', 'db-home', at(2), { source: '~/h' })])] },
  { name: 'bind with owner: one part with the owner', block: { services: { db: { pattern: 'bind', owner: '999:999', mounts: ['/data'] } } }, expected: [service('bind', [mount('/data', 'db-data', at(0), { source: './data/db-data' })], { owner: '999:999' })] },
  { name: 'bind: a mount\'s owner over none on the service', block: { services: { db: { pattern: 'bind', mounts: [{ target: '/data', owner: '70:70' }] } } }, expected: [service('bind', [mount('/data', 'db-data', at(0), { source: './data/db-data' })], { owner: '70:70' })] },
  { name: 'bind: a mount\'s owner equal to the service\'s stays one part', block: { services: { db: { pattern: 'bind', owner: '1:1', mounts: ['/a', { target: '/b', owner: '1:1' }] } } }, expected: [service('bind', [mount('/a', 'db-a', at(0), { source: './data/db-a' }), mount('/b', 'db-b', at(1), { source: './data/db-b' })], { owner: '1:1' })] },
  { name: 'shared nfs: back-end by name, sub-path = volume name', block: { backends: BACKENDS, services: { db: { pattern: 'shared', backend: 'nas', mounts: ['/data'] } } }, expected: [service('shared', [mount('/data', 'db-data', at(0), { subPath: 'db-data' })], { backend: { name: 'nas', type: 'nfs', level: 'host' } })] },
  { name: 'shared: path: sets the sub-path ("." is the root)', block: { backends: BACKENDS, services: { db: { pattern: 'shared', backend: 'nas', mounts: [{ target: '/a', path: 'pg/a' }, { target: '/b', path: '.' }] } } }, expected: [service('shared', [mount('/a', 'db-a', at(0), { subPath: 'pg/a' }), mount('/b', 'db-b', at(1), { subPath: '.' })], { backend: { name: 'nas', type: 'nfs', level: 'host' } })] },
  { name: 'shared cifs with the password as ${VAR}: no diagnostic', block: { backends: BACKENDS, services: { db: { pattern: 'shared', backend: 'smb', mounts: ['/data'] } } }, expected: [service('shared', [mount('/data', 'db-data', at(0), { subPath: 'db-data' })], { backend: { name: 'smb', type: 'cifs', level: 'host' } })] },
  { name: 'shared hostpath, kept', block: { backends: BACKENDS, services: { db: { pattern: 'shared', backend: 'host', keep: true, mounts: ['/data'] } } }, expected: [service('shared', [mount('/data', 'db-data', at(0), { subPath: 'db-data', keep: 'db-data' })], { backend: { name: 'host', type: 'hostpath', level: 'host' } })] },
  { name: 'plugin preset convoy: flagged as legacy (info)', block: { backends: { ...BACKENDS, ...CONVOY }, services: { db: { pattern: 'plugin', backend: 'cv', mounts: [{ target: '/data', options: { size: '20G' } }] } } }, expected: [service('plugin', [mount('/data', 'db-data', at(0), { options: { size: '20G' } })], { backend: { name: 'cv', type: 'plugin', level: 'host', preset: 'convoy' } })], notes: [['LEGACY_PLUGIN', 'info', [...B('cv'), 'preset']]] },
  { name: 'plugin: driver rexray/ebs gets the rexray preset\'s checks', block: { backends: { rex: { type: 'plugin', driver: 'rexray/ebs', options: { size: '10' } } }, services: { db: { pattern: 'plugin', backend: 'rex', mounts: ['/data'] } } }, expected: [service('plugin', [mount('/data', 'db-data', at(0))], { backend: { name: 'rex', type: 'plugin', level: 'host', preset: 'rexray' } })], notes: [['LEGACY_PLUGIN', 'info', [...B('rex'), 'driver']]] },
  { name: 'plugin: the local driver with type tmpfs is level none', block: { backends: BACKENDS, services: { db: { pattern: 'plugin', backend: 'tmp', mounts: ['/data'] } } }, expected: [service('plugin', [mount('/data', 'db-data', at(0))], { backend: { name: 'tmp', type: 'plugin', level: 'none' } })] },
  { name: 'plugin inline: driver: and driver_opts: on the service', block: { services: { db: { pattern: 'plugin', driver: 'rbd', driver_opts: { pool: 'fast' }, mounts: ['/data'] } } }, expected: [service('plugin', [mount('/data', 'db-data', at(0))], { backend: { name: 'db (inline)', type: 'plugin', level: 'host', inline: true } })] },
  { name: 'a mount\'s pattern over the service\'s: one part per pattern', block: { services: { db: { pattern: 'volume', mounts: ['/v', { target: '/b', pattern: 'bind' }] } } }, expected: [service('volume', [mount('/v', 'db-v', at(0))]), service('bind', [mount('/b', 'db-b', at(1), { source: './data/db-b' })])] },
  { name: 'owner: on a volume service applies to its bind mounts', block: { services: { db: { pattern: 'volume', owner: '1:1', mounts: ['/v', { target: '/b', pattern: 'bind' }] } } }, expected: [service('volume', [mount('/v', 'db-v', at(0))]), service('bind', [mount('/b', 'db-b', at(1), { source: './data/db-b' })], { owner: '1:1' })] },
  { name: 'a mount of pattern none in a volume service: nothing kept there', block: { services: { db: { pattern: 'volume', mounts: ['/v', { target: '/tmp/cache', pattern: 'none' }] } } }, expected: [service('volume', [mount('/v', 'db-v', at(0))]), service('none', [mount('/tmp/cache', 'db-cache', at(1))])] },
  { name: 'a mount\'s back-end over the service\'s: one part per back-end', block: { backends: BACKENDS, services: { db: { pattern: 'shared', backend: 'nas', mounts: ['/a', { target: '/b', backend: 'host' }] } } }, expected: [service('shared', [mount('/a', 'db-a', at(0), { subPath: 'db-a' })], { backend: { name: 'nas', type: 'nfs', level: 'host' } }), service('shared', [mount('/b', 'db-b', at(1), { subPath: 'db-b' })], { backend: { name: 'host', type: 'hostpath', level: 'host' } })] },
  { name: 'a shared mount with its own back-end in a volume service', block: { backends: BACKENDS, services: { db: { pattern: 'volume', mounts: ['/v', { target: '/s', pattern: 'shared', backend: 'nas' }] } } }, expected: [service('volume', [mount('/v', 'db-v', at(0))]), service('shared', [mount('/s', 'db-s', at(1), { subPath: 'db-s' })], { backend: { name: 'nas', type: 'nfs', level: 'host' } })] },
  { name: 'image: on a volume service is ignored with a warning', block: { services: { db: { pattern: 'volume', image: 'alpine', mounts: ['/data'] } } }, expected: [service('volume', [mount('/data', 'db-data', at(0))], { image: 'alpine' })], notes: [['OPTION_NOT_FOR_PATTERN', 'warning', [...P, 'image']]] },
  { name: 'reason: on a volume service is ignored with a warning (still carried)', block: { services: { db: { pattern: 'volume', reason: 'r', mounts: ['/data'] } } }, expected: [service('volume', [mount('/data', 'db-data', at(0))], { reason: 'r' })], notes: [['OPTION_NOT_FOR_PATTERN', 'warning', [...P, 'reason']]] },
  { name: 'source: on a volume mount is ignored with a warning', block: { services: { db: { pattern: 'volume', mounts: [{ target: '/data', source: './x' }] } } }, expected: [service('volume', [mount('/data', 'db-data', at(0))])], notes: [['OPTION_NOT_FOR_PATTERN', 'warning', [...at(0), 'source']]] },
  { name: 'bind source /etc: a warning without safe-paths', block: { services: { db: { pattern: 'bind', mounts: [{ target: '/data', source: '/etc/app' }] } } }, expected: [service('bind', [mount('/data', 'db-data', at(0), { source: '/etc/app' })])], notes: [['UNSAFE_PATH', 'warning', [...at(0), 'source']]] },
  { name: 'params of a user pattern are carried', block: { services: { db: { pattern: 'custom', params: { n: 1 }, mounts: ['/data'] } } }, expected: [service('custom', [mount('/data', 'db-data', at(0))], { params: { n: 1 } })] },
];

describe('resolve: what a block resolves to', () => {
  it.each(ok)('$name', ({ block, services, policy, expected, notes }) => {
    const r = run(block, services, { policy, table: patternTable([CUSTOM]) });
    expect(r.diagnostics.map((d) => [d.code, d.severity, d.path])).toEqual(notes ?? []);
    expect(r.value!.services.map(summary)).toEqual(expected);
  });

  it('a back-end keeps the block\'s input object (plan makes the driver from it)', () => {
    const block = deepFreeze({ backends: BACKENDS, services: { db: { pattern: 'shared', backend: 'nas', mounts: ['/data'] } } });
    expect(run(block).value!.services[0]!.backend!.input).toBe(BACKENDS!.nas);
  });

  it('the spec carries the block key, file, require and safe-paths (the --safe-paths policy sets it)', () => {
    const block: PersistenceInput = { require: 'container', services: { db: { pattern: 'none' } } };
    expect(run(block, APP, { key: 'persistence' }).value).toEqual({ blockKey: 'persistence', file: FILE, require: 'container', safePaths: false, services: [service('none', [], { path: ['persistence', 'services', 'db'] })] });
    expect(run(block, APP, { policy: { safePaths: true } }).value!.safePaths).toBe(true);
  });

  it('a service the block does not list is not resolved; services keep the block\'s order', () => {
    const r = run({ services: { b: { pattern: 'none' }, a: { pattern: 'none' } } }, { a: {}, b: {}, c: {} });
    expect(r.value!.services.map((s) => s.service)).toEqual(['b', 'a']);
  });
});

interface Bad {
  name: string;
  block: PersistenceInput;
  services?: Record<string, unknown>;
  policy?: { safePaths?: boolean };
  volumes?: Record<string, unknown>;
  /** Every diagnostic, as [code, severity, path]. */
  expected: [string, Diagnostic['severity'], YamlPath][];
  /** The services resolve still returns (value undefined: none at all). */
  left?: string[] | undefined;
}

const e = (code: string, path: YamlPath): [string, 'error', YamlPath] => [code, 'error', path];

const bad: Bad[] = [
  { name: 'services: is not a mapping', block: { services: { db: { pattern: 'none' } } }, services: 'hello' as unknown as Record<string, unknown>, expected: [e('NOT_A_MAPPING', ['services'])], left: undefined },
  { name: 'a listed service that is empty', block: { services: { db: { pattern: 'none' } } }, services: { db: null }, expected: [e('NOT_A_MAPPING', ['services', 'db'])], left: [] },
  { name: 'a service the file does not define', block: { services: { dbb: { pattern: 'none' } } }, expected: [e('UNKNOWN_SERVICE', ['x-persistence', 'services', 'dbb'])], left: [] },
  { name: 'no pattern and no default:', block: { services: { db: { mounts: ['/data'] } } }, expected: [e('SCHEMA_REQUIRED', P)], left: [] },
  { name: 'an unknown pattern', block: { services: { db: { pattern: 'volumes', mounts: ['/data'] } } }, expected: [e('UNKNOWN_PATTERN', [...P, 'pattern'])], left: [] },
  { name: 'an unknown default: is reported at default:', block: { default: 'vol', services: { db: { mounts: ['/data'] } } }, expected: [e('UNKNOWN_PATTERN', ['x-persistence', 'default'])], left: [] },
  { name: 'an unknown pattern on a mount', block: { services: { db: { pattern: 'volume', mounts: ['/a', { target: '/b', pattern: 'nope' }] } } }, expected: [e('UNKNOWN_PATTERN', [...at(1), 'pattern'])], left: [] },
  { name: 'keep: on a bind service', block: { services: { db: { pattern: 'bind', keep: true, mounts: ['/data'] } } }, expected: [e('KEEP_NOT_FOR_PATTERN', [...P, 'keep'])], left: [] },
  { name: 'keep: on a none service', block: { services: { db: { pattern: 'none', keep: true } } }, expected: [e('KEEP_NOT_FOR_PATTERN', [...P, 'keep'])], left: [] },
  { name: 'keep: on a bind mount', block: { services: { db: { pattern: 'volume', mounts: [{ target: '/data', pattern: 'bind', keep: true }] } } }, expected: [e('KEEP_NOT_FOR_PATTERN', [...at(0), 'keep'])], left: [] },
  { name: 'owner: on a volume service', block: { services: { db: { pattern: 'volume', owner: '1:1', mounts: ['/data'] } } }, expected: [e('OWNER_WITHOUT_BIND', [...P, 'owner'])], left: [] },
  { name: 'owner: on a volume mount', block: { services: { db: { pattern: 'volume', mounts: [{ target: '/data', owner: '1:1' }] } } }, expected: [e('OWNER_WITHOUT_BIND', [...at(0), 'owner'])], left: [] },
  { name: 'two owners for one init service', block: { services: { db: { pattern: 'bind', owner: '1:1', mounts: ['/a', { target: '/b', owner: '2:2' }] } } }, expected: [e('OWNER_WITHOUT_BIND', [...P, 'mounts'])], left: [] },
  { name: 'mounts: [] for a pattern that needs one', block: { services: { db: { pattern: 'volume', mounts: [] } } }, expected: [e('NO_MOUNTS', [...P, 'mounts'])], left: [] },
  { name: 'no mounts: and an image the catalog does not know', block: { services: { db: { pattern: 'bind' } } }, expected: [e('NO_MOUNTS', P)], left: [] },
  { name: 'a relative target (short form)', block: { services: { db: { pattern: 'volume', mounts: ['data'] } } }, expected: [e('RELATIVE_TARGET', at(0))], left: [] },
  { name: 'a relative target (long form)', block: { services: { db: { pattern: 'volume', mounts: [{ target: 'data' }] } } }, expected: [e('RELATIVE_TARGET', [...at(0), 'target'])], left: [] },
  { name: 'a target with ":"', block: { services: { db: { pattern: 'volume', mounts: ['/a:b'] } } }, expected: [e('BAD_PATH', at(0))], left: [] },
  { name: 'a target with a ".." segment', block: { services: { db: { pattern: 'volume', mounts: ['/a/../etc'] } } }, expected: [e('BAD_PATH', at(0))], left: [] },
  { name: 'a target segment over 255 bytes', block: { services: { db: { pattern: 'volume', mounts: [`/${'x'.repeat(256)}`] } } }, expected: [e('SCHEMA_RANGE', at(0))], left: [] },
  { name: 'a generated name over 255 characters', block: { services: { db: { pattern: 'volume', mounts: [`/${'x'.repeat(253)}`] } } }, expected: [e('SCHEMA_RANGE', at(0))], left: [] },
  { name: 'the same target twice (a trailing slash is the same)', block: { services: { db: { pattern: 'volume', mounts: ['/data', '/data/'] } } }, expected: [e('DUPLICATE_TARGET', at(1))], left: [] },
  { name: 'a target the service already mounts', block: { services: { db: { pattern: 'volume', mounts: ['/data'] } } }, services: { db: { image: 'x', volumes: ['old:/data/'] } }, expected: [e('MOUNT_CONFLICT', at(0))], left: [] },
  { name: 'two targets with the same last segment', block: { services: { db: { pattern: 'volume', mounts: ['/a/data', '/b/data'] } } }, expected: [e('NAME_COLLISION', at(1))], left: [] },
  { name: 'an undeclared back-end', block: { backends: BACKENDS, services: { db: { pattern: 'shared', backend: 'nass', mounts: ['/data'] } } }, expected: [e('UNKNOWN_BACKEND', [...P, 'backend'])], left: [] },
  { name: 'a plugin back-end for pattern shared', block: { backends: BACKENDS, services: { db: { pattern: 'shared', backend: 'ceph', mounts: ['/data'] } } }, expected: [e('BACKEND_KIND', [...P, 'backend'])], left: [] },
  { name: 'an nfs back-end for pattern plugin, on a mount', block: { backends: BACKENDS, services: { db: { pattern: 'volume', mounts: [{ target: '/data', pattern: 'plugin', backend: 'nas' }] } } }, expected: [e('BACKEND_KIND', [...at(0), 'backend'])], left: [] },
  { name: 'pattern shared without backend:', block: { backends: BACKENDS, services: { db: { pattern: 'shared', mounts: ['/data'] } } }, expected: [e('MISSING_BACKEND', P)], left: [] },
  { name: 'pattern shared without mounts still reports the missing back-end', block: { backends: BACKENDS, services: { db: { pattern: 'shared', mounts: [] } } }, expected: [e('NO_MOUNTS', [...P, 'mounts']), e('MISSING_BACKEND', P)], left: [] },
  { name: 'a shared mount without a back-end in a volume service', block: { backends: BACKENDS, services: { db: { pattern: 'volume', mounts: [{ target: '/data', pattern: 'shared' }] } } }, expected: [e('MISSING_BACKEND', [...at(0), 'pattern'])], left: [] },
  { name: 'backend: and driver: both on a plugin service', block: { backends: BACKENDS, services: { db: { pattern: 'plugin', backend: 'ceph', driver: 'rbd', mounts: ['/data'] } } }, expected: [e('SCHEMA_FORMAT', [...P, 'backend'])], left: [] },
  { name: 'driver_opts: without driver:', block: { services: { db: { pattern: 'plugin', driver_opts: { a: 1 }, mounts: ['/data'] } } }, expected: [e('MISSING_BACKEND', [...P, 'driver_opts'])], left: [] },
  { name: 'a plugin back-end with neither driver: nor preset:', block: { backends: { p: { type: 'plugin' } }, services: { db: { pattern: 'none' } } }, expected: [e('MISSING_BACKEND', [...B('p'), 'driver'])], left: ['db:none'] },
  { name: 'nfs export not absolute', block: { backends: { n: { type: 'nfs', address: 'h', export: 'exports/app' } }, services: { db: { pattern: 'none' } } }, expected: [e('BAD_PATH', [...B('n'), 'export'])], left: ['db:none'] },
  { name: 'nfs: an option with a comma, and uid (CIFS only)', block: { backends: { n: { type: 'nfs', address: 'h', export: '/e', options: ['rw,sync', 'uid=1'] } }, services: { db: { pattern: 'none' } } }, expected: [e('SCHEMA_FORMAT', [...B('n'), 'options', 0]), e('SCHEMA_FORMAT', [...B('n'), 'options', 1])], left: ['db:none'] },
  { name: 'nfs: version: and a differing nfsvers= option (a warning; version: wins)', block: { backends: { n: { type: 'nfs', address: 'h', export: '/e', version: 4, options: ['nfsvers=3'] } }, services: { db: { pattern: 'none' } } }, expected: [['SCHEMA_FORMAT', 'warning', [...B('n'), 'options', 0]]], left: ['db:none'] },
  { name: 'cifs: a literal password (warning)', block: { backends: { s: { type: 'cifs', address: 'h', share: 'd', password: 'hunter2' } }, services: { db: { pattern: 'none' } } }, expected: [['LITERAL_SECRET', 'warning', [...B('s'), 'password']]], left: ['db:none'] },
  { name: 'cifs: a literal password under require: is an error', block: { require: 'none', backends: { s: { type: 'cifs', address: 'h', share: 'd', password: '${P:-hunter2}' } }, services: { db: { pattern: 'none' } } }, expected: [e('LITERAL_SECRET', [...B('s'), 'password'])], left: ['db:none'] },
  { name: 'cifs: share given as a path', block: { backends: { s: { type: 'cifs', address: 'h', share: '//h/data' } }, services: { db: { pattern: 'none' } } }, expected: [e('BAD_PATH', [...B('s'), 'share'])], left: ['db:none'] },
  { name: 'hostpath: a relative path', block: { backends: { h: { type: 'hostpath', path: 'mnt/shared' } }, services: { db: { pattern: 'none' } } }, expected: [e('BAD_PATH', [...B('h'), 'path'])], left: ['db:none'] },
  { name: 'hostpath: a sensitive path (warning)', block: { backends: { h: { type: 'hostpath', path: '/var/lib/docker' } }, services: { db: { pattern: 'none' } } }, expected: [['UNSAFE_PATH', 'warning', [...B('h'), 'path']]], left: ['db:none'] },
  { name: 'rexray size with a unit (ignored by REX-Ray)', block: { backends: { r: { type: 'plugin', preset: 'rexray', options: { size: '10G' } } }, services: { db: { pattern: 'none' } } }, expected: [['LEGACY_PLUGIN', 'info', [...B('r'), 'preset']], e('PRESET_OPTION', [...B('r'), 'options', 'size'])], left: ['db:none'] },
  { name: 'a mount option of the wrong shape for the preset', block: { backends: { ...BACKENDS, ...CONVOY }, services: { db: { pattern: 'plugin', backend: 'cv', mounts: [{ target: '/data', options: { size: 'big', colour: 'red' } }] } } }, expected: [['LEGACY_PLUGIN', 'info', [...B('cv'), 'preset']], e('PRESET_OPTION', [...at(0), 'options', 'size']), ['PRESET_OPTION', 'warning', [...at(0), 'options', 'colour']]], left: ['db:plugin'] },
  { name: 'a shared mount path: that climbs out of the share', block: { backends: BACKENDS, services: { db: { pattern: 'shared', backend: 'nas', mounts: [{ target: '/data', path: '../other' }] } } }, expected: [e('BAD_PATH', [...at(0), 'path'])], left: [] },
  { name: 'a bind source with ":"', block: { services: { db: { pattern: 'bind', mounts: [{ target: '/data', source: './a:b' }] } } }, expected: [e('BAD_PATH', [...at(0), 'source'])], left: [] },
  { name: 'a bind source under /etc with safe-paths: true', block: { 'safe-paths': true, services: { db: { pattern: 'bind', mounts: [{ target: '/data', source: '/etc/app' }] } } }, expected: [e('UNSAFE_PATH', [...at(0), 'source'])], left: [] },
  { name: 'a bind source leaving the project with --safe-paths', block: { services: { db: { pattern: 'bind', mounts: [{ target: '/data', source: '../up' }] } } }, policy: { safePaths: true }, expected: [e('UNSAFE_PATH', [...at(0), 'source'])], left: [] },
  { name: 'a local-driver mount turned into a bind of / by its options', block: { backends: { l: { type: 'plugin', driver: 'local' } }, 'safe-paths': true, services: { db: { pattern: 'plugin', backend: 'l', mounts: [{ target: '/data', options: { type: 'none', o: 'bind', device: '/' } }] } } }, expected: [e('UNSAFE_PATH', [...at(0), 'options'])], left: [] },
];

describe('resolve: what each stage-3 check reports', () => {
  it.each(bad)('$name', ({ block, services, policy, expected, left }) => {
    const r = run(block, services, { policy });
    const got = r.diagnostics.map((d) => [d.code, d.severity, d.path]);
    const sort = (l: unknown[]) => l.map((x) => JSON.stringify(x)).sort();
    expect(sort(got)).toEqual(sort(expected));
    // Every diagnostic names the file and says something.
    for (const d of r.diagnostics) expect(d.file === FILE && d.message.length > 0).toBe(true);
    expect(r.value?.services.map((s) => `${s.service}:${s.pattern}`)).toEqual(left);
  });
});

describe('resolve: a plugin part\'s level', () => {
  // Found by this table: the loop kept the level of the last mount whose level differed, not the
  // lowest, so a local-driver back-end on NFS with a tmpfs mount first and a plain mount after was
  // planned at host (require: host passed while /a was lost at every stop).
  it('a part with a tmpfs mount is level none whatever the mounts\' order', () => {
    const block = (mounts: PersistenceInput['services']): PersistenceInput => ({ backends: { l: { type: 'plugin', driver: 'local', options: { type: 'nfs', o: 'addr=h', device: ':/e' } } }, services: mounts });
    const tmpfs = { target: '/a', options: { type: 'tmpfs', device: 'tmpfs' } };
    const levels = [[tmpfs, '/b'], ['/b', tmpfs]].map((mounts) => run(block({ db: { pattern: 'plugin', backend: 'l', mounts } })).value!.services[0]!.backend!.level);
    expect(levels).toEqual(['none', 'none']);
  });
});

describe('resolve: bind sources with ${...}', () => {
  // Found by this table: ${DIR:-./pg} was refused with BAD_PATH 'holds ":", which Compose reads as a
  // separator', though Compose interpolates before it splits the short form, explain reads the same
  // text written by hand as a bind, and unsafeHostPath reads ${X:-/etc} by its default.
  it('a bind source ${VAR:-./dir} is taken (the ":" is inside ${...})', () => {
    const r = run({ services: { db: { pattern: 'bind', mounts: [{ target: '/data', source: '${PGDATA_DIR:-./pg}' }] } } });
    expect(r.diagnostics).toEqual([]);
    expect(r.value!.services[0]!.mounts[0]!.source).toBe('${PGDATA_DIR:-./pg}');
  });
  it('a ":" outside ${...} is still refused', () => {
    for (const source of ['${BASE:-.}/a:b', '${DIR:-./a:b}']) {
      // the second: Compose interpolates the default first, and then reads ./a:b as two parts
      const r = run({ services: { db: { pattern: 'bind', mounts: [{ target: '/data', source }] } } });
      expect(r.diagnostics.map((d) => d.code), source).toEqual(['BAD_PATH']);
    }
  });
});
