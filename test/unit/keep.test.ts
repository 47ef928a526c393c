import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildText, errorsOf } from '../helpers/run.js';
import { dataSafety, dataMoves } from '../../src/check/data-safety.js';
import { explainRows } from '../../src/explain.js';
import { keptVolumes, volumesCreate } from '../../src/ops/volumes.js';
import { projectName } from '../../src/ops/project.js';
import { fakeEngine } from '../helpers/fake-engine.js';

const src = (db: string, extra = '') => `services:\n  db: {image: "postgres:16"}\n  cache: {image: "redis:7"}\nx-persistence:\n  backends:\n    st: {type: hostpath, path: /mnt/share}\n    px: {type: plugin, driver: acme/x, options: {size: "1"}}\n  services:\n    db: ${db}\n${extra}`;
const out = (db: string) => parse(buildText(src(db)).text!, { merge: true }) as Record<string, Record<string, unknown>>;

describe('keep: true', () => {
  it('declares every volume of the service external with its key as the fixed name', () => {
    const o = out('{pattern: volume, keep: true}');
    expect(o.volumes!['db-data']).toEqual({ external: true, name: 'db-data' });
  });
  it('a mount keep: NAME fixes the engine name; keep: false opts one mount out', () => {
    const o = out('{pattern: data-container, keep: true, mounts: [{target: /a, keep: app_db-a}, {target: /b, keep: false}, /c]}');
    expect(o.volumes!['db-a']).toEqual({ external: true, name: 'app_db-a' });
    expect(o.volumes!['db-b']).toEqual({});
    expect(o.volumes!['db-c']).toEqual({ external: true, name: 'db-c' });
  });
  it('shared and plugin volumes are kept too (driver options go to volumes create, not the file)', () => {
    expect(out('{pattern: shared, backend: st, keep: true}').volumes!['db-data']).toEqual({ external: true, name: 'db-data' });
    expect(out('{pattern: plugin, backend: px, keep: true}').volumes!['db-data']).toEqual({ external: true, name: 'db-data' });
  });
  it('is an error on bind and none, at the keep: key', () => {
    for (const db of ['{pattern: bind, keep: true}', '{pattern: none, keep: true}', '{pattern: bind, mounts: [{target: /x, keep: true}]}']) {
      const r = buildText(src(db));
      expect(r.text).toBeUndefined();
      const e = errorsOf(r);
      expect(e.map((d) => d.code)).toEqual(['KEEP_NOT_FOR_PATTERN']);
      expect(e[0]!.line).toBe(9);
    }
  });
  it('keep: false on bind is no error (nothing is asked)', () => {
    expect(buildText(src('{pattern: bind, mounts: [{target: /x, keep: false}]}')).text).toBeDefined();
  });
  it('a keep name that is no volume name is a schema error', () => {
    expect(errorsOf(buildText(src('{pattern: volume, mounts: [{target: /x, keep: "a b"}]}'))).length).toBeGreaterThan(0);
  });
  it('explain: kept volumes survive down -v, managed ones do not; bind and shared do', () => {
    const rows = (db: string) => explainRows(buildText(src(db), { planOnly: true }).plan!).find((r) => r.service === 'db')!;
    expect(rows('{pattern: volume}').survivesDownV).toBe(false);
    expect(rows('{pattern: volume, keep: true}').survivesDownV).toBe(true);
    expect(rows('{pattern: volume, keep: true}').generated.join('\n')).toContain('kept: external volume db-data (survives docker compose down -v');
    expect(rows('{pattern: bind}').survivesDownV).toBe(true);
    expect(rows('{pattern: shared, backend: st}').survivesDownV).toBe(true);
  });
});

