import { describe, expect, it } from 'vitest';
import { CATALOG, majorOf, matchImage, parseImageRef } from '../../src/resolve/catalog.js';
import { buildText, errorsOf } from '../helpers/run.js';

describe('image references', () => {
  it.each([
    ['postgres', { repository: 'postgres' }],
    ['postgres:16', { repository: 'postgres', tag: '16' }],
    ['docker.io/library/postgres:16@sha256:0123', { repository: 'postgres', tag: '16', digest: 'sha256:0123' }],
    ['index.docker.io/bitnami/postgresql:16.4.0', { repository: 'bitnami/postgresql', tag: '16.4.0' }],
    ['localhost:5000/team/app:1', { registry: 'localhost:5000', repository: 'team/app', tag: '1' }],
    ['quay.io/keycloak/keycloak', { registry: 'quay.io', repository: 'keycloak/keycloak' }],
    ['postgres@sha256:abc', { repository: 'postgres', digest: 'sha256:abc' }],
  ])('%s', (ref, expected) => {
    expect(parseImageRef(ref)).toEqual(expected);
  });
  it('does not parse a reference with variables: matchImage interpolates first', () => {
    expect(parseImageRef('${DB_IMAGE}')).toBeUndefined();
    expect(parseImageRef('postgres:${PG_VERSION}')).toBeUndefined();
  });
  it('orders tags by major version, and refuses to order names', () => {
    expect(majorOf('16-alpine')).toBe(16);
    expect(majorOf('10.6.4-focal')).toBe(10);
    expect(majorOf('v2.7')).toBe(2);
    expect(majorOf('latest')).toBeUndefined();
    expect(majorOf('alpine')).toBeUndefined();
    expect(majorOf(undefined)).toBeUndefined();
  });
});

describe('the catalog', () => {
  it('holds at least 30 images, each with absolute data paths and a note', () => {
    expect(CATALOG.length).toBeGreaterThanOrEqual(30);
    for (const e of CATALOG) {
      expect(e.paths.length).toBeGreaterThan(0);
      for (const p of [...e.paths, ...(e.declaresVolume ?? [])]) expect(p).toMatch(/^\/[^:]*$/);
      expect(e.note.length).toBeGreaterThan(5);
    }
  });
  it('holds at least 120 images, each with the https documentation its paths come from and the ISO date it was checked', () => {
    expect(CATALOG.length).toBeGreaterThanOrEqual(120);
    const today = new Date().toISOString().slice(0, 10);
    for (const e of CATALOG) {
      expect(e.source, `${e.image}: source`).toMatch(/^https:\/\/[a-z0-9-]+(\.[a-z0-9-]+)+\/\S*$/i);
      expect(() => new URL(e.source), e.image).not.toThrow();
      expect(e.checked, `${e.image}: checked`).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(Number.isNaN(Date.parse(`${e.checked}T00:00:00Z`)), e.image).toBe(false);
      expect(new Date(`${e.checked}T00:00:00Z`).toISOString().slice(0, 10), `${e.image}: a real date`).toBe(e.checked);
      expect(e.checked <= today, `${e.image}: checked ${e.checked} is in the future`).toBe(true);
      if (e.unordered) expect(e.unordered.as_of <= today, `${e.image}: as_of in the future`).toBe(true);
    }
  });
  it('names no image twice', () => {
    const names = CATALOG.flatMap((e) => [e.image, ...(e.aliases ?? [])]);
    expect(new Set(names).size).toBe(names.length);
  });
  it.each([
    ['postgres:16', ['/var/lib/postgresql/data']],
    ['postgres:18', ['/var/lib/postgresql']],
    ['docker.io/library/postgres:18.1@sha256:ab', ['/var/lib/postgresql']],
    ['bitnami/postgresql:16', ['/bitnami/postgresql']],
    ['mysql:8', ['/var/lib/mysql']],
    ['mariadb:10.6.4-focal', ['/var/lib/mysql']],
    ['mongo:7', ['/data/db', '/data/configdb']],
    ['redis:alpine', ['/data']],
    ['docker.elastic.co/elasticsearch/elasticsearch:8.15.0', ['/usr/share/elasticsearch/data']],
    ['influxdb:1.8', ['/var/lib/influxdb']],
    ['influxdb:2.7', ['/var/lib/influxdb2', '/etc/influxdb2']],
  ])('%s keeps data in %j', (image, paths) => {
    expect(matchImage(image)!.paths).toEqual(paths);
  });
  it('a tag that cannot be ordered is uncertain only where versions matter', () => {
    expect(matchImage('postgres:latest')!.uncertain).toBe(true);
    expect(matchImage('postgres@sha256:ab')!.uncertain).toBe(true);
    expect(matchImage('redis:latest')!.uncertain).toBe(false);
  });
});

