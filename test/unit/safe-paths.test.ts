/**
 * safe-paths cannot be bypassed: every host path the output can mount is
 * normalised (segments, interpolation defaults, ~) before it is checked, and
 * the hostpath back-end's path and a local-driver bind are checked too.
 */
import { describe, expect, it } from 'vitest';
import { interpolateUnset, unsafeHostPath } from '../../src/compose/paths.js';
import { buildText, errorsOf } from '../helpers/run.js';

const bind = (source: string, strict: boolean) =>
  `services:\n  a: {image: a}\nx-persistence:\n${strict ? '  safe-paths: true\n' : ''}  services:\n    a:\n      pattern: bind\n      mounts:\n        - target: /d\n          source: ${JSON.stringify(source)}\n`;

/** Bind sources (which cannot hold ":", so no ${X:-d} here: the back-ends below take it) that reach a sensitive place (or leave the project) however they are spelled. */
const UNSAFE: [string, RegExp][] = [
  ['//etc', /sensitive host location \/etc$/],
  ['///etc/shadow', /sensitive host location \/etc$/],
  ['/tmp/../etc', /sensitive host location \/etc$/],
  ['/tmp/./../etc/passwd', /sensitive host location \/etc$/],
  ['/var//run/docker.sock', /sensitive host location \/var\/run\/docker.sock$/],
  ['/var/run/./docker.sock', /sensitive host location \/var\/run\/docker.sock$/],
  ['/run//docker.sock/', /sensitive host location \/run\/docker.sock$/],
  ['/..', /whole host file system/],
  ['//', /whole host file system/],
  ['/tmp/..', /whole host file system/],
  ['/var', /holds the sensitive host location \/var\/run\/docker.sock$/],
  ['/run', /holds the sensitive host location \/run\/docker.sock$/],
  ['/var/lib', /holds the sensitive host location \/var\/lib\/docker$/],
  ['~/../..', /leaves the home directory/],
  ['~/..', /leaves the home directory/],
  ['${X-/}', /\("\/" with its variables unset\) exposes the whole host file system/],
  ['${X-/etc}', /\("\/etc" with its variables unset\) points at the sensitive host location \/etc$/],
  ['${X-/srv}/../etc', /points at the sensitive host location \/etc$/],
  ['${A-${B-/proc}}/1', /sensitive host location \/proc$/],
  ['${UNSET}/etc', /sensitive host location \/etc$/],
  ['${X?needed}/etc', /sensitive host location \/etc$/],
  ['${X+/srv}/etc', /sensitive host location \/etc$/],
  ['${X-.}/../..', /leaves the project directory/],
  ['./a/../../b', /leaves the project directory/],
];
/** Sources that only look alarming. */
const SAFE = ['./data', './etc', '/srv/etc', '/srv/app/../data', '/etcetera', '/var/lib/app', '~/data', '~/a/../b', '${DATA-./data}', '${X-/srv}/app', '$UNSET/etc', '$$X/etc', './$${X}'];

describe('bind sources: normalised before the check', () => {
  for (const [source, why] of UNSAFE) {
    it(`${source}: a warning, an error with safe-paths`, () => {
      const w = buildText(bind(source, false)).diagnostics.find((d) => d.code === 'UNSAFE_PATH');
      expect(w?.severity).toBe('warning');
      expect(w!.message).toMatch(why);
      const e = errorsOf(buildText(bind(source, true)));
      expect(e[0]).toMatchObject({ code: 'UNSAFE_PATH', line: 10 });
    });
  }
  for (const source of SAFE) {
    it(`${source}: fine`, () => {
      const r = buildText(bind(source, true));
      expect(r.diagnostics.filter((d) => d.code === 'UNSAFE_PATH')).toEqual([]);
      expect(r.text).toBeDefined();
    });
  }
});

describe('interpolation as Compose does it with the variables unset', () => {
  const cases: [string, string][] = [
    ['${X-/}', '/'], ['${X:-/etc}', '/etc'], ['${X}', ''], ['$X/a', '/a'], ['${X:?e}/a', '/a'], ['${X+/a}/b', '/b'],
    ['${A:-${B:-/c}}', '/c'], ['$${X}', '${X}'], ['$$X', '$X'], ['/plain', '/plain'],
  ];
  for (const [text, value] of cases) it(`${text} -> ${value}`, () => expect(interpolateUnset(text)).toBe(value));
  it('a deep nest is linear enough (2,000 levels)', () => {
    expect(interpolateUnset(`${'${A:-'.repeat(2000)}/etc${'}'.repeat(2000)}`)).toBe('/etc');
    expect(unsafeHostPath(`${'${A:-'.repeat(2000)}/etc${'}'.repeat(2000)}`, 'x')).toMatch(/\/etc$/);
  });
});

const backends = (backend: string, service: string, strict: boolean) =>
  `services:\n  a: {image: a}\nx-persistence:\n${strict ? '  safe-paths: true\n' : ''}  backends:\n    b: ${backend}\n  services:\n    a: ${service}\n`;

