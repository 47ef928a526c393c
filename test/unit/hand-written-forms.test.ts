/**
 * Issue 18: the forms people write from Docker's own documentation. An NFS version given
 * in options (`nfsvers=4.1`, `vers=3`) is the version; a plugin driver written on the
 * service (`driver:`, `driver_opts:`) is a back-end of its own, checked and explained like
 * a declared one; refusals name the exact replacement.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildText, cli, errorsOf } from '../helpers/run.js';
import { explainRows } from '../../src/explain.js';

type Out = { volumes: Record<string, { driver?: string; driver_opts: Record<string, string> }> };
const volumesOf = (text: string): Out['volumes'] => (parse(text) as Out).volumes;

const nfs = (backend: string) =>
  `services:\n  f: {image: f}\nx-persistence:\n  backends:\n    nas: ${backend}\n  services:\n    f: {pattern: shared, backend: nas, mounts: [/srv]}\n`;

describe('NFS: the version written in options is the version (Docker\'s volume docs form)', () => {
  it.each([
    ['nfsvers=4.1 beside rw', '[rw, nfsvers=4.1]', 'addr=127.0.0.1,rw,nfsvers=4.1'],
    ['vers=4.2', '[rw, hard, vers=4.2]', 'addr=127.0.0.1,rw,hard,nfsvers=4.2'],
    ['nfsvers=3 alone: the v3 defaults, hard', '[nfsvers=3]', 'addr=127.0.0.1,rw,nolock,hard,nfsvers=3'],
    ['nfsvers=3 and vers=3 agree', '[rw, nolock, nfsvers=3, vers=3]', 'addr=127.0.0.1,rw,nolock,nfsvers=3'],
  ])('%s', (_, options, o) => {
    const r = buildText(nfs(`{type: nfs, address: 127.0.0.1, export: /e, options: ${options}}`));
    expect(r.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
    expect(volumesOf(r.text!)['f-srv']!.driver_opts.o).toBe(o);
  });

  it('version: and the same nfsvers= in options: accepted, the option given once', () => {
    const r = buildText(nfs('{type: nfs, address: 127.0.0.1, export: /e, version: "4.1", options: [rw, nfsvers=4.1]}'));
    expect(r.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
    expect(volumesOf(r.text!)['f-srv']!.driver_opts.o).toBe('addr=127.0.0.1,rw,nfsvers=4.1');
  });

  it('version: and a different nfsvers=: a positioned warning, version: wins', () => {
    const r = buildText(nfs('{type: nfs, address: 127.0.0.1, export: /e, version: 4, options: [rw, nfsvers=4.1]}'));
    expect(errorsOf(r)).toEqual([]);
    const w = r.diagnostics.filter((d) => d.severity === 'warning');
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({ code: 'SCHEMA_FORMAT', line: 5, path: ['x-persistence', 'backends', 'nas', 'options', 1] });
    expect(w[0]!.message).toContain('differs from version: 4; version: is used');
    expect(volumesOf(r.text!)['f-srv']!.driver_opts.o).toBe('addr=127.0.0.1,rw,nfsvers=4');
  });

  it('an unknown version in options is refused, and the hint names the key to write', () => {
    const r = buildText(nfs('{type: nfs, address: 127.0.0.1, export: /e, options: [rw, nfsvers=5]}'));
    expect(r.text).toBeUndefined();
    const [e] = errorsOf(r);
    expect(e).toMatchObject({ code: 'SCHEMA_FORMAT', path: ['x-persistence', 'backends', 'nas', 'options', 1] });
    expect(e!.hint).toMatch(/^write version: "3"/);
  });

  it('two different versions in options are refused', () => {
    const r = buildText(nfs('{type: nfs, address: 127.0.0.1, export: /e, options: [nfsvers=3, vers=4.1]}'));
    const [e, ...rest] = errorsOf(r);
    expect(rest).toEqual([]);
    expect(e!.message).toContain('two versions');
    expect(e!.hint).toContain('version: "3"');
  });

  it('addr= in options: the hint is the address: to write, with its value', () => {
    const r = buildText(nfs('{type: nfs, address: 127.0.0.1, export: /e, options: [addr=127.0.0.2]}'));
    expect(errorsOf(r)[0]!.hint).toBe('write address: "127.0.0.2" on the back-end instead');
  });
});

describe('CIFS: vers= in options is the version', () => {
  const cifs = (options: string, version = '') =>
    `services:\n  f: {image: f}\nx-persistence:\n  backends:\n    nas: {type: cifs, address: 127.0.0.1, share: data, username: u, password: "\${P}"${version}, options: ${options}}\n  services:\n    f: {pattern: shared, backend: nas, mounts: [/srv]}\n`;
  it('vers=2.1 without version: is used once, in place of the default 3.0', () => {
    const r = buildText(cifs('[vers=2.1, noperm]'));
    expect(errorsOf(r)).toEqual([]);
    expect(volumesOf(r.text!)['f-srv']!.driver_opts.o).toBe('addr=127.0.0.1,username=u,password=${P},vers=2.1,noperm');
  });
  it('a password in options is refused without echoing it, and the hint is the ${VAR} form', () => {
    const r = buildText(cifs('[password=hunter2]'));
    const [e] = errorsOf(r);
    expect(`${e!.message} ${e!.hint}`).not.toContain('hunter2');
    expect(e!.hint).toBe('write password: "${CIFS_PASSWORD}" on the back-end instead');
  });
});

const inlineFile = (svc: string) => `services:\n  db: {image: example/db:1}\nx-persistence:\n  services:\n    db: ${svc}\n`;
const declaredFile = (backend: string, svc: string) => `services:\n  db: {image: example/db:1}\nx-persistence:\n  backends:\n    store: ${backend}\n  services:\n    db: ${svc}\n`;

describe('plugin: driver: and driver_opts: on the service are an inline back-end', () => {
  const inline = inlineFile('{pattern: plugin, driver: convoy, driver_opts: {size: 10G}, mounts: [/var/lib/db]}');
  const declared = declaredFile('{type: plugin, driver: convoy, options: {size: 10G}}', '{pattern: plugin, backend: store, mounts: [/var/lib/db]}');

  it('builds the same volumes as the declared back-end', () => {
    const a = buildText(inline);
    const b = buildText(declared);
    expect(errorsOf(a)).toEqual([]);
    expect(volumesOf(a.text!)).toEqual(volumesOf(b.text!));
    expect(volumesOf(a.text!)['db-db']).toEqual({ driver: 'convoy', driver_opts: { size: '10G' } });
  });

  it('gets the preset of its driver: the same LEGACY_PLUGIN note as a declared convoy back-end, at driver:', () => {
    const a = buildText(inline).diagnostics.filter((d) => d.code === 'LEGACY_PLUGIN');
    const b = buildText(declared).diagnostics.filter((d) => d.code === 'LEGACY_PLUGIN');
    expect(a.map((d) => d.message)).toEqual(b.map((d) => d.message));
    expect(a[0]!.path).toEqual(['x-persistence', 'services', 'db', 'driver']);
  });

  it('explain gives the same rows (level, pattern, what is generated)', () => {
    const rows = (t: string) => explainRows(buildText(t).plan!).map(({ backend: _b, ...r }) => r);
    expect(rows(inline)).toEqual(rows(declared));
  });

  it('the preset checks apply: REX-Ray size 10G is refused at driver_opts.size', () => {
    const r = buildText(inlineFile('{pattern: plugin, driver: rexray/ebs, driver_opts: {size: 10G}, mounts: [/var/lib/db]}'));
    const [e, ...rest] = errorsOf(r);
    expect(rest).toEqual([]);
    expect(e).toMatchObject({ code: 'PRESET_OPTION', path: ['x-persistence', 'services', 'db', 'driver_opts', 'size'], line: 5 });
  });

  it('the local driver bound to /etc is checked like a bind source (error under safe-paths), at driver_opts.device', () => {
    const r = buildText(`services:\n  db: {image: example/db:1}\nx-persistence:\n  safe-paths: true\n  services:\n    db:\n      pattern: plugin\n      driver: local\n      driver_opts: {type: none, o: bind, device: /etc}\n      mounts: [/var/lib/db]\n`);
    expect(errorsOf(r)).toMatchObject([{ code: 'UNSAFE_PATH', path: ['x-persistence', 'services', 'db', 'driver_opts', 'device'], line: 9 }]);
  });

  it('the level follows the driver: local tmpfs is none, as for a declared back-end', () => {
    const r = buildText(inlineFile('{pattern: plugin, driver: local, driver_opts: {type: tmpfs, device: tmpfs}, mounts: [/var/lib/db]}'));
    expect(r.plan!.services[0]!.level).toBe('none');
  });

  it('backend: and driver: together are refused at backend:', () => {
    const r = buildText(declaredFile('{type: plugin, driver: convoy}', '{pattern: plugin, backend: store, driver: convoy, mounts: [/x]}'));
    expect(errorsOf(r)).toMatchObject([{ code: 'SCHEMA_FORMAT', path: ['x-persistence', 'services', 'db', 'backend'] }]);
  });

  it('driver_opts: without driver: is refused, naming driver:', () => {
    const r = buildText(inlineFile('{pattern: plugin, driver_opts: {size: 10G}, mounts: [/x]}'));
    const [e] = errorsOf(r);
    expect(e).toMatchObject({ code: 'MISSING_BACKEND', path: ['x-persistence', 'services', 'db', 'driver_opts'] });
    expect(e!.hint).toBe('e.g. driver: convoy');
  });

  it('driver: on another pattern is a warning that says what it is for', () => {
    const r = buildText(inlineFile('{pattern: volume, driver: convoy, mounts: [/x]}'));
    const w = r.diagnostics.find((d) => d.code === 'OPTION_NOT_FOR_PATTERN');
    expect(w?.hint).toContain('pattern: plugin');
  });

  it('pattern plugin without any back-end: the hint offers the inline form', () => {
    const r = buildText(inlineFile('{pattern: plugin, mounts: [/x]}'));
    expect(errorsOf(r)[0]!.hint).toContain('or write driver: (and driver_opts:) on the service');
  });

  const dir = mkdtempSync(join(tmpdir(), 'cp-i18-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('diff: moving a declared back-end inline is no change to the data', async () => {
    writeFileSync(join(dir, 'old.persist.yaml'), declared);
    writeFileSync(join(dir, 'new.persist.yaml'), inline);
    const r = await cli(['diff', join(dir, 'old.persist.yaml'), join(dir, 'new.persist.yaml')]);
    expect(r.stderr).toContain('ok: every mount keeps its data');
    expect(r.code).toBe(0);
  });

  it('diff: changing the inline driver options is a DRIVER_CHANGED, as for a declared back-end', async () => {
    writeFileSync(join(dir, 'old.persist.yaml'), inline);
    writeFileSync(join(dir, 'new.persist.yaml'), inline.replace('10G', '20G'));
    const r = await cli(['diff', join(dir, 'old.persist.yaml'), join(dir, 'new.persist.yaml'), '--format', 'json']);
    const codes = (JSON.parse(r.stdout) as { diagnostics: { code: string }[] }).diagnostics.map((d) => d.code);
    const declaredRun = await (async () => {
      writeFileSync(join(dir, 'old.persist.yaml'), declared);
      writeFileSync(join(dir, 'new.persist.yaml'), declared.replace('10G', '20G'));
      return cli(['diff', join(dir, 'old.persist.yaml'), join(dir, 'new.persist.yaml'), '--format', 'json']);
    })();
    expect(codes).toEqual((JSON.parse(declaredRun.stdout) as { diagnostics: { code: string }[] }).diagnostics.map((d) => d.code));
    expect(codes.length).toBeGreaterThan(0);
  });

  it('the schema for editors has driver: and driver_opts: on a service, and the NFS version note', async () => {
    const r = await cli(['schema']);
    expect(r.code).toBe(0);
    const text = r.stdout;
    const schema = JSON.parse(text) as { definitions: Record<string, { properties: Record<string, unknown> }> };
    expect(Object.keys(schema.definitions.persistence_service!.properties)).toEqual(expect.arrayContaining(['driver', 'driver_opts']));
    expect(text).toContain('the nfsvers= or vers= in options');
  });
});