describe('diff: managed -> kept', () => {
  it('the same engine volume (keep: <project>_<key>) is no data loss in that project', () => {
    const a = out('{pattern: volume}');
    const b = out('{pattern: volume, mounts: [{target: /var/lib/postgresql/data, keep: app_db-data}]}');
    expect(dataSafety(a, b, 'new', 'app')).toEqual([]);
  });
  it('the same keep name under another project is the volume of another project: data orphaned', () => {
    const a = out('{pattern: volume}');
    const b = out('{pattern: volume, mounts: [{target: /var/lib/postgresql/data, keep: app_db-data}]}');
    const d = dataSafety(a, b, 'new', 'shop');
    expect(d.map((x) => x.code)).toEqual(['DATA_ORPHANED']);
    expect(d[0]!.message).toContain('(now external volume app_db-data)');
    expect(d[0]!.hint).toContain(`-v "${"$"}{COMPOSE_PROJECT_NAME:?}"_db-data:/from -v app_db-data:/to`);
  });
  it('keep: true (fixed name db-data) is a new volume: the managed app_db-data is orphaned, said with both engine names', () => {
    const moves = dataMoves(out('{pattern: volume}'), out('{pattern: volume, keep: true}'), 'app');
    expect(moves).toHaveLength(1);
    expect(moves[0]!.from).toMatchObject({ kind: 'volume', engineName: 'app_db-data' });
    expect(moves[0]!.to).toMatchObject({ kind: 'volume', engineName: 'db-data', external: true });
  });
  it('kept -> kept under the same name, and no DRIVER_CHANGED for an external volume', () => {
    expect(dataSafety(out('{pattern: shared, backend: st, keep: true}'), out('{pattern: plugin, backend: px, keep: true}'), 'new', 'app')).toEqual([]);
  });
});

describe('project name as Compose derives it', () => {
  it('flag, then COMPOSE_PROJECT_NAME, then name:, then the directory, normalised', () => {
    expect(projectName({ flag: 'X', env: 'y', name: 'z', firstFile: '/a/b/c.yml' })).toEqual({ name: 'x' });
    expect(projectName({ env: 'Y', name: 'z', firstFile: '/a/b/c.yml' })).toEqual({ name: 'y' });
    expect(projectName({ name: 'Zed', firstFile: '/a/b/c.yml' })).toEqual({ name: 'zed' });
    expect(projectName({ firstFile: '/srv/My.App_1/compose.persist.yaml' })).toEqual({ name: 'myapp_1' });
    expect(projectName({ firstFile: '/srv/.../x.yml' })).toHaveProperty('error');
  });
});

describe('volumes create (fake engine)', () => {
  const plan = buildText(src('{pattern: plugin, backend: px, keep: true}', '    cache: {pattern: volume, keep: true, mounts: [/data]}\n'), { planOnly: true }).plan!;
  it('lists the kept volumes with driver, options and labels', () => {
    const { volumes, errors } = keptVolumes(plan, 'app');
    expect(errors).toEqual([]);
    expect(volumes.map((v) => [v.name, v.driver, v.options])).toEqual([['db-data', 'acme/x', { size: '1' }], ['cache-data', 'local', {}]]);
    expect(volumes[0]!.labels).toEqual({ 'dev.compose-persist.kept': 'true', 'dev.compose-persist.project': 'app', 'dev.compose-persist.volume': 'db-data' });
  });
  it('creates the missing ones, leaves equal ones, and fails on one with other options', async () => {
    const engine = fakeEngine((c) => {
      if (c.args[1] === 'inspect' && c.args.at(-1) === 'db-data') return { code: 1, stderr: 'Error: No such volume: db-data' };
      if (c.args[1] === 'inspect') return { stdout: JSON.stringify({ Name: 'cache-data', Driver: 'local', Options: null, Labels: null }) };
      return undefined;
    });
    const r = await volumesCreate(engine, plan, 'app');
    expect(r.ok).toBe(true);
    expect(r.lines.map((l) => l.status)).toEqual(['created', 'exists']);
    expect(engine.lines()).toContain('volume create --driver acme/x --opt size=1 --label dev.compose-persist.kept=true --label dev.compose-persist.project=app --label dev.compose-persist.volume=db-data db-data');
    const other = fakeEngine((c) => (c.args[1] === 'inspect' ? { stdout: JSON.stringify({ Name: 'x', Driver: 'local', Options: { size: '2' } }) } : undefined));
    const r2 = await volumesCreate(other, plan, 'app');
    expect(r2.ok).toBe(false);
    expect(r2.lines[0]!.status).toBe('differs');
    expect(other.lines().some((l) => l.startsWith('volume create'))).toBe(false);
  });
  it('dry run creates nothing', async () => {
    const engine = fakeEngine((c) => (c.args[1] === 'inspect' ? { code: 1, stderr: 'Error: No such volume' } : undefined));
    const r = await volumesCreate(engine, plan, 'app', { dryRun: true });
    expect(r.lines.map((l) => l.status)).toEqual(['would-create', 'would-create']);
    expect(engine.lines().filter((l) => l.startsWith('volume create'))).toEqual([]);
  });
});