describe('catalog checks in build', () => {
  it('a service may omit mounts when its image is in the catalog', () => {
    const r = buildText(`services:\n  db: {image: "postgres:16"}\nx-persistence:\n  services:\n    db: {pattern: volume}\n`);
    expect(errorsOf(r)).toEqual([]);
    expect(r.text).toContain('target: /var/lib/postgresql/data');
  });
  it('postgres 18 with the old path is an error naming both paths', () => {
    const r = buildText(`services:\n  db: {image: "postgres:18"}\nx-persistence:\n  services:\n    db:\n      pattern: volume\n      mounts: [/var/lib/postgresql/data]\n`);
    const e = errorsOf(r)[0]!;
    expect(e).toMatchObject({ code: 'CATALOG_PATH_MOVED', line: 7 });
    expect(e.message).toContain('/var/lib/postgresql/data');
    expect(e.message).toContain('mount /var/lib/postgresql instead');
    expect(r.text).toBeUndefined();
  });
  // Issue 12.1 changes this: latest is postgres 18, which refuses the old path (it was a warning).
  it('postgres:latest is the version the catalog assumes: the old path is an error, and a warning names the version', () => {
    const r = buildText(`services:\n  db: {image: "postgres:latest"}\nx-persistence:\n  services:\n    db: {pattern: volume, mounts: [/var/lib/postgresql/data]}\n`);
    expect(errorsOf(r)[0]).toMatchObject({ code: 'CATALOG_PATH_MOVED', line: 5 });
    const w = r.diagnostics.find((d) => d.code === 'CATALOG_VERSION_UNKNOWN')!;
    expect(w).toMatchObject({ severity: 'warning', line: 2 });
    expect(w.message).toContain('assumed postgres 18');
    expect(w.message).toContain('as of 2026-08-21');
  });
  it('a stateful service with nothing mounted is a warning, an error under require', () => {
    const src = `services:\n  db: {image: "mysql:8"}\n  web: {image: nginx}\nx-persistence:\n  services:\n    web: {pattern: none}\n`;
    const w = buildText(src);
    expect(w.diagnostics.find((d) => d.code === 'UNPERSISTED_STATE')).toMatchObject({ severity: 'warning', line: 2, col: 15 });
    expect(w.text).toBeDefined();
    expect(w.text).not.toContain('UNPERSISTED');
    const e = buildText(src.replace('x-persistence:\n', 'x-persistence:\n  require: container\n'));
    expect(errorsOf(e)[0]).toMatchObject({ code: 'UNPERSISTED_STATE' });
    expect(e.text).toBeUndefined();
  });
  it('an image with VOLUME: data survives a recreate in an anonymous volume, not down/up', () => {
    const r = buildText(`services:\n  cache:\n    image: redis:7\n    volumes: ["/data"]\n`);
    expect(r.diagnostics.find((d) => d.code === 'UNPERSISTED_STATE')!.message).toContain('anonymous volume: it survives a recreate but is lost on down/up');
  });
  it('pattern none on a stateful image is a warning, an error under require', () => {
    const src = `services:\n  db: {image: "mongo:7"}\nx-persistence:\n  services:\n    db: {pattern: none}\n`;
    expect(buildText(src).diagnostics.find((d) => d.code === 'STATEFUL_NONE')?.severity).toBe('warning');
    expect(errorsOf(buildText(src.replace('x-persistence:\n', 'x-persistence:\n  require: container\n')))[0]?.code).toBe('STATEFUL_NONE');
  });
});
