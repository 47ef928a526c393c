// Stage 4, plan (src/plan/plan.ts), on its own: resolved services, written out here, and the
// ServicePlan each becomes (volumes with their driver, binds, sidecar, init service, level,
// explain lines) per target, or the diagnostics plan reports (Swarm support, generated names).
// Every input is deep-frozen: plan must not edit what it is given.
import { describe, expect, it } from 'vitest';
import type { YamlPath } from '../../src/diagnostics.js';
import type { BackendInput, Level, ResolvedBackend, ResolvedMount, ResolvedService, ResolvedSpec, ServicePlan, Target } from '../../src/model.js';
import { composeView } from '../../src/compose/view.js';
import { plan } from '../../src/plan/plan.js';
import { patternTable, type PatternDef } from '../../src/patterns/index.js';
import { deepFreeze } from '../helpers/freeze.js';

const FILE = 'compose.yaml';
const P = (service = 'db'): YamlPath => ['x-persistence', 'services', service];
const CUSTOM: PatternDef = {
  name: 'custom', seedName: 'custom', level: 'container', summary: 'a test pattern', needsMounts: true,
  keys: ['mounts', 'params'], mountKeys: ['name'], swarm: 'ok', userDefined: true, template: '{}',
};
const TABLE = patternTable([CUSTOM]);

const mnt = (target: string, name: string, extra: Partial<ResolvedMount> = {}): ResolvedMount => ({
  target, name, nameGiven: false, readOnly: false, options: {}, path: [...P(), 'mounts', 0], ...extra,
});
const svc = (pattern: string, mounts: ResolvedMount[], extra: Partial<ResolvedService> = {}): ResolvedService => ({
  service: 'db', pattern, mounts, image: 'busybox:latest', path: P(extra.service), ...extra,
});
const be = (name: string, input: BackendInput, level: Level = 'host'): ResolvedBackend => ({ name, type: input.type, level, input });

const NAS = be('nas', { type: 'nfs', address: '10.0.0.5', export: '/exports/app' });
const NAS3 = be('nas3', { type: 'nfs', address: 'h', export: '/e', version: 3 });
const NAS_SOFT = be('soft', { type: 'nfs', address: 'h', export: '/e/', options: ['soft', 'timeo=30', 'nfsvers=4.1'] });
const SMB = be('smb', { type: 'cifs', address: 'fs.local', share: 'data', username: 'svc', password: '${CIFS_PASSWORD}', uid: 1000 });
const HOST = be('host', { type: 'hostpath', path: '/mnt/shared/' });
const CONVOY = be('cv', { type: 'plugin', preset: 'convoy', options: { size: '10G', iops: 100 } });
const TMPFS = be('tmp', { type: 'plugin', driver: 'local', options: { type: 'tmpfs', device: 'tmpfs' } }, 'none');

function run(services: ResolvedService[], target: Target = 'compose', compose: Record<string, unknown> = { services: { db: { image: 'x' }, app: { image: 'y' } } }) {
  const spec: ResolvedSpec = deepFreeze({ blockKey: 'x-persistence', file: FILE, safePaths: false, services });
  const view = deepFreeze(composeView(compose));
  return plan(spec, view, TABLE, target);
}

/** The plan of db with the fields plan always fills. */
const planned = (pattern: string, level: Level, extra: Partial<ServicePlan> = {}): ServicePlan => ({
  service: 'db', pattern, level, volumes: [], binds: [], generated: [], path: P(), ...extra,
});

interface Case {
  name: string;
  services: ResolvedService[];
  target?: Target;
  compose?: Record<string, unknown>;
  expected: ServicePlan[];
  /** Diagnostics, as [code, severity, path]. */
  diagnostics?: [string, string, YamlPath][];
}

const nfsDriver = (o: string, device: string) => ({ driver: 'local', driverOpts: { type: 'nfs', o, device } });

