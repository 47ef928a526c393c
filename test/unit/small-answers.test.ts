/**
 * Issue 12.8, smaller wrong answers: NFS v3 hard by default, `services:` that is not a
 * mapping, profiles of generated services, every output schema error at once, and the
 * levels explain gives a service's own mounts.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildText, errorsOf } from '../helpers/run.js';
import { explainRows, explainTable } from '../../src/explain.js';
import { ownMounts } from '../../src/resolve/own-mounts.js';

const nfs = (backend: string) =>
  `services:\n  f: {image: f}\nx-persistence:\n  backends:\n    nas: ${backend}\n  services:\n    f: {pattern: shared, backend: nas, mounts: [/srv]}\n`;

describe('NFS v3 mounts hard unless soft is asked for (nfs(5): soft can corrupt data silently)', () => {
  it.each([
    ['v3 default', '{type: nfs, address: 127.0.0.1, export: /e, version: 3}', 'addr=127.0.0.1,rw,nolock,hard,nfsvers=3'],
    ['v3 "3" default', '{type: nfs, address: 127.0.0.1, export: /e, version: "3"}', 'addr=127.0.0.1,rw,nolock,hard,nfsvers=3'],
    ['v3 soft when asked', '{type: nfs, address: 127.0.0.1, export: /e, version: 3, options: [rw, nolock, soft]}', 'addr=127.0.0.1,rw,nolock,soft,nfsvers=3'],
    ['v4 default', '{type: nfs, address: 127.0.0.1, export: /e}', 'addr=127.0.0.1,rw,nfsvers=4'],
  ])('%s', (_, backend, o) => {
    const r = buildText(nfs(backend));
    expect(errorsOf(r)).toEqual([]);
    const data = parse(r.text!) as { volumes: Record<string, { driver_opts: { o: string } }> };
    expect(data.volumes['f-srv']!.driver_opts.o).toBe(o);
    if (!o.includes('soft')) expect(o).not.toMatch(/soft/);
  });
});

describe('services: must be a mapping when a block adds to it', () => {
  it.each([
    ['a string', 'services: hello\n', 'the string "hello"', 1, 11],
    ['a list', 'services:\n  - a\n', 'a list', 2, 3],
    ['a number', 'services: 5\n', 'the number 5', 1, 11],
  ])('%s is an error with its position, and nothing is written', (_, head, what, line, col) => {
    const r = buildText(`${head}x-persistence:\n  services: {}\n`);
    expect(r.text).toBeUndefined();
    const [e, ...rest] = errorsOf(r);
    expect(rest).toEqual([]);
    expect(e).toMatchObject({ code: 'NOT_A_MAPPING', line, col });
    expect(e!.message).toContain(what);
  });
  it('an empty services: still builds (nothing listed)', () => {
    expect(errorsOf(buildText('services:\nx-persistence:\n  services: {}\n'))).toEqual([]);
  });
});

describe('generated services carry their service profiles', () => {
  const src = (profiles: string) =>
    `services:\n  app: {image: a${profiles}}\n  wiki: {image: w${profiles}}\nx-persistence:\n  services:\n    app: {pattern: bind, owner: "1:1", mounts: [/d]}\n    wiki: {pattern: data-container, mounts: [/w]}\n`;
  it.each([
    ['a profile', ', profiles: [prod]', ['prod']],
    ['two, one of them a variable', ', profiles: [prod, "${EXTRA}"]', ['prod', '${EXTRA}']],
    ['none', '', undefined],
  ])('%s', (_, profiles, expected) => {
    for (const fast of [true, false]) {
      const r = buildText(src(profiles), { fast });
      expect(errorsOf(r)).toEqual([]);
      const data = parse(r.text!) as { services: Record<string, { profiles?: string[] }> };
      expect(data.services['app-init']!.profiles).toEqual(expected);
      expect(data.services['wiki-data']!.profiles).toEqual(expected);
      expect(data.services.app!.profiles).toEqual(expected);
    }
  });
});

describe('the Compose check of the output reports every fault at once', () => {
  it('three faults in two services: three errors, each at its line', () => {
    const r = buildText(`services:\n  app:\n    image: x\n    bogus: 1\n    restart: [1]\n  b:\n    image: y\n    foo: 2\nx-persistence:\n  services:\n    app: {pattern: volume, mounts: [/d]}\n`);
    const errs = errorsOf(r).map((d) => [d.code, d.line]);
    expect(errs).toEqual([['OUTPUT_INVALID', 4], ['OUTPUT_INVALID', 5], ['OUTPUT_INVALID', 8]]);
    expect(r.text).toBeUndefined();
  });
  it('one fault: one error (no noise from the alternatives of a oneOf)', () => {
    const r = buildText(`services:\n  app:\n    image: x\n    volumes: [{type: bind, source: ./x, target: /x, bogus: 1}]\nx-persistence:\n  services:\n    app: {pattern: volume, mounts: [/d]}\n`);
    expect(errorsOf(r).map((d) => d.message)).toEqual(['the result would not be valid Compose: services.app.volumes[0].bogus is not a key Compose knows']);
  });
});

describe("a service's own mounts, classified", () => {
  const top = {
    rd: {},
    nfsv: { driver_opts: { type: 'nfs', o: 'addr=127.0.0.1,rw', device: ':/x' } },
    smb: { driver: 'local', driver_opts: { type: 'cifs', o: 'addr=fs,username=u', device: '//fs/d' } },
    ext: { external: true },
    pl: { driver: 'rexray/ebs' },
    hp: { driver: 'local', driver_opts: { type: 'none', o: 'bind', device: '/mnt/g' } },
  };
  it.each([
    ['./pg:/var/lib/postgresql', 'bind', 'container', 'none'],
    ['/srv/x:/x:ro', 'bind', 'container', 'none'],
    ['${DATA:-./d}:/d', 'bind', 'container', 'none'],
    ['rd:/data', 'volume', 'container', 'none'],
    ['undeclared:/data', 'volume', 'container', 'none'],
    ['/data', 'anonymous', 'none', 'none'],
    ['nfsv:/srv', 'nfs', 'host', 'host'],
    ['smb:/srv', 'cifs', 'host', 'host'],
    ['ext:/e', 'external', 'container', 'none'],
    ['pl:/p', 'plugin', 'host', 'host'],
    ['hp:/h', 'hostpath', 'container', 'none'],
    [{ type: 'tmpfs', target: '/tmp' }, 'tmpfs', 'none', 'none'],
    [{ type: 'volume', target: '/anon' }, 'anonymous', 'none', 'none'],
    [{ type: 'volume', source: 'nfsv', target: '/n' }, 'nfs', 'host', 'host'],
    [{ type: 'bind', source: './b', target: '/b/' }, 'bind', 'container', 'none'],
  ])('%j is %s: %s on one host, %s on an unpinned Swarm service', (spec, kind, level, swarm) => {
    const [m] = ownMounts({ volumes: [spec] }, top);
    expect(m).toMatchObject({ kind, level });
    expect(ownMounts({ volumes: [spec] }, top, 'swarm')[0]!.level).toBe(swarm);
    // Pinned to a node, a local thing keeps its one-host level on Swarm.
    const pinned = { volumes: [spec], deploy: { placement: { constraints: ['node.hostname == n1'] } } };
    expect(ownMounts(pinned, top, 'swarm')[0]!.level).toBe(level);
  });
  it('tmpfs: entries of the service are mounts too', () => {
    expect(ownMounts({ tmpfs: ['/run:size=1m', '/tmp'] }, {}).map((m) => [m.target, m.kind])).toEqual([['/run', 'tmpfs'], ['/tmp', 'tmpfs']]);
  });
});

describe('explain: the levels of services the block leaves out', () => {
  const plan = (text: string, target: 'compose' | 'swarm' = 'compose') => {
    const r = buildText(text, { planOnly: true, target });
    expect(errorsOf(r)).toEqual([]);
    return r.plan!;
  };
  const file = `services:\n  db: {image: "postgres:16", volumes: ["./pg:/var/lib/postgresql"]}\n  cache: {image: "redis:7"}\n  app: {image: a}\nx-persistence:\n  services:\n    app: {pattern: volume, mounts: [/d]}\n`;

  it('a level none never says the data survives an upgrade', () => {
    for (const target of ['compose', 'swarm'] as const) {
      for (const row of explainRows(plan(file, target))) {
        if (row.level === 'none') expect(row.survivesUpgrade).toBe(false);
        for (const m of row.mounts ?? []) if (m.level === 'none') expect(m.survivesUpgrade).toBe(false);
      }
    }
    const cache = explainRows(plan(file)).find((r) => r.service === 'cache')!;
    expect(cache).toMatchObject({ level: 'none', survivesUpgrade: false });
    expect(cache.generated[0]).toContain('anonymous volume');
  });

  it('the row shows the path the file mounts, not the catalog path', () => {
    const table = explainTable(plan(file));
    expect(table).toMatch(/^ {2}\/var\/lib\/postgresql\s+bind\s+container\s+yes\s+NO\s+bind \.\/pg$/m);
    expect(table).not.toMatch(/\/var\/lib\/postgresql\/data\s+bind/);
  });

  it('on Swarm an unpinned bind or local volume of its own is level none; pinned it is container', () => {
    const db = (t: string) => explainRows(plan(t, 'swarm')).find((r) => r.service === 'db')!;
    expect(db(file)).toMatchObject({ level: 'none', survivesUpgrade: false });
    expect(db(file).mounts![0]).toMatchObject({ target: '/var/lib/postgresql', level: 'none' });
    const pinned = file.replace('volumes: ["./pg:/var/lib/postgresql"]', 'volumes: ["./pg:/var/lib/postgresql"], deploy: {placement: {constraints: ["node.hostname == n1"]}}');
    expect(db(pinned)).toMatchObject({ level: 'container', survivesUpgrade: true });
    expect(explainRows(plan(file, 'compose')).find((r) => r.service === 'db')).toMatchObject({ level: 'container' });
  });
});