describe('every host path the output mounts is checked', () => {
  const table: { name: string; backend: string; service: string; line: number; col: number; why: RegExp }[] = [
    { name: 'hostpath path: /', backend: '{type: hostpath, path: /}', service: '{pattern: shared, backend: b, mounts: [/d]}', line: 6, col: 31, why: /hostpath back-end's path "\/" exposes the whole host/ },
    { name: 'hostpath path: //etc/', backend: '{type: hostpath, path: //etc/}', service: '{pattern: shared, backend: b, mounts: [/d]}', line: 6, col: 31, why: /sensitive host location \/etc$/ },
    { name: 'hostpath path: ${ROOT:-/var}', backend: '{type: hostpath, path: "${ROOT:-/var}"}', service: '{pattern: shared, backend: b, mounts: [/d]}', line: 6, col: 31, why: /holds the sensitive host location \/var\/run\/docker.sock/ },
    { name: 'hostpath path: ${X:-/etc}', backend: '{type: hostpath, path: "${X:-/etc}"}', service: '{pattern: shared, backend: b, mounts: [/d]}', line: 6, col: 31, why: /\("\/etc" with its variables unset\) points at the sensitive host location \/etc$/ },
    { name: 'local driver device: ${D-/}', backend: '{type: plugin, driver: local, options: {type: none, o: bind, device: "${D-/}"}}', service: '{pattern: plugin, backend: b, mounts: [/d]}', line: 6, col: 77, why: /exposes the whole host/ },
    { name: 'local driver o: bind, device: /', backend: '{type: plugin, driver: local, options: {type: none, o: bind, device: /}}', service: '{pattern: plugin, backend: b, mounts: [/d]}', line: 6, col: 77, why: /local driver's bind device "\/" exposes/ },
    { name: 'local driver o: rbind, device: /proc/..//etc', backend: '{type: plugin, driver: local, options: {o: "rw,rbind", device: /proc/..//etc}}', service: '{pattern: plugin, backend: b, mounts: [/d]}', line: 6, col: 71, why: /sensitive host location \/etc$/ },
    { name: 'local driver bind set by the mount\'s options', backend: '{type: plugin, driver: local}', service: '{pattern: plugin, backend: b, mounts: [{target: /d, options: {type: none, o: bind, device: /var/run/docker.sock}}]}', line: 8, col: 69, why: /sensitive host location \/var\/run\/docker.sock$/ },
  ];
  for (const t of table) {
    it(`${t.name}: a warning, an error with safe-paths, at the line of the path`, () => {
      const w = buildText(backends(t.backend, t.service, false));
      const d = w.diagnostics.find((x) => x.code === 'UNSAFE_PATH');
      expect(d).toMatchObject({ severity: 'warning', line: t.line - 1, col: t.col });
      expect(d!.message).toMatch(t.why);
      expect(w.text).toBeDefined();
      const e = buildText(backends(t.backend, t.service, true));
      expect(errorsOf(e)[0]).toMatchObject({ code: 'UNSAFE_PATH', line: t.line });
      expect(e.text).toBeUndefined();
    });
  }
  it('a hostpath under a shared mount and a local driver on NFS are fine', () => {
    for (const [b, s] of [
      ['{type: hostpath, path: /mnt/gluster/app}', '{pattern: shared, backend: b, mounts: [/d]}'],
      ['{type: plugin, driver: local, options: {type: nfs, o: "addr=127.0.0.1", device: ":/etc"}}', '{pattern: plugin, backend: b, mounts: [/d]}'],
    ]) expect(buildText(backends(b!, s!, true)).diagnostics.filter((d) => d.code === 'UNSAFE_PATH')).toEqual([]);
  });
});

describe('a local-driver volume gets the level it really has', () => {
  const level = (b: string, s = '{pattern: plugin, backend: b, mounts: [/d]}') => buildText(backends(b, s, false)).plan?.services[0]?.level;
  it('a bind of a host directory is container, not host (even when the back-end says host)', () => {
    expect(level('{type: plugin, driver: local, options: {type: none, o: bind, device: /srv/x}}')).toBe('container');
    expect(level('{type: plugin, driver: local, level: host, options: {type: none, o: bind, device: /srv/x}}')).toBe('container');
    expect(level('{type: plugin, driver: local}', '{pattern: plugin, backend: b, mounts: [{target: /d, options: {type: none, o: bind, device: /srv/x}}]}')).toBe('container');
  });
  it('tmpfs is none, NFS is host, a real plugin keeps its declared level', () => {
    expect(level('{type: plugin, driver: local, options: {type: tmpfs, device: tmpfs}}')).toBe('none');
    expect(level('{type: plugin, driver: local, options: {type: nfs, o: "addr=127.0.0.1", device: ":/x"}}')).toBe('host');
    expect(level('{type: plugin, driver: local-persist, options: {mountpoint: /data/x}}')).toBe('host');
    expect(level('{type: plugin, driver: local-persist, level: container}')).toBe('container');
  });
  it('require: host refuses a local bind', () => {
    const r = buildText(`services:\n  a: {image: a}\nx-persistence:\n  require: host\n  backends:\n    b: {type: plugin, driver: local, options: {type: none, o: bind, device: /srv/x}}\n  services:\n    a: {pattern: plugin, backend: b, mounts: [/d]}\n`);
    expect(errorsOf(r).map((d) => d.code)).toContain('LEVEL_BELOW_REQUIRED');
  });
});