const cases: Case[] = [
  { name: 'none: nothing, level none', services: [svc('none', [])], expected: [planned('none', 'none')] },
  { name: 'none keeps its reason', services: [svc('none', [], { reason: 'cache' })], expected: [planned('none', 'none', { reason: 'cache' })] },
  { name: 'none on a mount: the target is listed as scratch', services: [svc('none', [mnt('/tmp/cache', 'db-cache')])], expected: [planned('none', 'none', { scratch: ['/tmp/cache'], generated: ['nothing at /tmp/cache: lost when the container is recreated'] })] },
  { name: 'volume: a plain local volume per mount', services: [svc('volume', [mnt('/data', 'db-data'), mnt('/logs', 'db-logs')])], expected: [planned('volume', 'container', { volumes: [{ name: 'db-data', target: '/data', readOnly: false }, { name: 'db-logs', target: '/logs', readOnly: false }], generated: ['volume db-data -> /data', 'volume db-logs -> /logs'] })] },
  { name: 'volume: a given name and read_only', services: [svc('volume', [mnt('/data', 'pg', { nameGiven: true, readOnly: true })])], expected: [planned('volume', 'container', { volumes: [{ name: 'pg', nameGiven: true, target: '/data', readOnly: true }], generated: ['volume pg -> /data'] })] },
  { name: 'volume kept: external with the fixed name', services: [svc('volume', [mnt('/data', 'db-data', { keep: 'prod-data' })])], expected: [planned('volume', 'container', { volumes: [{ name: 'db-data', target: '/data', readOnly: false, external: 'prod-data' }], generated: ['volume db-data -> /data', 'kept: external volume prod-data (survives docker compose down -v; create it with compose-persist volumes create)'] })] },
  { name: 'volume: node: is not planned for compose', services: [svc('volume', [mnt('/data', 'db-data')], { node: 'n1' })], expected: [planned('volume', 'container', { volumes: [{ name: 'db-data', target: '/data', readOnly: false }], generated: ['volume db-data -> /data'] })] },
  { name: 'volume on Swarm, not pinned: level none and a warning', target: 'swarm', services: [svc('volume', [mnt('/data', 'db-data')])], expected: [planned('volume', 'none', { volumes: [{ name: 'db-data', target: '/data', readOnly: false }], generated: ['volume db-data -> /data'] })], diagnostics: [['SWARM_PER_NODE', 'warning', [...P(), 'pattern']]] },
  { name: 'volume on Swarm pinned with node:', target: 'swarm', services: [svc('volume', [mnt('/data', 'db-data')], { node: 'n1' })], expected: [planned('volume', 'container', { node: 'n1', volumes: [{ name: 'db-data', target: '/data', readOnly: false }], generated: ['volume db-data -> /data', 'placement constraint node.hostname == n1'] })] },
  { name: 'data-container: a sidecar <service>-data with the helper image', services: [svc('data-container', [mnt('/data', 'db-data')], { image: 'alpine:3.20' })], expected: [planned('data-container', 'container', { volumes: [{ name: 'db-data', target: '/data', readOnly: false }], sidecar: { name: 'db-data', image: 'alpine:3.20' }, generated: ['volume db-data -> /data', 'sidecar service db-data (alpine:3.20) owning the volumes; volumes_from + depends_on'] })] },
  { name: 'data-container: the sidecar carries the service\'s profiles', compose: { services: { db: { image: 'x', profiles: ['debug', 'ops'] } } }, services: [svc('data-container', [mnt('/data', 'db-data')])], expected: [planned('data-container', 'container', { volumes: [{ name: 'db-data', target: '/data', readOnly: false }], sidecar: { name: 'db-data', image: 'busybox:latest', profiles: ['debug', 'ops'] }, generated: ['volume db-data -> /data', 'sidecar service db-data (busybox:latest) owning the volumes; volumes_from + depends_on'] })] },
  { name: 'data-container kept', services: [svc('data-container', [mnt('/data', 'db-data', { keep: 'db-data' })])], expected: [planned('data-container', 'container', { volumes: [{ name: 'db-data', target: '/data', readOnly: false, external: 'db-data' }], sidecar: { name: 'db-data', image: 'busybox:latest' }, generated: ['volume db-data -> /data', 'kept: external volume db-data (survives docker compose down -v; create it with compose-persist volumes create)', 'sidecar service db-data (busybox:latest) owning the volumes; volumes_from + depends_on'] })] },
  { name: 'data-container on Swarm is refused (volumes_from)', target: 'swarm', services: [svc('data-container', [mnt('/data', 'db-data')])], expected: [planned('data-container', 'container', { volumes: [{ name: 'db-data', target: '/data', readOnly: false }], sidecar: { name: 'db-data', image: 'busybox:latest' }, generated: ['volume db-data -> /data', 'sidecar service db-data (busybox:latest) owning the volumes; volumes_from + depends_on'] })], diagnostics: [['SWARM_UNSUPPORTED', 'error', [...P(), 'pattern']]] },
  { name: 'bind: a bind per mount, seen by an init at /mnt/<name>', services: [svc('bind', [mnt('/data', 'db-data', { source: './data/db-data' }), mnt('/etc/app', 'conf', { source: './conf', readOnly: true })])], expected: [planned('bind', 'container', { binds: [{ source: './data/db-data', target: '/data', readOnly: false, initTarget: '/mnt/db-data' }, { source: './conf', target: '/etc/app', readOnly: true, initTarget: '/mnt/conf' }], generated: ['bind ./data/db-data -> /data', 'bind ./conf -> /etc/app (read-only)'] })] },
  { name: 'bind with owner: an init service <service>-init', services: [svc('bind', [mnt('/data', 'db-data', { source: './d' })], { owner: '999:999' })], expected: [planned('bind', 'container', { binds: [{ source: './d', target: '/data', readOnly: false, initTarget: '/mnt/db-data' }], init: { name: 'db-init', image: 'busybox:latest', owner: '999:999' }, generated: ['bind ./d -> /data', 'init service db-init runs chown -R 999:999 once before db starts'] })] },
  { name: 'bind with owner: the init carries the profiles', compose: { services: { db: { image: 'x', profiles: ['p'] } } }, services: [svc('bind', [mnt('/data', 'db-data', { source: './d' })], { owner: '1:1' })], expected: [planned('bind', 'container', { binds: [{ source: './d', target: '/data', readOnly: false, initTarget: '/mnt/db-data' }], init: { name: 'db-init', image: 'busybox:latest', owner: '1:1', profiles: ['p'] }, generated: ['bind ./d -> /data', 'init service db-init runs chown -R 1:1 once before db starts'] })] },
  { name: 'bind with owner on Swarm, pinned: an init task', target: 'swarm', services: [svc('bind', [mnt('/data', 'db-data', { source: './d' })], { owner: '1:1', node: 'n2' })], expected: [planned('bind', 'container', { node: 'n2', binds: [{ source: './d', target: '/data', readOnly: false, initTarget: '/mnt/db-data' }], init: { name: 'db-init', image: 'busybox:latest', owner: '1:1' }, generated: ['bind ./d -> /data', 'init task db-init runs chown -R 1:1 (Swarm does not order services: db restarts until it has run)', 'placement constraint node.hostname == n2'] })] },
  { name: 'bind on Swarm without node: is an error', target: 'swarm', services: [svc('bind', [mnt('/data', 'db-data', { source: './d' })])], expected: [planned('bind', 'container', { binds: [{ source: './d', target: '/data', readOnly: false, initTarget: '/mnt/db-data' }], generated: ['bind ./d -> /data'] })], diagnostics: [['SWARM_NEEDS_NODE', 'error', [...P(), 'pattern']]] },
  { name: 'shared nfs: v4 by default, rw, sub-path under the export', services: [svc('shared', [mnt('/data', 'db-data', { subPath: 'db-data' })], { backend: NAS })], expected: [planned('shared', 'host', { backend: 'nas', volumes: [{ name: 'db-data', target: '/data', readOnly: false, driver: nfsDriver('addr=10.0.0.5,rw,nfsvers=4', ':/exports/app/db-data') }], generated: ['volume db-data -> /data (driver local, nfs)'] })] },
  { name: 'shared nfs v3: nolock and hard', services: [svc('shared', [mnt('/data', 'db-data', { subPath: '.' })], { backend: NAS3 })], expected: [planned('shared', 'host', { backend: 'nas3', volumes: [{ name: 'db-data', target: '/data', readOnly: false, driver: nfsDriver('addr=h,rw,nolock,hard,nfsvers=3', ':/e') }], generated: ['volume db-data -> /data (driver local, nfs)'] })] },
  { name: 'shared nfs: options replace the defaults; nfsvers= from options is the version', services: [svc('shared', [mnt('/data', 'db-data', { subPath: '/pg/' })], { backend: NAS_SOFT })], expected: [planned('shared', 'host', { backend: 'soft', volumes: [{ name: 'db-data', target: '/data', readOnly: false, driver: nfsDriver('addr=h,soft,timeo=30,nfsvers=4.1', ':/e/pg/') }], generated: ['volume db-data -> /data (driver local, nfs)'] })] },
  { name: 'shared cifs: credentials as written, vers 3.0 by default', services: [svc('shared', [mnt('/data', 'db-data', { subPath: 'db-data' })], { backend: SMB })], expected: [planned('shared', 'host', { backend: 'smb', volumes: [{ name: 'db-data', target: '/data', readOnly: false, driver: { driver: 'local', driverOpts: { type: 'cifs', o: 'addr=fs.local,username=svc,password=${CIFS_PASSWORD},vers=3.0,uid=1000', device: '//fs.local/data/db-data' } } }], generated: ['volume db-data -> /data (driver local, cifs)'] })] },
  { name: 'shared hostpath: a bind of the local driver', services: [svc('shared', [mnt('/data', 'db-data', { subPath: 'db-data' })], { backend: HOST })], expected: [planned('shared', 'host', { backend: 'host', volumes: [{ name: 'db-data', target: '/data', readOnly: false, driver: { driver: 'local', driverOpts: { type: 'none', o: 'bind', device: '/mnt/shared/db-data' } } }], generated: ['volume db-data -> /data (driver local, none)'] })] },
  { name: 'shared kept: external, with the driver volumes create uses', services: [svc('shared', [mnt('/data', 'db-data', { subPath: 'db-data', keep: 'db-data' })], { backend: HOST })], expected: [planned('shared', 'host', { backend: 'host', volumes: [{ name: 'db-data', target: '/data', readOnly: false, external: 'db-data', driver: { driver: 'local', driverOpts: { type: 'none', o: 'bind', device: '/mnt/shared/db-data' } } }], generated: ['volume db-data -> /data (driver local, none)', 'kept: external volume db-data (survives docker compose down -v; create it with compose-persist volumes create)'] })] },
  { name: 'shared on Swarm: no pin needed', target: 'swarm', services: [svc('shared', [mnt('/data', 'db-data', { subPath: 'db-data' })], { backend: HOST, node: 'n1' })], expected: [planned('shared', 'host', { node: 'n1', backend: 'host', volumes: [{ name: 'db-data', target: '/data', readOnly: false, driver: { driver: 'local', driverOpts: { type: 'none', o: 'bind', device: '/mnt/shared/db-data' } } }], generated: ['volume db-data -> /data (driver local, none)'] })] },
  { name: 'plugin preset: the preset\'s driver, mount options over the back-end\'s, as strings', services: [svc('plugin', [mnt('/data', 'db-data', { options: { size: '20G', backup: true } })], { backend: CONVOY })], expected: [planned('plugin', 'host', { backend: 'cv', volumes: [{ name: 'db-data', target: '/data', readOnly: false, driver: { driver: 'convoy', driverOpts: { size: '20G', iops: '100', backup: 'true' } } }], generated: ['volume db-data -> /data (driver convoy)'] })] },
  { name: 'plugin: the level is the back-end\'s', services: [svc('plugin', [mnt('/data', 'db-data')], { backend: TMPFS })], expected: [planned('plugin', 'none', { backend: 'tmp', volumes: [{ name: 'db-data', target: '/data', readOnly: false, driver: { driver: 'local', driverOpts: { type: 'tmpfs', device: 'tmpfs' } } }], generated: ['volume db-data -> /data (driver local, tmpfs)'] })] },
  { name: 'a user pattern: its summary in explain, its params carried', services: [svc('custom', [mnt('/data', 'db-data')], { params: { n: 1 } })], expected: [planned('custom', 'container', { params: { n: 1 }, volumes: [{ name: 'db-data', target: '/data', readOnly: false }], generated: ['volume db-data -> /data', 'user pattern custom: a test pattern'] })] },
  { name: 'two parts of one service stay two plans, in order', services: [svc('volume', [mnt('/v', 'db-v')]), svc('bind', [mnt('/b', 'db-b', { source: './b' })])], expected: [planned('volume', 'container', { volumes: [{ name: 'db-v', target: '/v', readOnly: false }], generated: ['volume db-v -> /v'] }), planned('bind', 'container', { binds: [{ source: './b', target: '/b', readOnly: false, initTarget: '/mnt/db-b' }], generated: ['bind ./b -> /b'] })] },
  { name: 'a given name two services mount the same way: one volume, explain says shared', services: [svc('volume', [mnt('/data', 'pg', { nameGiven: true })]), svc('volume', [mnt('/in', 'pg', { nameGiven: true })], { service: 'app' })], expected: [planned('volume', 'container', { volumes: [{ name: 'pg', nameGiven: true, target: '/data', readOnly: false }], generated: ['volume pg -> /data (shared with app)'] }), planned('volume', 'container', { service: 'app', path: P('app'), volumes: [{ name: 'pg', nameGiven: true, target: '/in', readOnly: false }], generated: ['volume pg -> /in (shared with db)'] })] },
  { name: 'a given name the file declares and mounts by hand: the same volume', compose: { services: { db: { image: 'x' }, app: { image: 'y', volumes: ['pg:/x'] } }, volumes: { pg: null } }, services: [svc('volume', [mnt('/data', 'pg', { nameGiven: true })])], expected: [planned('volume', 'container', { volumes: [{ name: 'pg', nameGiven: true, target: '/data', readOnly: false }], generated: ['volume pg -> /data (shared with app)'] })] },
];

