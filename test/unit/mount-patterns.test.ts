/**
 * Issue 12.4: a pattern per mount. A mount's own pattern:, backend: and owner: override the
 * service's; the output holds each mount as its pattern writes it, explain shows a row per
 * mount, and the service's level is its weakest mount's.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildText, errorsOf } from '../helpers/run.js';
import { explainRows, explainTable } from '../../src/explain.js';

type Svc = { volumes?: unknown[]; depends_on?: Record<string, unknown> };
type Out = { services: Record<string, Svc & { command?: string[]; image?: string }>; volumes?: Record<string, { driver?: string; driver_opts?: Record<string, string> }> };

const file = (svc: string, extra = '') =>
  `services:\n  app: {image: example/app:1}\nx-persistence:\n${extra}  backends:\n    nas: {type: nfs, address: 127.0.0.1, export: /exports/app}\n    nas2: {type: nfs, address: 127.0.0.2, export: /exports/b}\n  services:\n    app:\n${svc}`;

const mixed = file(`      pattern: volume
      mounts:
        - { target: /srv/media, pattern: shared, backend: nas }
        - { target: /srv/inbox, pattern: bind, owner: "33:33" }
        - /var/lib/app
        - { target: /cache, pattern: none }
`);

describe('a pattern per mount', () => {
  it('each mount is written by its own pattern: NFS volume, bind with its init service, plain volume', () => {
    const r = buildText(mixed);
    expect(errorsOf(r)).toEqual([]);
    const out = parse(r.text!) as Out;
    const app = out.services.app!;
    expect(app.volumes).toEqual([
      { type: 'volume', source: 'app-media', target: '/srv/media' },
      './data/app-inbox:/srv/inbox',
      { type: 'volume', source: 'app-app', target: '/var/lib/app' },
    ]);
    expect(JSON.stringify(app.volumes)).not.toContain('/cache');
    expect(out.volumes!['app-media']).toMatchObject({ driver: 'local', driver_opts: { type: 'nfs', device: ':/exports/app/app-media' } });
    expect(out.volumes!['app-app'] ?? {}).not.toHaveProperty('driver');
    expect(out.services['app-init']).toBeDefined();
    expect(JSON.stringify(out.services['app-init'])).toContain('33:33');
    expect(Object.keys(app.depends_on ?? {})).toEqual(['app-init']);
  });

  it('explain: one row per mount; the service is at its weakest mount (none here, from /cache)', () => {
    const r = buildText(mixed);
    const [row] = explainRows(r.plan!).filter((x) => x.service === 'app');
    expect(row!.level).toBe('none');
    expect(row!.pattern).toBe('shared+bind+volume+none');
    expect(row!.mounts!.map((m) => [m.target, m.pattern, m.level, m.survivesUpgrade, m.survivesHostFailure])).toEqual([
      ['/srv/media', 'shared', 'host', true, true],
      ['/srv/inbox', 'bind', 'container', true, false],
      ['/var/lib/app', 'volume', 'container', true, false],
      ['/cache', 'none', 'none', false, false],
    ]);
    const table = explainTable(r.plan!);
    expect(table).toMatch(/^ {2}\/srv\/media +shared +host +yes +yes/m);
    expect(table).toMatch(/^ {2}\/cache +none +none +NO +NO/m);
  });

  it('without a none mount the service is at its weakest stored mount', () => {
    const r = buildText(file(`      pattern: shared\n      backend: nas\n      mounts: [/srv/a, { target: /srv/b, pattern: volume }]\n`));
    expect(errorsOf(r)).toEqual([]);
    const [row] = explainRows(r.plan!);
    expect(row!.level).toBe('container');
  });

  it('a mount\'s own backend: over the service\'s', () => {
    const r = buildText(file(`      pattern: shared\n      backend: nas\n      mounts: [/srv/a, { target: /srv/b, backend: nas2 }]\n`));
    expect(errorsOf(r)).toEqual([]);
    const out = parse(r.text!) as Out;
    expect(out.volumes!['app-a']!.driver_opts!.o).toContain('addr=127.0.0.1');
    expect(out.volumes!['app-b']!.driver_opts!.o).toContain('addr=127.0.0.2');
  });

  it('require: host refuses the service when one mount is below it, naming the pattern', () => {
    const r = buildText(file(`      pattern: shared\n      backend: nas\n      mounts: [/srv/a, { target: /srv/b, pattern: volume }]\n`, '  require: host\n'));
    const errors = errorsOf(r);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'LEVEL_BELOW_REQUIRED' });
    expect(errors[0]!.message).toContain('pattern volume');
  });

  it.each([
    ['shared without a back-end on a volume service', `      pattern: volume\n      mounts: [{ target: /srv/a, pattern: shared }]\n`, 'MISSING_BACKEND', ['mounts', 0, 'pattern'], 'declared: nas, nas2'],
    ['an unknown pattern, with a suggestion', `      pattern: volume\n      mounts: [{ target: /srv/a, pattern: shard }]\n`, 'UNKNOWN_PATTERN', ['mounts', 0, 'pattern'], 'did you mean "shared"?'],
    ['owner: on a volume mount', `      pattern: volume\n      mounts: [{ target: /srv/a, owner: "1:1" }]\n`, 'OWNER_WITHOUT_BIND', ['mounts', 0, 'owner'], undefined],
    ['two owners for one init service', `      pattern: bind\n      mounts: [{ target: /a, owner: "1:1" }, { target: /b, owner: "2:2" }]\n`, 'OWNER_WITHOUT_BIND', ['mounts'], 'give them one owner:, or move one into a service of its own'],
    ['a back-end of the wrong kind for the mount', `      pattern: volume\n      mounts: [{ target: /srv/a, pattern: plugin, backend: nas }]\n`, 'BACKEND_KIND', ['mounts', 0, 'backend'], undefined],
  ])('%s is a positioned error', (_, svc, code, at, hint) => {
    const r = buildText(file(svc));
    expect(r.text).toBeUndefined();
    const [e, ...rest] = errorsOf(r);
    expect(rest).toEqual([]);
    expect(e).toMatchObject({ code, path: ['x-persistence', 'services', 'app', ...at] });
    expect(e!.line).toBeGreaterThan(7);
    if (hint) expect(e!.hint).toContain(hint);
  });

  it('a generated name is unique across a service\'s patterns', () => {
    const r = buildText(file(`      pattern: volume\n      mounts: [/a/data, { target: /b/data, pattern: bind }]\n`));
    expect(errorsOf(r)).toMatchObject([{ code: 'NAME_COLLISION' }]);
  });

  it('the service\'s owner: applies to its bind mounts when its own pattern is another', () => {
    const r = buildText(file(`      pattern: volume\n      owner: "1000:1000"\n      mounts: [/var/lib/app, { target: /srv/up, pattern: bind }]\n`));
    expect(errorsOf(r)).toEqual([]);
    expect(JSON.stringify((parse(r.text!) as Out).services['app-init'])).toContain('1000:1000');
  });

  it('the output is Compose the schema accepts and reads back as one service entry', () => {
    const r = buildText(mixed);
    expect(r.diagnostics.filter((d) => d.code === 'OUTPUT_INVALID')).toEqual([]);
    expect((r.text!.match(/^ {2}app:/gm) ?? []).length).toBe(1);
  });
});