describe('plan: what each resolved service becomes', () => {
  it.each(cases)('$name', ({ services, target, compose, expected, diagnostics }) => {
    const r = run(services, target, compose);
    expect(r.diagnostics.map((d) => [d.code, d.severity, d.path])).toEqual(diagnostics ?? []);
    expect(r.value).toEqual({ file: FILE, target: target ?? 'compose', services: expected });
  });
});

interface Bad {
  name: string;
  services: ResolvedService[];
  compose?: Record<string, unknown>;
  expected: [string, string, YamlPath][];
}

const m0 = (s = 'db'): YamlPath => [...P(s), 'mounts', 0];
const bad: Bad[] = [
  { name: 'a generated name the top-level volumes: already declares', compose: { services: { db: { image: 'x' } }, volumes: { 'db-data': {} } }, services: [svc('volume', [mnt('/data', 'db-data')])], expected: [['NAME_COLLISION', 'error', m0()]] },
  { name: 'a given name the file declares with a driver, planned as a plain volume', compose: { services: { db: { image: 'x' } }, volumes: { pg: { driver: 'rbd' } } }, services: [svc('volume', [mnt('/data', 'pg', { nameGiven: true })])], expected: [['SHARED_VOLUME_MISMATCH', 'error', m0()]] },
  { name: 'a given name the file declares plain, moved to NFS by the block', compose: { services: { db: { image: 'x' } }, volumes: { pg: {} } }, services: [svc('shared', [mnt('/data', 'pg', { nameGiven: true, subPath: 'pg' })], { backend: NAS })], expected: [['SHARED_VOLUME_MISMATCH', 'error', m0()]] },
  { name: 'a given name kept by one service and not by the other', services: [svc('volume', [mnt('/data', 'pg', { nameGiven: true, keep: 'pg' })]), svc('volume', [mnt('/in', 'pg', { nameGiven: true })], { service: 'app' })], expected: [['SHARED_VOLUME_MISMATCH', 'error', m0('app')]] },
  { name: 'a given name on two back-ends', services: [svc('shared', [mnt('/data', 'pg', { nameGiven: true, subPath: 'pg' })], { backend: NAS }), svc('shared', [mnt('/in', 'pg', { nameGiven: true, subPath: 'pg' })], { service: 'app', backend: HOST })], expected: [['SHARED_VOLUME_MISMATCH', 'error', m0('app')]] },
  { name: 'a generated name equal to another service\'s given name', services: [svc('volume', [mnt('/data', 'app-data', { nameGiven: true })]), svc('volume', [mnt('/data', 'app-data')], { service: 'app' })], expected: [['NAME_COLLISION', 'error', m0('app')]] },
  { name: 'the sidecar name is an existing service', compose: { services: { db: { image: 'x' }, 'db-data': { image: 'y' } } }, services: [svc('data-container', [mnt('/data', 'v', { nameGiven: true })])], expected: [['NAME_COLLISION', 'error', [...P(), 'pattern']]] },
  { name: 'the init name is an existing service', compose: { services: { db: { image: 'x' }, 'db-init': { image: 'y' } } }, services: [svc('bind', [mnt('/data', 'v', { source: './v' })], { owner: '1:1' })], expected: [['NAME_COLLISION', 'error', [...P(), 'pattern']]] },
];

describe('plan: generated names (src/plan/names.ts)', () => {
  it.each(bad)('$name', ({ services, compose, expected }) => {
    const r = run(services, 'compose', compose);
    expect(r.diagnostics.map((d) => [d.code, d.severity, d.path])).toEqual(expected);
    for (const d of r.diagnostics) expect(d.file === FILE && d.message.length > 0).toBe(true);
  });
});

describe('plan: node: against the service\'s own placement (Swarm)', () => {
  // node: adds node.hostname == NODE; the service's own constraint on another hostname made the
  // two unsatisfiable together, with no diagnostic (found by the stage table's review).
  const withPlacement = (constraints: string[]) => ({ services: { db: { image: 'x', deploy: { placement: { constraints } } } } });
  const bind = (node: string) => svc('bind', [mnt('/data', 'db-data', { source: './data' })], { node });
  it.each([
    [['node.hostname == n2'], 'n1', ['SWARM_NODE_CONFLICT']],
    [['node.hostname==n2', 'node.role == worker'], 'n1', ['SWARM_NODE_CONFLICT']],
    [['node.hostname == n1'], 'n1', []],
    [['node.role == worker', 'node.labels.disk == ssd'], 'n1', []],
  ])('constraints %j with node %s: %j', (constraints, node, codes) => {
    const r = run([bind(node)], 'swarm', withPlacement(constraints));
    expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual(codes);
    if (codes.length) expect(r.diagnostics.find((d) => d.code === 'SWARM_NODE_CONFLICT')).toMatchObject({ path: [...P(), 'node'], message: expect.stringContaining('pinned to node n1 here and to n2') });
  });
  it('Compose (not Swarm) says nothing', () => {
    expect(run([bind('n1')], 'compose', withPlacement(['node.hostname == n2'])).diagnostics.filter((d) => d.code === 'SWARM_NODE_CONFLICT')).toEqual([]);
  });
});
